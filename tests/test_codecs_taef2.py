"""TAEF2 loader: the shared third-party weights load without unpickling, reproduce the recorded round-trip
PSNR on Kodak, and missing/corrupt files or downloads fail with a clear error."""

import shutil

import pytest
import torch

from semcom.codecs import TAEF2Error, find_taef2, load_taef2
from semcom.codecs.taef2 import FILES, download_taef2
from semcom.data import get_dataset
from semcom.metrics import psnr

# PROVENANCE.txt of ../shared/weights/taef2: noiseless round trip of kodim01..06, RGB in [0, 1].
RECORDED_PSNR = [27.18, 31.43, 33.22, 31.58, 28.00, 28.36]


@pytest.fixture(scope="module")
def taef2_dir(shared_data_dir):
    return shared_data_dir.parent / "weights" / "taef2"


def test_round_trip_matches_recorded_psnr_and_shapes(taef2_dir, shared_data_dir):
    model = load_taef2(taef2_dir)
    measured = []
    with torch.no_grad():
        for item in get_dataset("kodak", data_dir=str(shared_data_dir), limit=6):
            latent = model.encode(item.image[None])
            assert latent.shape == (1, 32, item.image.shape[1] // 8, item.image.shape[2] // 8)
            assert latent.dtype == torch.float32 and 0.7 < float(latent.std()) < 1.0
            measured.append(float(psnr(item.image[None], model.decode(latent))))
    assert measured == pytest.approx(RECORDED_PSNR, abs=0.01)


def test_the_cpu_layout_leaves_encode_and_decode_as_the_plain_layers_compute_them(taef2_dir):
    model = load_taef2(taef2_dir).eval()
    images = torch.rand(2, 3, 64, 96, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        latents = model.encode(images)
        decoded = model.decode(latents)
        assert latents.is_contiguous() and decoded.is_contiguous()  # callers get the default layout back
        # oneDNN sums channels-last convolutions in another order, which differs per CPU (1.2e-5 seen on an
        # AVX2-only EPYC); 1e-4 is still a fortieth of one 8-bit level, and a wrong layout is off by far more.
        torch.testing.assert_close(latents, model.encoder(images), rtol=0, atol=1e-4)
        torch.testing.assert_close(decoded, model.decoder(latents).clamp(0, 1), rtol=0, atol=1e-4)


def test_found_through_environment(taef2_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("SEMCOM_TAEF2", str(taef2_dir))
    assert find_taef2() == taef2_dir
    monkeypatch.setenv("SEMCOM_TAEF2", str(tmp_path))
    monkeypatch.setenv("SEMCOM_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("SEMCOM_SHARED", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TAEF2Error, match="not found .*SEMCOM_TAEF2"):
        find_taef2()


def test_corrupt_or_foreign_file_is_refused(taef2_dir, tmp_path):
    for name in FILES:
        shutil.copyfile(taef2_dir / name, tmp_path / name)
    (tmp_path / "taef2_decoder.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(TAEF2Error, match="sha256"):
        load_taef2(tmp_path)


def test_download_checks_sha256(taef2_dir, tmp_path, monkeypatch):
    """The download path, fed from a local file:// mirror (no network here)."""
    monkeypatch.delenv("SEMCOM_OFFLINE", raising=False)
    target = download_taef2(tmp_path / "dl", url_template=taef2_dir.as_uri() + "/{name}")
    assert load_taef2(target) is not None
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in FILES:
        (bad / name).write_bytes(b"tampered")
    with pytest.raises(TAEF2Error, match="sha256"):
        download_taef2(tmp_path / "dl2", url_template=bad.as_uri() + "/{name}")
    assert not any((tmp_path / "dl2").iterdir())  # nothing half-written is left behind
    monkeypatch.setenv("SEMCOM_OFFLINE", "1")
    with pytest.raises(TAEF2Error, match="SEMCOM_OFFLINE"):
        download_taef2(tmp_path / "dl3", url_template=taef2_dir.as_uri() + "/{name}")


def test_latent_diff_on_taef2_without_denoiser(taef2_dir, shared_data_dir, monkeypatch):
    """The no-denoiser ablation on TAEF2 latents: near the codec's own quality at high SNR, worse at 0 dB."""
    from semcom.channels import ChannelSpec
    from semcom.schemes import create_scheme

    monkeypatch.setenv("SEMCOM_TAEF2", str(taef2_dir))
    scheme = create_scheme("latent-diff:codec=taef2,steps=0")
    assert scheme.size_multiple == 8
    image = get_dataset("kodak", data_dir=str(shared_data_dir), limit=1)[0].image[None, :, :256, :256]
    clean = float(psnr(image, scheme.codec.decode(scheme.codec.encode(image))))
    quality = {}
    for snr in (0.0, 40.0):
        sent = scheme.transmit(image, snr, ChannelSpec.parse("awgn"), torch.Generator().manual_seed(0))
        quality[snr] = float(psnr(image, sent.reconstruction))
        assert sent.channel_uses * 12 == image[0].numel()  # 32 channels at 1/8 scale: rho = 1/12
    assert quality[40.0] == pytest.approx(clean, abs=0.3)
    assert quality[0.0] < clean - 3
