"""A PatchGAN discriminator (Isola et al. 2017), the D_omega of paper A's adversarial loss (eq. 7)."""

from __future__ import annotations

import torch
from torch import nn


class PatchDiscriminator(nn.Module):
    """``float32 [B, 3, H, W]`` in [0, 1] → real/fake logits ``[B, 1, H/2^L, W/2^L]``, one per patch.

    ``width`` channels after the first layer, doubled per stride-2 layer (``layers`` of them), GroupNorm
    and LeakyReLU(0.2) in between."""

    def __init__(self, width: int = 32, layers: int = 3):
        super().__init__()
        blocks: list[nn.Module] = [nn.Conv2d(3, width, 4, 2, 1), nn.LeakyReLU(0.2)]
        channels = width
        for _ in range(layers - 1):
            blocks += [nn.Conv2d(channels, 2 * channels, 4, 2, 1), nn.GroupNorm(8, 2 * channels), nn.LeakyReLU(0.2)]
            channels *= 2
        blocks.append(nn.Conv2d(channels, 1, 3, 1, 1))
        self.layers = nn.Sequential(*blocks)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.layers(2 * images - 1)
