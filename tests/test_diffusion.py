"""Noise schedule, channel-to-step map (with the paper B theory check), U-Net wrapper and reverse loops."""

import pytest
import torch

from semcom.channels import snr_db_to_noise_var
from semcom.diffusion import (DenoiserConfig, LatentDenoiser, ReverseConfig, alphas_cumprod,
                              matched_step, reverse_process, timesteps_from, to_forward_process)
from semcom.zoo import from_pretrained, save_pretrained


def test_linear_schedule_matches_paper_a():
    abar = alphas_cumprod()
    assert abar.shape == (1000,) and abar.dtype == torch.float64
    assert abar[0] == pytest.approx(1 - 1e-4) and abar[-1] < 1e-4
    assert torch.all(abar[1:] < abar[:-1])


@pytest.mark.parametrize("snr_db", [-5.0, 0.0, 10.0, 20.0])
def test_rescaled_received_gaussian_latent_is_the_forward_process_at_u(snr_db):
    """DESIGN.md §2 / paper B: for z ~ N(0, 1), sqrt(abar_u)(z + sigma eps) has mean sqrt(abar_u) z and
    variance 1 - abar_u given z, and unit variance overall; 1e6 samples, 1% tolerance."""
    g = torch.Generator().manual_seed(0)
    n = 1_000_000
    z = torch.randn(1, n, generator=g, dtype=torch.float64)
    noise_var = torch.tensor([snr_db_to_noise_var(snr_db)], dtype=torch.float64)
    received = z + noise_var.sqrt() * torch.randn(1, n, generator=g, dtype=torch.float64)
    scaled = to_forward_process(received, noise_var)
    abar_u = float(1 / (1 + noise_var))
    residual = scaled - abar_u**0.5 * z
    assert abs(float(residual.mean())) < 0.01 * (1 - abar_u) ** 0.5
    assert float(residual.var()) == pytest.approx(1 - abar_u, rel=0.01)
    assert float(scaled.var()) == pytest.approx(1.0, rel=0.01)
    u = int(matched_step(noise_var))
    assert abs(float(torch.log(alphas_cumprod()[u])) - torch.log(torch.tensor(abar_u)).item()) < 0.05


def test_matched_step_is_monotone_and_exact_on_the_grid():
    abar = alphas_cumprod()
    for t in (0, 10, 250, 999):
        assert int(matched_step((1 - abar[t]) / abar[t])) == t  # sigma² whose 1/(1+sigma²) is abar_t
    steps = matched_step(torch.tensor([snr_db_to_noise_var(s) for s in (30, 20, 10, 0, -5)]))
    assert torch.all(steps[1:] > steps[:-1]) and int(steps[0]) < 20


def test_timesteps_from_keeps_both_ends_and_descends():
    assert timesteps_from(9, 10) == list(range(9, -1, -1))
    assert timesteps_from(100, 5) == [100, 75, 50, 25, 0]
    assert timesteps_from(3, 50) == [3, 2, 1, 0]
    assert timesteps_from(0, 4) == [0]


class OracleDenoiser(torch.nn.Module):
    """Knows z0 and returns the exact noise of the forward process: every sampler must land on z0."""

    def __init__(self, z0):
        super().__init__()
        self.z0, self.abar = z0, alphas_cumprod().float()

    def forward(self, sample, t):
        a = self.abar[int(t[0])]
        return (sample - a.sqrt() * self.z0) / (1 - a).sqrt()


@pytest.mark.parametrize("sampler", ["ddpm", "ddim"])
@pytest.mark.parametrize("start,steps", [("matched", 8), ("matched", 1000), ("fixed", 30)])
def test_reverse_process_recovers_z0_with_an_oracle(sampler, start, steps):
    g = torch.Generator().manual_seed(1)
    z0 = torch.randn(1, 4, 8, 8, generator=g)
    noise_var = torch.tensor([0.1])
    received = z0 + noise_var.sqrt() * torch.randn(z0.shape, generator=g)
    result = reverse_process(OracleDenoiser(z0), received, noise_var, ReverseConfig(sampler, start, steps),
                             generator=g)
    assert torch.allclose(result.latents, z0, atol=1e-3)
    u = int(matched_step(noise_var))
    assert result.start_steps == [u if start == "matched" else steps - 1]
    assert result.evaluations == [min(steps, u + 1) if start == "matched" else steps]


def test_zero_steps_is_the_no_denoiser_ablation():
    received = torch.randn(2, 4, 8, 8)
    result = reverse_process(None, received, torch.tensor([0.1, 1.0]), ReverseConfig(steps=0))
    assert torch.equal(result.latents, received) and result.evaluations == [0, 0]


def test_bad_reverse_config_is_refused():
    with pytest.raises(ValueError, match="sampler"):
        ReverseConfig(sampler="euler")
    with pytest.raises(ValueError, match="start"):
        ReverseConfig(start="T")


def test_denoiser_shapes_and_save_load_round_trip(tmp_path):
    config = DenoiserConfig(latent_channels=4, widths=(16, 32), attention_levels=(1,), norm_groups=8)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = LatentDenoiser(config).eval()
    z = torch.randn(2, 4, 8, 12)
    out = model(z, torch.tensor([5, 500]))
    assert out.shape == z.shape and out.dtype == torch.float32
    loaded, loaded_config = from_pretrained(save_pretrained(model, config, tmp_path / "d"))
    assert loaded_config == config
    assert torch.allclose(loaded(z, torch.tensor([5, 500])), out, atol=1e-6)
