"""The epsilon-predicting latent U-Net (paper A eq. 15), built from diffusers' ``UNet2DModel``."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from semcom.diffusion.schedule import ScheduleConfig


@dataclass(frozen=True)
class DenoiserConfig:
    """``latent_channels``: c of the codec's latent; ``widths``: channels per U-Net level (each level halves
    the resolution); ``attention_levels``: levels (0-based) with self-attention; ``layers``: ResNet blocks
    per level."""

    latent_channels: int = 4
    widths: tuple[int, ...] = (64, 128, 128)
    attention_levels: tuple[int, ...] = (2,)
    layers: int = 1
    norm_groups: int = 16

    def __post_init__(self):  # JSON round trip gives lists
        object.__setattr__(self, "widths", tuple(self.widths))
        object.__setattr__(self, "attention_levels", tuple(self.attention_levels))

    @property
    def size_multiple(self) -> int:
        """Latent sides must be multiples of this (one halving per level after the first)."""
        return 2 ** (len(self.widths) - 1)


class LatentDenoiser(nn.Module):
    """``eps_theta(z_t, t)``: ``float32 [B, c, h, w]`` and integer steps ``[B]`` (0-based) → predicted noise
    of the same shape. h and w must be multiples of ``size_multiple``; ``schedule`` is the one it was
    trained with (paper A's)."""

    schedule = ScheduleConfig()

    def __init__(self, config: DenoiserConfig):
        super().__init__()
        from diffusers import UNet2DModel

        self.config = config
        self.latent_channels, self.size_multiple = config.latent_channels, config.size_multiple
        levels = range(len(config.widths))
        self.unet = UNet2DModel(
            in_channels=config.latent_channels, out_channels=config.latent_channels,
            block_out_channels=config.widths, layers_per_block=config.layers, norm_num_groups=config.norm_groups,
            down_block_types=tuple("AttnDownBlock2D" if i in config.attention_levels else "DownBlock2D" for i in levels),
            up_block_types=tuple("AttnUpBlock2D" if i in config.attention_levels else "UpBlock2D"
                                 for i in reversed(levels)),
            attention_head_dim=min([32, *(config.widths[i] for i in config.attention_levels)]), add_attention=True,
        )

    def forward(self, latents: torch.Tensor, steps: torch.Tensor) -> torch.Tensor:
        return self.unet(latents, steps).sample
