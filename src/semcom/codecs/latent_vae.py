"""The KL-regularized autoencoder of paper A's Table I (the LDM first stage), on diffusers' AutoencoderKL.

Encoder: Conv → m × (ResBlock, Downsample) → ResBlock → Non-local (self-attention) → ResBlock →
GroupNorm, Swish, Conv to 2c channels (mean and log-variance); the decoder mirrors it. diffusers'
``AutoencoderKL`` with one ResNet block per level and no quant convolutions is that structure.

Images ``float32 [B, 3, H, W]`` in [0, 1] ↔ latents ``float32 [B, c, H/f, W/f]``, ``f = 2**m``. One
complex channel use carries two latent values, so ``rho = c / (6 f²)``: f8 c4 → 1/96 (paper A's "1/48"),
f8 c8 → 1/48, f4 c8 → 1/12.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import torch
from torch import nn


@dataclass(frozen=True)
class LatentVAEConfig:
    """``latent_channels``: c; ``widths``: channels per level (``len - 1`` downsamplings); ``norm_groups``
    must divide every width."""

    latent_channels: int = 4
    widths: tuple[int, ...] = (32, 64, 64, 128)
    norm_groups: int = 16

    def __post_init__(self):
        object.__setattr__(self, "widths", tuple(self.widths))

    @property
    def downsampling(self) -> int:
        return 2 ** (len(self.widths) - 1)

    @property
    def rho(self) -> Fraction:
        return Fraction(self.latent_channels, 6 * self.downsampling**2)


@dataclass
class Posterior:
    """``mean`` and ``logvar``: ``float32 [B, c, h, w]``; ``sample`` draws with reparameterization."""

    mean: torch.Tensor
    logvar: torch.Tensor

    def sample(self, generator: torch.Generator | None = None) -> torch.Tensor:
        noise = torch.randn(self.mean.shape, generator=generator, dtype=self.mean.dtype)
        return self.mean + torch.exp(0.5 * self.logvar) * noise.to(self.mean.device)

    def kl(self) -> torch.Tensor:
        """``float [B]``: KL(N(mean, var) || N(0, I)) summed over latent elements (eq. 8)."""
        return 0.5 * (self.mean.pow(2) + self.logvar.exp() - 1 - self.logvar).flatten(1).sum(1)


class LatentVAE(nn.Module):
    """Paper A's stage-1 autoencoder. ``encode`` gives the posterior mean (the transmitted latent);
    ``posterior`` and ``decode`` are the training path."""

    def __init__(self, config: LatentVAEConfig):
        super().__init__()
        from diffusers import AutoencoderKL

        self.config = config
        levels = len(config.widths)
        self.autoencoder = AutoencoderKL(
            in_channels=3, out_channels=3, latent_channels=config.latent_channels,
            down_block_types=("DownEncoderBlock2D",) * levels, up_block_types=("UpDecoderBlock2D",) * levels,
            block_out_channels=config.widths, layers_per_block=1, norm_num_groups=config.norm_groups,
            use_quant_conv=False, use_post_quant_conv=False,
        )

    @property
    def latent_channels(self) -> int:
        return self.config.latent_channels

    @property
    def downsampling(self) -> int:
        return self.config.downsampling

    def posterior(self, images: torch.Tensor) -> Posterior:
        moments = self.autoencoder.encoder(2 * images - 1)
        mean, logvar = moments.chunk(2, dim=1)
        return Posterior(mean, logvar.clamp(-30, 20))

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        return self.posterior(images).mean

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        """Latents → ``float32 [B, 3, H, W]`` in [0, 1] (clamped)."""
        return ((self.autoencoder.decoder(latents) + 1) / 2).clamp(0, 1)
