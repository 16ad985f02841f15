"""Paper B with tiny models: the hybrid loss, the compressor pair trained by the CLI on real BSDS500
latents, and the `bandwidth-diff` scheme's receivers (matched start, start at T, no reverse process)."""

import json

import pytest
import torch

from semcom.channels import ChannelSpec
from semcom.cli.app import main
from semcom.diffusion.schedule import matched_step
from semcom.models.bandwidth import BandwidthCompressor, BandwidthConfig
from semcom.schemes import create_scheme
from semcom.training.bandwidth_tasks import BandwidthTask, HybridLossConfig, gaussian_kl
from semcom.zoo import WeightsError


def test_gaussian_kl_is_the_closed_form():
    p = torch.distributions.Normal(torch.tensor([0.3, -1.0]), torch.tensor([0.5, 2.0]))
    q = torch.distributions.Normal(torch.tensor([0.0, 0.5]), torch.tensor([1.5, 0.7]))
    expected = torch.distributions.kl_divergence(p, q)
    got = gaussian_kl(p.mean, p.stddev**2, q.mean, torch.log(q.stddev**2))
    torch.testing.assert_close(got, expected)


def test_the_guidance_optimum_is_the_forward_variance_plus_the_error():
    # d/d(logvar) KL(N(m, v) || N(mu, s²)) = 0  at  s² = v + (m - mu)²
    target, var, mu = torch.tensor(0.4), torch.tensor(0.1), torch.tensor(0.1)
    logvars = torch.linspace(-5, 1, 6001)
    best = logvars[gaussian_kl(target, var, mu, logvars).argmin()].exp()
    assert abs(float(best) - (0.1 + 0.3**2)) < 1e-3


@pytest.mark.parametrize("channels,rho", [(16, "1/24"), (8, "1/48"), (4, "1/96")])
def test_channel_count_sets_rho(channels, rho):
    config = BandwidthConfig(channels=channels)
    assert str(config.rho) == rho
    model = BandwidthCompressor(BandwidthConfig(channels=channels, width=8, blocks=1))
    z = torch.randn(2, 32, 6, 10)
    assert model.down(z).shape == (2, channels, 6, 10)
    mu, logvar = model.up(model.down(z), torch.tensor([0.0, 20.0]))
    assert mu.shape == logvar.shape == z.shape


def test_restore_samples_with_reparameterization_or_returns_the_mean():
    torch.manual_seed(0)
    received, snr = torch.randn(1, 2, 64, 64), torch.tensor([5.0])
    sampled = BandwidthCompressor(BandwidthConfig(latent_channels=4, channels=2, width=8, blocks=1))
    y, mu, logvar = sampled.restore(received, snr, torch.Generator().manual_seed(1))
    standardized = (y - mu) / (0.5 * logvar).exp()
    standardized = standardized.detach()
    assert abs(float(standardized.mean())) < 0.02 and abs(float(standardized.var()) - 1) < 0.03  # 8k values
    fixed = BandwidthCompressor(BandwidthConfig(latent_channels=4, channels=2, width=8, blocks=1,
                                                reparameterize=False))
    y, mu, _ = fixed.restore(received, snr)
    assert torch.equal(y, mu)


def test_the_deterministic_ablation_trains_the_reconstruction_only():
    torch.manual_seed(0)
    z, snr = torch.randn(2, 4, 8, 8), torch.tensor([0.0, 10.0])
    logs = {}
    for reparameterize in (True, False):
        model = BandwidthCompressor(BandwidthConfig(latent_channels=4, channels=2, width=8, blocks=1,
                                                    reparameterize=reparameterize))
        _, logs[reparameterize] = BandwidthTask(model, HybridLossConfig()).loss(z, snr, torch.Generator())
    assert set(logs[True]) == {"recon", "kl_prior", "guidance"} and set(logs[False]) == {"recon"}


@pytest.fixture(scope="module")
def compressor(tiny_latent_models, shared_data_dir, tmp_path_factory):
    vae, _ = tiny_latent_models
    out = tmp_path_factory.mktemp("bandwidth") / "run"
    assert main(["train", "bandwidth-diff", "--out", str(out), "--codec", str(vae), "--channels", "2",
                 "--width", "8", "--blocks", "1", "--steps", "3", "--batch-size", "2", "--crop", "8",
                 "--data", str(shared_data_dir), "--limit", "4", "--checkpoint-every", "2",
                 "--validate-every", "2"]) == 0
    return out / "final"


def test_training_command_exports_with_provenance(compressor, tiny_latent_models):
    record = json.loads((compressor / "config.json").read_text())
    assert record["scheme"] == "bandwidth-diff" and record["rho"] == "1/48" and record["steps"] == 3
    assert record["codec"] == str(tiny_latent_models[0]) and record["loss_weights"]["guidance_weight"] == 0.1
    assert "restored_snr_db@-5dB" in record["validation"] and "variance_ratio@30dB" in record["validation"]


@pytest.mark.parametrize("options,start,evaluations", [
    ("start=matched,steps=4", "matched", 4), ("sampler=ddpm,start=T,steps=3", "T", 3), ("steps=0", None, 0)])
@pytest.mark.parametrize("channel", ["awgn", "rayleigh:csi=perfect,eq=mmse"])
def test_scheme_runs_every_receiver(tiny_latent_models, compressor, options, start, evaluations, channel):
    vae, denoiser = tiny_latent_models
    scheme = create_scheme(f"bandwidth-diff:codec={vae},compressor={compressor},denoiser={denoiser},{options}")
    images = torch.rand(2, 3, 32, 40)
    sent = scheme.transmit(images, torch.tensor([0.0, 20.0]), ChannelSpec.parse(channel),
                           torch.Generator().manual_seed(0))
    assert sent.reconstruction.shape == images.shape
    assert sent.channel_uses == 2 * (32 // 4) * (40 // 4) // 2  # k = 2 channels at f4, two reals per symbol
    assert sent.denoise_steps == evaluations
    starts = [sent.row_info(i)["start_step"] for i in range(2)]
    if start == "T":
        assert starts == [999, 999]
    elif start is None:
        assert starts == [-1, -1]
    elif channel == "awgn":
        assert starts[0] > starts[1]  # 0 dB starts higher up the chain than 20 dB
    else:  # the matched step of the noise variance the receiver was told (effective, after MMSE equalization)
        assert starts == matched_step(sent.noise_var_used.double(), scheme.schedule).tolist()


def test_bad_options_are_clear_errors(tiny_latent_models, compressor):
    vae, denoiser = tiny_latent_models
    with pytest.raises(WeightsError, match="compressor"):
        create_scheme(f"bandwidth-diff:codec={vae},denoiser={denoiser}")
    with pytest.raises(WeightsError, match="bandwidth compressor"):
        create_scheme(f"bandwidth-diff:codec={vae},compressor={denoiser},denoiser={denoiser}")
    with pytest.raises(ValueError, match="start"):
        create_scheme(f"bandwidth-diff:codec={vae},compressor={compressor},denoiser={denoiser},start=middle")
    with pytest.raises(WeightsError, match="denoiser"):
        create_scheme(f"bandwidth-diff:codec={vae},compressor={compressor}")
