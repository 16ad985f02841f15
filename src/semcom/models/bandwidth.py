"""Paper B's bandwidth compression pair (Guo, Wang, Luo, Ding, "Diffusion-driven semantic communication
for generative models with bandwidth constraints", 2024), on a latent codec's features.

* :class:`Downsampler` — the transmitter's downsampling network: the codec's ``C`` latent channels → ``k``
  channels at the same spatial size, which sets ``rho = k / (6 f²)`` (TAEF2, C = 32, f = 8: k = 16, 8, 4
  give 1/24, 1/48, 1/96).
* :class:`SNRConditionedUpsampler` — the receiver's VAE-based upsampling network: the noisy ``k``-channel
  latent and the SNR → ``(mu, log sigma²)`` of the restored ``C``-channel latent, sampled with
  reparameterization ``y_hat = mu + sigma * eps`` so that it is Gaussian like the forward process at the
  SNR-matched step u, where the de-noiser's reverse process takes over.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import torch
from torch import nn

from semcom.rng import Generators, randn


@dataclass(frozen=True)
class BandwidthConfig:
    """``latent_channels``: C of the codec; ``channels``: k sent; ``downsampling``: the codec's f;
    ``width``/``blocks``: hidden channels and residual blocks of each network; ``reparameterize``: sample
    ``mu + sigma·eps`` (paper B) or return ``mu`` (the deterministic-upsampler ablation);
    ``snr_scale_db``: the SNR enters the upsampler as ``snr_db / snr_scale_db``."""

    latent_channels: int = 32
    channels: int = 8
    downsampling: int = 8
    width: int = 96
    blocks: int = 2
    reparameterize: bool = True
    snr_scale_db: float = 10.0

    def __post_init__(self):
        if not 0 < self.channels <= self.latent_channels:
            raise ValueError(f"channels must be in 1..{self.latent_channels}, got {self.channels}")

    @property
    def rho(self) -> Fraction:
        return Fraction(self.channels, 6 * self.downsampling**2)


class _Residual(nn.Module):
    def __init__(self, width: int, condition: int = 0):
        super().__init__()
        self.body = nn.Sequential(nn.SiLU(), nn.Conv2d(width, width, 3, padding=1), nn.SiLU(),
                                  nn.Conv2d(width, width, 3, padding=1))
        # FiLM from the condition (the SNR): per-channel scale and shift of the block's output
        self.film = nn.Linear(condition, 2 * width) if condition else None
        if self.film is not None:
            nn.init.zeros_(self.film.weight)
            nn.init.zeros_(self.film.bias)

    def forward(self, x: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        h = self.body(x)
        if self.film is not None:
            scale, shift = self.film(condition)[:, :, None, None].chunk(2, dim=1)
            h = h * (1 + scale) + shift
        return x + h


class Downsampler(nn.Module):
    """``float32 [B, C, h, w]`` unit-power latent → ``float32 [B, k, h, w]`` (power set by the channel's
    normalization afterwards)."""

    def __init__(self, config: BandwidthConfig):
        super().__init__()
        self.head = nn.Conv2d(config.latent_channels, config.width, 3, padding=1)
        self.blocks = nn.ModuleList(_Residual(config.width) for _ in range(config.blocks))
        self.tail = nn.Sequential(nn.SiLU(), nn.Conv2d(config.width, config.channels, 3, padding=1))

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        h = self.head(latents)
        for block in self.blocks:
            h = block(h)
        return self.tail(h)


class SNRConditionedUpsampler(nn.Module):
    """``received``: ``float32 [B, k, h, w]`` (unit signal power per real value plus noise) and ``snr_db``:
    ``float [B]`` → ``(mu, logvar)``, each ``float32 [B, C, h, w]``."""

    def __init__(self, config: BandwidthConfig):
        super().__init__()
        self.snr_scale_db = config.snr_scale_db
        self.embed = nn.Sequential(nn.Linear(1, config.width), nn.SiLU())
        self.head = nn.Conv2d(config.channels, config.width, 3, padding=1)
        self.blocks = nn.ModuleList(_Residual(config.width, config.width) for _ in range(config.blocks))
        self.tail = nn.Sequential(nn.SiLU(), nn.Conv2d(config.width, 2 * config.latent_channels, 3, padding=1))

    def forward(self, received: torch.Tensor, snr_db: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        condition = self.embed((snr_db.float() / self.snr_scale_db).reshape(-1, 1))
        h = self.head(received)
        for block in self.blocks:
            h = block(h, condition)
        mu, logvar = self.tail(h).chunk(2, dim=1)
        return mu, logvar.clamp(-12.0, 4.0)


class BandwidthCompressor(nn.Module):
    """The downsampler and the upsampler trained together (:mod:`semcom.training.bandwidth_tasks`)."""

    def __init__(self, config: BandwidthConfig):
        super().__init__()
        self.config = config
        self.down = Downsampler(config)
        self.up = SNRConditionedUpsampler(config)

    def restore(self, received: torch.Tensor, snr_db: torch.Tensor,
                generator: Generators = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(y_hat, mu, logvar)``: the restored latent (sampled when ``config.reparameterize``, else
        ``mu``) and the Gaussian it is drawn from."""
        mu, logvar = self.up(received, snr_db)
        if not self.config.reparameterize:
            return mu, mu, logvar
        eps = randn(mu.shape, generator, mu.device).to(mu.dtype)
        return mu + (0.5 * logvar).exp() * eps, mu, logvar
