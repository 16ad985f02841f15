"""The scheme registry and the identity-analog reference scheme."""

import math

import numpy as np
import pytest
import torch
from skimage import data as skdata

from semcom.channels import ChannelSpec
from semcom.errors import UnknownNameError
from semcom.metrics import psnr
from semcom.schemes import canonical_spec, create_scheme, list_schemes, register_scheme
from semcom.schemes.identity_analog import IdentityAnalog, expected_mse_awgn
from semcom.schemes.registry import SchemeOptionError


def photos():
    imgs = [skdata.astronaut(), skdata.coffee()[:400, :600], skdata.chelsea()]
    return [torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1).float().div(255) for a in imgs]


def test_registry_lookup_and_specs():
    assert "identity-analog" in list_schemes()
    scheme = create_scheme("identity-analog:receiver=lmmse")
    assert isinstance(scheme, IdentityAnalog) and scheme.config.receiver == "lmmse"
    assert canonical_spec(scheme) == "identity-analog:receiver=lmmse"
    assert canonical_spec(create_scheme("identity-analog")) == "identity-analog"
    with pytest.raises(UnknownNameError, match="available: .*identity-analog"):
        create_scheme("deep-magic")
    with pytest.raises(SchemeOptionError, match="no option 'gain'"):
        create_scheme("identity-analog:gain=2")
    with pytest.raises(SchemeOptionError):
        create_scheme("identity-analog:receiver=wiener")
    with pytest.raises(ValueError, match="already registered"):
        register_scheme("identity-analog")(type("Other", (IdentityAnalog,), {}))


@pytest.mark.parametrize("receiver", ["zf", "lmmse"])
def test_identity_analog_matches_closed_form_over_awgn(receiver):
    scheme = create_scheme(f"identity-analog:receiver={receiver}")
    for snr in (-5.0, 0.0, 10.0, 20.0, 30.0):
        measured, predicted = [], []
        for i, img in enumerate(photos()):
            sent = scheme.transmit(img[None], snr, ChannelSpec(), torch.Generator().manual_seed(i))
            measured.append(psnr(img[None], sent.reconstruction).item())
            predicted.append(-10 * math.log10(expected_mse_awgn(img, snr, receiver)))
        assert abs(np.mean(measured) - np.mean(predicted)) < 0.1, (snr, measured, predicted)


def test_identity_analog_accounting_and_ordering():
    img = photos()[2][:, :299]  # 299 x 451 x 3: an odd number of reals
    sent = create_scheme("identity-analog").transmit(img[None], 10.0, ChannelSpec(), torch.Generator())
    n = img.numel()
    assert n % 2 == 1 and sent.channel_uses == (n + 1) // 2 and sent.source_size == n
    # at very low SNR the shrinking receiver wins, as its closed form says
    assert expected_mse_awgn(img, -5.0, "lmmse") < expected_mse_awgn(img, -5.0, "zf")


def test_identity_analog_over_rayleigh_with_pilots():
    img = photos()[0][None]
    spec = ChannelSpec.parse("rayleigh:coherence=1024,csi=ls,eq=mmse,pilots=4,snr=pilot")
    gen = torch.Generator().manual_seed(0)
    sent = create_scheme("identity-analog:receiver=lmmse").transmit(img, 20.0, spec, gen)
    k_data = img.numel() // 2
    assert sent.channel_uses == k_data + 4 * math.ceil(k_data / 1020)
    assert sent.reconstruction.shape == img.shape
    assert 15 < psnr(img, sent.reconstruction).item() < 40
    assert abs(sent.snr_db_estimate.item() - 20.0) < 0.5


