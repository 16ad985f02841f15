"""Image codecs and the <codec>+capacity separation schemes."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from semcom.channels import ChannelSpec
from semcom.digital.image_codecs import CodecDecodeError, QualitySearch, get_codec, list_codecs
from semcom.evaluation import ResultsFile, SweepConfig, run_sweep, summarize
from semcom.schemes import create_scheme, list_schemes

EXPECTED = json.loads((Path(__file__).parent / "expected" / "jpeg_capacity_kodak.json").read_text())


@pytest.fixture(scope="module")
def photo():
    from semcom.data import get_dataset

    return get_dataset("samples", limit=1)[0].image[:, :256, :384]  # astronaut crop, float32 [3, 256, 384]


@pytest.mark.parametrize("name", ["jpeg", "webp", "jpeg2000", "avif", "heif"])
def test_codec_round_trip_and_corruption(name, photo):
    codec = get_codec(name)
    image = (photo.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    low, high = codec.encode(image, codec.qualities[len(codec.qualities) // 5]), codec.encode(image, codec.qualities[-10])
    assert len(low) < len(high)
    decoded = codec.decode(high, image.shape[:2])
    assert decoded.shape == image.shape and np.abs(decoded.astype(int) - image).mean() < 6
    garbage = bytes(len(low))
    with pytest.raises(CodecDecodeError):
        codec.decode(garbage, image.shape[:2])
    search = QualitySearch(codec)
    found = search.fit(image, len(high))
    assert found is not None and len(found[1]) <= len(high) and found[0] >= codec.qualities[-10]
    assert search.fit(image, 10) is None


def test_every_codec_is_registered_as_capacity_scheme():
    assert {f"{c}+capacity" for c in list_codecs()} <= set(list_schemes())
    assert set(list_codecs()) == {"jpeg", "webp", "jpeg2000", "avif", "heif"}


def test_capacity_budget_and_outage(photo):
    scheme = create_scheme("jpeg+capacity:rho=1/24")
    image = photo[None]
    k = math.floor(photo.numel() / 24)
    sent = scheme.transmit(image, 10.0, ChannelSpec(), torch.Generator())
    info = sent.row_info(0)
    assert sent.channel_uses == k and info["planned_bits"] == round(k * math.log2(11))
    assert 8 * info["bytes"] <= info["planned_bits"] and not sent.per_image_outage(0)
    assert sent.per_image_bpp(0) == pytest.approx(8 * info["bytes"] / (256 * 384))
    lost = scheme.transmit(image, -20.0, ChannelSpec(), torch.Generator())
    assert lost.per_image_outage(0) and lost.per_image_bpp(0) == 0.0
    assert torch.allclose(lost.reconstruction, torch.full_like(image, 0.5))


def test_rayleigh_capacity_outage_rate_follows_the_target_and_fallback_is_dataset_mean(photo):
    from semcom.data import get_dataset

    spec = ChannelSpec.parse("rayleigh")
    rates = {}
    for target in (0.1, 0.5):
        scheme = create_scheme(f"jpeg+capacity:outage_target={target}")
        gen = torch.Generator().manual_seed(0)
        rates[target] = np.mean([scheme.transmit(photo[None], 15.0, spec, gen).per_image_outage(0) for _ in range(150)])
    # the file never uses more than the planned budget, so the measured rate is at most about the target
    assert 0.02 <= rates[0.1] <= 0.16 and 0.3 <= rates[0.5] <= 0.6
    scheme = create_scheme("jpeg+capacity")
    scheme.prepare(get_dataset("samples", limit=3))
    assert not torch.allclose(scheme.fallback_rgb, torch.full((3,), 0.5))


def test_jpeg_capacity_on_kodak_matches_separation_bound(shared_data_dir, tmp_path):
    snrs = [float(s) for s in EXPECTED["psnr_db"]]
    config = SweepConfig(schemes=[f"jpeg+capacity:rho={EXPECTED['rho']}"], snr_db=snrs, dataset="kodak",
                         data_dir=str(shared_data_dir), metrics=["psnr"])
    results = ResultsFile(tmp_path / "jpeg.csv")
    run_sweep(config, results, progress=False)
    measured = {row.group["snr_db"]: row.metrics["psnr"].mean for row in summarize(results.read(), ["psnr"])}
    for snr, reference in EXPECTED["psnr_db"].items():
        assert measured[float(snr)] == pytest.approx(reference, abs=EXPECTED["tolerance_db"])


def test_every_codec_is_registered_as_ldpc_scheme():
    assert {f"{c}+ldpc" for c in list_codecs()} <= set(list_schemes())


def test_ldpc_scheme_is_lossless_above_threshold_and_cliffs_below(photo):
    from semcom.digital.mcs import load_mcs_table, select_mcs

    scheme = create_scheme("jpeg+ldpc:rho=1/12")
    image = photo[None]
    sent = scheme.transmit(image, 15.0, ChannelSpec(), torch.Generator().manual_seed(0))
    info = sent.row_info(0)
    assert not sent.per_image_outage(0) and info["block_errors"] == 0 and info["mcs"] == select_mcs(15.0).name
    # error-free link: the image is exactly the codec's decoding of the chosen quality
    expected = scheme.decode_file(scheme.codec.encode(scheme.as_uint8(photo), info["quality"]), 256, 384)
    assert torch.equal(sent.reconstruction[0], expected)
    lowest = min(load_mcs_table().thresholds_db.values())
    below = scheme.transmit(image, lowest - 0.5, ChannelSpec(), torch.Generator())
    assert below.per_image_outage(0) and below.row_info(0)["mcs"] is None


def test_ldpc_scheme_survives_a_broken_link(photo):
    scheme = create_scheme("webp+ldpc:mcs=64qam-5/6")  # far too aggressive at 3 dB
    sent = scheme.transmit(photo[None], 3.0, ChannelSpec(), torch.Generator().manual_seed(1))
    info = sent.row_info(0)
    assert info["block_errors"] > 0.5 * info["blocks"]
    assert sent.per_image_outage(0)
    assert sent.reconstruction.shape == (1, 3, 256, 384)


def test_ldpc_scheme_over_fading_with_pilots_has_outages(photo):
    from semcom.channels import data_symbols_within

    spec = ChannelSpec.parse("rayleigh:coherence=image,csi=ls,eq=mmse,pilots=8")
    k = photo.numel() // 12
    assert data_symbols_within(k, spec) == k - 8
    scheme = create_scheme("jpeg+ldpc:outage_target=0.5")
    gen = torch.Generator().manual_seed(2)
    outages = [scheme.transmit(photo[None], 12.0, spec, gen).per_image_outage(0) for _ in range(16)]
    assert 2 <= sum(outages) <= 14
