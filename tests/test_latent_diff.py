"""Paper A end to end with tiny models: Table I VAE (stage 1 with the adversarial term), latent de-noiser
(stage 2) trained by the CLI on real BSDS500 images, and the `latent-diff` scheme's receivers."""

import json

import pytest
import torch

from semcom.channels import ChannelSpec
from semcom.codecs.latent_vae import LatentVAE, LatentVAEConfig, Posterior
from semcom.schemes import create_scheme
from semcom.zoo import WeightsError


@pytest.mark.parametrize("channels,widths,rho", [(4, (8, 8, 8, 8), "1/96"), (8, (8, 8, 8, 8), "1/48"),
                                                  (8, (8, 8, 8), "1/12")])
def test_vae_configs_give_the_documented_rho(channels, widths, rho):
    config = LatentVAEConfig(latent_channels=channels, widths=widths, norm_groups=4)
    assert str(config.rho) == rho
    model = LatentVAE(config)
    x = torch.rand(2, 3, 32, 48)
    z = model.encode(x)
    assert z.shape == (2, channels, 32 // config.downsampling, 48 // config.downsampling)
    assert model.decode(z).shape == x.shape


def test_posterior_kl_is_the_closed_form():
    mean, logvar = torch.randn(3, 4, 2, 2), torch.randn(3, 4, 2, 2)
    expected = 0.5 * (mean**2 + logvar.exp() - 1 - logvar).flatten(1).sum(1)
    assert torch.allclose(Posterior(mean, logvar).kl(), expected)
    assert torch.allclose(Posterior(torch.zeros(1, 2), torch.zeros(1, 2)).kl(), torch.zeros(1))


def test_training_commands_export_with_provenance(tiny_latent_models):
    vae, denoiser = tiny_latent_models
    vae_record = json.loads((vae / "config.json").read_text())
    assert vae_record["scheme"] == "latent-diff-vae" and vae_record["rho"] == "1/24" and vae_record["steps"] == 3
    assert "adv_d" in (vae.parent / "log.csv").read_text()  # the discriminator was trained
    den_record = json.loads((denoiser / "config.json").read_text())
    assert den_record["codec"] == str(vae) and "denoise_gain_db@10dB" in den_record["validation"]
    assert len(list(denoiser.parent.glob("latents-bsds500-train-first4-*.safetensors"))) == 1


@pytest.mark.parametrize("options,evaluations", [
    ("sampler=ddim,start=matched,steps=5", 5), ("sampler=ddpm,start=fixed,steps=4", 4), ("steps=0", 0)])
@pytest.mark.parametrize("channel", ["awgn", "rayleigh:csi=ls,eq=mmse,snr=pilot"])
def test_scheme_runs_every_receiver(tiny_latent_models, options, evaluations, channel):
    vae, denoiser = tiny_latent_models
    scheme = create_scheme(f"latent-diff:codec={vae},denoiser={denoiser},{options}")
    assert scheme.size_multiple == (4 * 2 if evaluations else 4)  # f4 codec, one U-Net halving
    images = torch.rand(2, 3, 32, 40)
    sent = scheme.transmit(images, torch.tensor([0.0, 20.0]), ChannelSpec.parse(channel),
                           torch.Generator().manual_seed(0))
    assert sent.reconstruction.shape == images.shape
    assert 0 <= float(sent.reconstruction.min()) and float(sent.reconstruction.max()) <= 1
    assert sent.denoise_steps == evaluations
    if "matched" in options:
        low, high = (sent.row_info(i)["start_step"] for i in range(2))
        assert low > high  # 0 dB starts higher up the chain than 20 dB


def test_bad_weights_are_clear_errors(tiny_latent_models, tmp_path):
    vae, denoiser = tiny_latent_models
    with pytest.raises(WeightsError, match="needs denoiser"):
        create_scheme(f"latent-diff:codec={vae}")
    with pytest.raises(WeightsError, match="neither a latent VAE nor a latent projection"):
        create_scheme(f"latent-diff:codec={denoiser},steps=0")


def test_a_sweep_encodes_each_image_once(tiny_latent_models):
    vae, _ = tiny_latent_models
    scheme = create_scheme(f"latent-diff:codec={vae},steps=0")
    calls = []
    encode = scheme.codec.encode
    scheme.codec.encode = lambda images: calls.append(images.shape) or encode(images)
    images, other = torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)
    channel = ChannelSpec.parse("awgn")
    first = scheme.transmit(images, 0.0, channel, torch.Generator().manual_seed(0))
    scheme.transmit(images.clone(), 20.0, channel, torch.Generator().manual_seed(0))
    assert len(calls) == 1
    scheme.transmit(other, 0.0, channel, torch.Generator().manual_seed(0))
    again = scheme.transmit(images, 0.0, channel, torch.Generator().manual_seed(0))
    assert len(calls) == 3
    torch.testing.assert_close(again.reconstruction, first.reconstruction)
