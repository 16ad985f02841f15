"""Paper A end to end with tiny models: Table I VAE (stage 1 with the adversarial term), latent de-noiser
(stage 2) trained by the CLI on real BSDS500 images, and the `latent-diff` scheme's receivers."""

import json

import pytest
import torch

from semcom.channels import ChannelSpec
from semcom.cli.app import main
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


@pytest.fixture(scope="module")
def trained(shared_data_dir, tmp_path_factory):
    """A tiny f4 VAE (adversarial term on from step 0) and a tiny de-noiser on its latents, via the CLI."""
    root = tmp_path_factory.mktemp("latent")
    common = ["--data", str(shared_data_dir), "--limit", "4", "--checkpoint-every", "2", "--validate-every", "2"]
    assert main(["train", "latent-diff-vae", "--out", str(root / "vae"), "--latent-channels", "4", "--widths",
                 "16,16,16", "--steps", "3", "--batch-size", "2", "--crop", "32", "--adv-start", "0", *common]) == 0
    vae = root / "vae" / "final"
    assert main(["train", "latent-diff-denoiser", "--out", str(root / "den"), "--codec", str(vae), "--widths",
                 "16,16", "--attention-levels", "1", "--steps", "3", "--batch-size", "2", "--crop", "8",
                 *common]) == 0
    return vae, root / "den" / "final"


def test_training_commands_export_with_provenance(trained):
    vae, denoiser = trained
    vae_record = json.loads((vae / "config.json").read_text())
    assert vae_record["scheme"] == "latent-diff-vae" and vae_record["rho"] == "1/24" and vae_record["steps"] == 3
    assert "adv_d" in (vae.parent / "log.csv").read_text()  # the discriminator was trained
    den_record = json.loads((denoiser / "config.json").read_text())
    assert den_record["codec"] == str(vae) and "denoise_gain_db@10dB" in den_record["validation"]
    assert (denoiser.parent / "latents-train.safetensors").exists()


@pytest.mark.parametrize("options,evaluations", [
    ("sampler=ddim,start=matched,steps=5", 5), ("sampler=ddpm,start=fixed,steps=4", 4), ("steps=0", 0)])
@pytest.mark.parametrize("channel", ["awgn", "rayleigh:csi=ls,eq=mmse,snr=pilot"])
def test_scheme_runs_every_receiver(trained, options, evaluations, channel):
    vae, denoiser = trained
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


def test_bad_weights_are_clear_errors(trained, tmp_path):
    vae, denoiser = trained
    with pytest.raises(WeightsError, match="needs denoiser"):
        create_scheme(f"latent-diff:codec={vae}")
    with pytest.raises(WeightsError, match="not a latent VAE"):
        create_scheme(f"latent-diff:codec={denoiser},steps=0")