def test_descriptions_read_configs_and_weights_records_not_names(tmp_path):
    from fractions import Fraction

    from semcom.models.jscc import JSCCAutoencoder, JSCCConfig
    from semcom.schemes import describe_spec
    from semcom.zoo import save_pretrained

    shipped = describe_spec("deepjscc:weights=deepjscc-snr10-rho1_48,snr_input=estimate")
    assert (shipped.label, shipped.family, shipped.rho, shipped.setting) == (
        "DeepJSCC@10dB", "DeepJSCC@10dB", Fraction(1, 48), "")
    # a trained folder whose name says nothing: its config.json holds the training SNR and rho
    config = JSCCConfig(arch="adjscc", channels=8, width=8)
    folder = save_pretrained(JSCCAutoencoder(config), config, tmp_path / "run-a" / "final", extra={
        "rho": "1/12", "train_config": {"snr_db_min": 5.0, "snr_db_max": 5.0}})
    trained = describe_spec(f"adjscc:weights={folder},snr_input=effective,precision=bf16")
    assert trained.label == "ADJSCC@5dB (effective SNR)" and trained.rho == Fraction(1, 12)
    assert trained.setting == "snr_input=effective,precision=bf16"  # bf16 rows never join fp32 lines
    assert describe_spec("latent-diff:codec=taef2-pca8-rho1_48,denoiser=x,steps=5").label == "Latent-Diff TAEF2-PCA"
    assert describe_spec("latent-diff:codec=taef2-pca8-rho1_48,denoiser=x,steps=5").setting == "steps=5"
    assert describe_spec("latent-diff:codec=taef2,steps=0").rho == Fraction(1, 12)  # from TAEF2's latent shape
    assert describe_spec("heif+ldpc:rho=1/96").rho == Fraction(1, 96)
    ablation = describe_spec("bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48-deterministic,steps=0")
    assert ablation.label == "Bandwidth-Diff (deterministic), no de-noiser" and ablation.rho == Fraction(1, 48)
    # results of a scheme not installed here still get a name
    assert describe_spec("warp-jscc:weights=w-rho1_12").label == "warp-jscc" and describe_spec("warp-jscc").rho is None


@pytest.mark.parametrize("spec", ["identity-analog", "jpeg+capacity:rho=1/12", "deepjscc:weights=deepjscc-snr10-rho1_48",
                                  "latent-diff:codec=latent-diff-vae-f8c8-rho1_48,steps=0"])
def test_described_rho_is_the_rho_the_scheme_sends_at(spec):
    from semcom.schemes import describe_spec

    image = photos()[0][:, :64, :64]
    sent = create_scheme(spec)(image, 10.0, seed=0)
    assert describe_spec(spec).rho == sent.nominal_rho


def test_a_plugin_scheme_with_zoo_entries_joins_the_catalog_and_the_demo(tmp_path, monkeypatch):
    """A scheme class and a zoo folder registered by a plug-in show up in the catalog, the demo and the
    protocols without any change to semcom (the registries are restored afterwards)."""
    import dataclasses
    import json
    from fractions import Fraction

    import semcom.schemes.registry as schemes
    import semcom.zoo.registry as zoo
    from semcom.report.protocols import demo
    from semcom.schemes import Scheme, describe_spec
    from semcom.zoo import register_zoo
    from semcom.zoo.catalog import CatalogEntry, shipped_catalog

    @dataclasses.dataclass(frozen=True)
    class ToyConfig:
        weights: str = ""

    toy = type("Toy", (Scheme,), {"Config": ToyConfig, "rate_options": ("weights",), "name": "toy-jscc",
                                  "transmit": lambda self, *args: None})
    monkeypatch.setitem(schemes._SCHEMES, "toy-jscc", toy)
    monkeypatch.setattr(zoo, "_PLUGIN_ZOOS", [])
    (tmp_path / "manifest.json").write_text(json.dumps({"weights": [
        {"name": "toy-rho1_24", "folder": "weights/toy-rho1_24", "scheme": "toy-jscc", "rho": "1/24",
         "sha256": "0" * 64, "model_class": "toy.Model", "config": {}}]}))
    register_zoo(tmp_path)
    catalog = shipped_catalog()
    assert CatalogEntry("toy-rho1_24", "toy-jscc:weights=toy-rho1_24", "1/24") in catalog
    assert CatalogEntry("jpeg+capacity@1/24", "jpeg+capacity:rho=1/24", "1/24") in catalog  # its baseline too
    assert describe_spec("toy-jscc:weights=toy-rho1_24").rho == Fraction(1, 24)
    assert demo("full").studies[0].schemes["toy-rho1_24"] == "toy-jscc:weights=toy-rho1_24"
