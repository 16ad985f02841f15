"""Training tasks of paper A's two stages (see :mod:`semcom.training.loop` for the Task protocol).

* :class:`VAETask`, stage 1 (eqs. 5–8): ``L1 = L_recon + lambda_adv L_adv + lambda_reg L_reg``, with the
  non-saturating form of the GAN objective of eq. 7 and a PatchGAN discriminator trained alongside.
* :class:`DenoiserTask`, stage 2 (eq. 15): epsilon-prediction MSE at a uniformly drawn step on unit-power
  latents (what the channel carries).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from semcom.codecs.latent_vae import LatentVAE
from semcom.channels import snr_db_to_noise_var
from semcom.diffusion import LatentDenoiser, ScheduleConfig, alphas_cumprod, matched_step, to_forward_process
from semcom.metrics import psnr
from semcom.nn.patch_discriminator import PatchDiscriminator


@dataclass(frozen=True)
class VAELossConfig:
    """Weights of eq. 5. Both terms are per source value (KL summed over the latent, divided by 3HW), so
    the weights do not depend on the crop size. The adversarial term starts at ``adversarial_start``."""

    adversarial_weight: float = 0.05
    kl_weight: float = 1e-4
    adversarial_start: int = 2000


class VAETask:
    def __init__(self, model: LatentVAE, discriminator: PatchDiscriminator, weights: VAELossConfig):
        self.model, self.discriminator, self.weights = model, discriminator, weights
        self._fake: torch.Tensor | None = None

    def _adversarial_on(self, step: int) -> bool:
        return self.weights.adversarial_weight > 0 and step >= self.weights.adversarial_start

    def loss(self, images, snr_db, generator, step: int = 0):
        posterior = self.model.posterior(images)
        raw = self.model.autoencoder.decoder(posterior.sample(generator))
        recon = (raw.float() + 1) / 2
        self._fake = recon.detach().clamp(0, 1)
        reconstruction = F.mse_loss(recon, images)
        kl = posterior.kl().float().mean() / images[0].numel()
        total = reconstruction + self.weights.kl_weight * kl
        logs = {"recon_mse": reconstruction.detach(), "kl": kl.detach()}
        if self._adversarial_on(step):
            adversarial = F.softplus(-self.discriminator(recon)).mean()  # -log D(x~), the generator side of eq. 7
            total = total + self.weights.adversarial_weight * adversarial
            logs["adv_g"] = adversarial.detach()
        return total, logs

    def discriminator_loss(self, images, step: int):
        real, fake = self.discriminator(images), self.discriminator(self._fake)
        loss = F.softplus(-real).mean() + F.softplus(fake).mean()  # -[log D(x) + log(1 - D(x~))]
        if not self._adversarial_on(step):
            return 0 * loss, {}
        return loss, {"adv_d": loss.detach()}

    def validate(self, images, snr_db, generator) -> dict:
        recon = self.model.decode(self.model.encode(images))
        return {"psnr": float(psnr(images, recon).mean())}


class DenoiserTask:
    def __init__(self, model: LatentDenoiser, schedule: ScheduleConfig = ScheduleConfig()):
        self.model, self.schedule = model, schedule
        self.abar = alphas_cumprod(schedule).float()

    def _broadcast(self, values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        return values.to(like.device, like.dtype).reshape(-1, *([1] * (like.dim() - 1)))

    def loss(self, latents, snr_db, generator, step: int = 0):
        t = torch.randint(self.schedule.num_train_timesteps, (latents.shape[0],), generator=generator)
        eps = torch.randn(latents.shape, generator=generator).to(latents.device)
        a = self._broadcast(self.abar[t], latents)
        noisy = a.sqrt() * latents + (1 - a).sqrt() * eps
        loss = F.mse_loss(self.model(noisy, t.to(latents.device)).float(), eps)
        return loss, {}

    def validate(self, latents, snr_db, generator) -> dict:
        """De-noising gain in dB of a one-shot z0 estimate from the SNR-matched step, versus no de-noiser."""
        noise_var = snr_db_to_noise_var(snr_db).double()
        received = latents + self._broadcast(noise_var.sqrt(), latents) * torch.randn(
            latents.shape, generator=generator).to(latents.device)
        u = matched_step(noise_var, self.schedule)
        a = self._broadcast(self.abar[u], latents)
        scaled = to_forward_process(received, noise_var)
        estimate = (scaled - (1 - a).sqrt() * self.model(scaled, u.to(latents.device))) / a.sqrt()
        gain = (received - latents).pow(2).mean() / (estimate - latents).pow(2).mean()
        return {"denoise_gain_db": float(10 * torch.log10(gain))}
