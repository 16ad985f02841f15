"""Paper B's hybrid loss for the downsampler/upsampler pair (the :class:`~semcom.training.loop.Task`
protocol), trained on a frozen codec's unit-power latents over a range of SNRs.

For a latent crop ``z`` and an SNR with per-real-value noise variance ``sigma²``, the compressed path is
``x = D(z)`` at unit power, ``y = x + sigma·eps`` (AWGN, what the equalized channel delivers) and
``(mu, log s²) = U(y, snr)``. The uncompressed path would have delivered, after eq. 16 scaling, the forward
process at the SNR-matched step u: ``N(sqrt(abar_u) z, (1 - abar_u) I)``. The loss is

    L = L_rec + lambda · KL(N(mu, s²) || N(0, I)) + gamma · KL(N(sqrt(abar_u) z, (1 - abar_u) I) || N(mu, s²))

with ``L_rec = |mu - sqrt(abar_u) z|²``: the VAE loss (reconstruction + lambda · KL to the prior) plus the
guidance term that aligns the restored latent's distribution with the uncompressed one. Every term is a
mean per latent value. The deterministic ablation (``reparameterize=False``) trains ``L_rec`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.channels import snr_db_to_noise_var
from semcom.diffusion import ScheduleConfig, alphas_cumprod, matched_step
from semcom.diffusion.latents import unit_power
from semcom.models.bandwidth import BandwidthCompressor


@dataclass(frozen=True)
class HybridLossConfig:
    """``kl_weight``: lambda (VAE prior term); ``guidance_weight``: gamma (0 is the no-guidance ablation)."""

    kl_weight: float = 1e-3
    guidance_weight: float = 0.1


def gaussian_kl(mean_p, var_p, mean_q, logvar_q) -> torch.Tensor:
    """Elementwise ``KL(N(mean_p, var_p) || N(mean_q, exp(logvar_q)))``."""
    return 0.5 * (logvar_q - torch.log(var_p) + (var_p + (mean_p - mean_q).pow(2)) * torch.exp(-logvar_q) - 1)


class BandwidthTask:
    def __init__(self, model: BandwidthCompressor, weights: HybridLossConfig = HybridLossConfig(),
                 schedule: ScheduleConfig = ScheduleConfig()):
        self.model, self.weights, self.schedule = model, weights, schedule
        self.abar = alphas_cumprod(schedule)

    def _forward_target(self, latents, snr_db):
        """``(sqrt(abar_u) z, 1 - abar_u, sigma²)`` broadcast to the latent's shape."""
        noise_var = snr_db_to_noise_var(snr_db).double()
        a = self.abar[matched_step(noise_var, self.schedule)].float().reshape(-1, 1, 1, 1)
        a = a.to(latents.device)
        return a.sqrt() * latents, (1 - a).expand_as(latents), noise_var.float().reshape(-1, 1, 1, 1)

    def _channel(self, latents, snr_db, generator):
        target, target_var, noise_var = self._forward_target(latents, snr_db)
        sent = unit_power(self.model.down(latents))
        received = sent + noise_var.to(sent.device).sqrt() * torch.randn(sent.shape, generator=generator).to(sent.device)
        return received, target, target_var

    def loss(self, latents, snr_db, generator, step: int = 0):
        received, target, target_var = self._channel(latents, snr_db, generator)
        mu, logvar = self.model.up(received, snr_db)
        reconstruction = (mu - target).pow(2).mean()
        if not self.model.config.reparameterize:
            return reconstruction, {"recon": reconstruction.detach()}
        prior = gaussian_kl(mu, torch.exp(logvar), torch.zeros_like(mu), torch.zeros_like(logvar)).mean()
        guidance = gaussian_kl(target, target_var, mu, logvar).mean()
        total = reconstruction + self.weights.kl_weight * prior + self.weights.guidance_weight * guidance
        logs = {"recon": reconstruction.detach(), "kl_prior": prior.detach(),
                "guidance": guidance.detach()}
        return total, logs

    def validate(self, latents, snr_db, generator) -> dict:
        """Per SNR: the restored mean's error as an SNR in dB (``10 log10(|sqrt(abar_u) z|² / |mu - .|²)``)
        and the predicted variance over the forward process's ``1 - abar_u``."""
        received, target, target_var = self._channel(latents, snr_db, generator)
        mu, logvar = self.model.up(received, snr_db)
        error = (mu - target).pow(2).mean()
        logs = {"restored_snr_db": float(10 * torch.log10(target.pow(2).mean() / error))}
        if self.model.config.reparameterize:
            logs["variance_ratio"] = float(torch.exp(logvar).mean() / target_var.mean())
        return logs
