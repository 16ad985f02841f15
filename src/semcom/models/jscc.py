"""One module holding a JSCC encoder–decoder pair (DeepJSCC or ADJSCC) and its channel interface.

``encode`` gives power-normalized complex symbols (paper A eq. 2; the norm is not sent: the decoder is
trained on unit-power symbols and needs no side information). ``forward`` runs the whole link over
complex AWGN, the training path.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

import torch
from torch import nn

from semcom.channels import AWGNChannel, complex_to_real, normalize_power, real_to_complex
from semcom.models.adjscc import ADJSCCConfig, ADJSCCDecoder, ADJSCCEncoder
from semcom.models.deepjscc import DOWNSAMPLING, DeepJSCCConfig, DeepJSCCDecoder, DeepJSCCEncoder

ARCHITECTURES = ("deepjscc", "adjscc")


@dataclass(frozen=True)
class JSCCConfig:
    """``arch``: deepjscc | adjscc; ``channels`` c sets rho = c/96; ``width``: hidden channels;
    ``af_gate_bias``: ADJSCC only, the initial bias of its AF gates (:class:`ADJSCCConfig`)."""

    arch: str = "deepjscc"
    channels: int = 8
    width: int = 32
    af_gate_bias: Optional[float] = None

    def __post_init__(self):
        if self.arch not in ARCHITECTURES:
            raise ValueError(f"arch must be one of {ARCHITECTURES}, got {self.arch!r}")
        if self.arch != "adjscc" and self.af_gate_bias is not None:
            raise ValueError("af_gate_bias applies to adjscc only")

    @property
    def rho(self) -> Fraction:
        return Fraction(self.channels, 2 * 3 * DOWNSAMPLING**2)


class JSCCAutoencoder(nn.Module):
    """Encoder + decoder. Images ``float32 [B, 3, H, W]`` in [0, 1] with H, W multiples of 4."""

    size_multiple = DOWNSAMPLING

    def __init__(self, config: JSCCConfig):
        super().__init__()
        self.config = config
        if config.arch == "deepjscc":
            inner = DeepJSCCConfig(channels=config.channels, width=config.width)
            self.encoder, self.decoder = DeepJSCCEncoder(inner), DeepJSCCDecoder(inner)
        else:
            inner = ADJSCCConfig(channels=config.channels, width=config.width, af_gate_bias=config.af_gate_bias)
            self.encoder, self.decoder = ADJSCCEncoder(inner), ADJSCCDecoder(inner)

    @property
    def snr_adaptive(self) -> bool:
        return self.config.arch == "adjscc"

    def latent_shape(self, height: int, width: int) -> tuple[int, int, int]:
        return (self.config.channels, height // DOWNSAMPLING, width // DOWNSAMPLING)

    def encode(self, images: torch.Tensor, snr_db: torch.Tensor) -> torch.Tensor:
        """``complex64 [B, k]`` unit-power symbols, ``k = c H W / 32``; ``snr_db`` is ``float [B]`` (dB)."""
        z = self.encoder(images, snr_db) if self.snr_adaptive else self.encoder(images)
        return normalize_power(real_to_complex(z.float())).symbols

    def decode(self, symbols: torch.Tensor, snr_db: torch.Tensor, height: int, width: int) -> torch.Tensor:
        """Received (equalized) ``complex64 [B, k]`` → ``float32 [B, 3, H, W]`` in [0, 1]."""
        z = complex_to_real(symbols, self.latent_shape(height, width))
        return self.decoder(z, snr_db) if self.snr_adaptive else self.decoder(z)

    def forward(self, images: torch.Tensor, snr_db: torch.Tensor, generator: Optional[torch.Generator] = None):
        """Through complex AWGN at per-image ``snr_db`` (``float [B]``): the training path."""
        s = self.encode(images, snr_db)
        y = AWGNChannel()(s, snr_db.float(), generator)
        return self.decode(y, snr_db, images.shape[-2], images.shape[-1])
