"""DeepJSCC of Bourtsoulatze, Kurka and Gündüz, "Deep joint source-channel coding for wireless image
transmission", IEEE TCCN 5(3), 2019.

Encoder: five 5×5 convolutions (two with stride 2) with PReLU, ending in ``c`` channels at H/4 × W/4;
decoder: the mirror image with transposed convolutions and a sigmoid. Two real outputs make one complex
channel use, so ``rho = c / 96`` (c = 8: 1/12, c = 2: 1/48, c = 1: 1/96).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import torch
from torch import nn

#: Spatial downsampling of the encoder: the input side must be a multiple of this.
DOWNSAMPLING = 4


@dataclass(frozen=True)
class DeepJSCCConfig:
    """``channels``: c, the latent channels (sets rho); ``width``: hidden channels (paper: 16 then 32)."""

    channels: int = 8
    width: int = 32

    @property
    def rho(self) -> Fraction:
        return Fraction(self.channels, 2 * 3 * DOWNSAMPLING**2)


def _conv(cin: int, cout: int, stride: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 5, stride=stride, padding=2)


def _tconv(cin: int, cout: int, stride: int) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(cin, cout, 5, stride=stride, padding=2, output_padding=stride - 1)


class DeepJSCCEncoder(nn.Module):
    """``float32 [B, 3, H, W]`` in [0, 1] → real latent ``[B, c, H/4, W/4]`` (before power normalization)."""

    def __init__(self, config: DeepJSCCConfig):
        super().__init__()
        half, w, c = config.width // 2, config.width, config.channels
        self.layers = nn.Sequential(
            _conv(3, half, 2), nn.PReLU(half), _conv(half, w, 2), nn.PReLU(w),
            _conv(w, w, 1), nn.PReLU(w), _conv(w, w, 1), nn.PReLU(w), _conv(w, c, 1), nn.PReLU(c),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class DeepJSCCDecoder(nn.Module):
    """Real latent ``[B, c, H/4, W/4]`` → ``float32 [B, 3, H, W]`` in [0, 1]."""

    def __init__(self, config: DeepJSCCConfig):
        super().__init__()
        half, w, c = config.width // 2, config.width, config.channels
        self.layers = nn.Sequential(
            _tconv(c, w, 1), nn.PReLU(w), _tconv(w, w, 1), nn.PReLU(w), _tconv(w, w, 1), nn.PReLU(w),
            _tconv(w, half, 2), nn.PReLU(half), _tconv(half, 3, 2), nn.Sigmoid(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.layers(z)
