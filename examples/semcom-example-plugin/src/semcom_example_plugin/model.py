"""The tiny JSCC model: one strided convolution on each side (a linear analog transform code).

Its config is a frozen dataclass, so ``semcom.zoo.save_pretrained`` / ``from_pretrained`` store and rebuild
it from ``config.json`` alone (this package's classes are allowed because it is an installed plug-in).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import torch
from torch import nn

from semcom.channels import AWGNChannel
from semcom.diffusion.latents import latent_to_symbols, restore_scale, symbols_to_unit_latent

#: An orthonormal colour basis: luma, then two colour differences.
_COLOURS = torch.tensor([[1.0, 1.0, 1.0], [1.0, 0.0, -1.0], [1.0, -2.0, 1.0]])
_COLOURS = _COLOURS / _COLOURS.norm(dim=1, keepdim=True)


@dataclass(frozen=True)
class TinyJSCCConfig:
    """``patch``: side of the blocks the encoder maps (its stride); ``channels``: real latent values per block.
    Two real values make one complex channel use, so rho = channels / (6 patch²)."""

    channels: int = 8
    patch: int = 8

    def __post_init__(self):
        if self.patch < 1 or not 1 <= self.channels <= 3 * self.patch**2:
            raise ValueError(f"need patch >= 1 and 1 <= channels <= 3 patch², got {self.channels}, {self.patch}")

    @property
    def rho(self) -> Fraction:
        return Fraction(self.channels, 6 * self.patch**2)


def dct_basis(config: TinyJSCCConfig) -> torch.Tensor:
    """``float32 [channels, 3, patch, patch]``: orthonormal 2-D DCT-II functions in the colour basis, lowest
    frequency first (a colour difference counts as one frequency step more than luma)."""
    p = config.patch
    u, x = torch.arange(p, dtype=torch.float64)[:, None], torch.arange(p, dtype=torch.float64)[None]
    dct = torch.cos(math.pi * (2 * x + 1) * u / (2 * p)) * torch.where(u == 0, math.sqrt(1 / p), math.sqrt(2 / p))
    order = sorted(((c, i, j) for c in range(3) for i in range(p) for j in range(p)),
                   key=lambda t: (t[1] + t[2] + (t[0] > 0), t[0], t[1]))[: config.channels]
    return torch.stack([_COLOURS[c, :, None, None].double() * torch.outer(dct[i], dct[j]) for c, i, j in order]).float()


class TinyJSCC(nn.Module):
    """``encode``: ``float32 [B, 3, H, W]`` in [0, 1] (H, W multiples of ``patch``) → ``[B, channels, H/patch,
    W/patch]``; ``decode`` maps back. It starts as the DCT projection (:func:`dct_basis`), which already
    sends a coarse image; training refines both sides."""

    def __init__(self, config: TinyJSCCConfig):
        super().__init__()
        self.config = config
        self.encoder = nn.Conv2d(3, config.channels, config.patch, stride=config.patch, bias=False)
        self.decoder = nn.ConvTranspose2d(config.channels, 3, config.patch, stride=config.patch, bias=False)
        with torch.no_grad():
            basis = dct_basis(config)
            self.encoder.weight.copy_(basis)
            self.decoder.weight.copy_(basis)

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        return self.encoder(images - 0.5)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        return self.decoder(latents) + 0.5

    def forward(self, images: torch.Tensor, snr_db: torch.Tensor, generator: torch.Generator | None = None):
        """The training path: through complex AWGN at per-image ``snr_db`` (``float [B]``, dB) with the
        scheme's LMMSE receiver (:mod:`.scheme`), differentiable end to end."""
        latents = self.encode(images).float()
        sent = latent_to_symbols(latents)
        received = symbols_to_unit_latent(AWGNChannel()(sent.symbols, snr_db.float(), generator), latents.shape[1:])
        shrink = 1 / (1 + 10 ** (-snr_db.float() / 10)).reshape(-1, 1, 1, 1)
        return self.decode(restore_scale(received * shrink, sent.gain))
