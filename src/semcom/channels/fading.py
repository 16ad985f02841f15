"""Rayleigh fading ``y = h s + n`` with ``h ~ CN(0, 1)``, split into *generate* and *apply* (Sionna style).

The coherence block is one image (``"image"``, the default), ``L`` symbols (an int), or one symbol
(``"fast"``). The average SNR is ``P / sigma²``; the instantaneous one is ``|h|² P / sigma²``.
"""

from __future__ import annotations

from typing import Optional, Union

import torch
from torch import nn

from semcom.channels.awgn import complex_noise
from semcom.channels.snr import SNRLike, per_image, snr_db_to_noise_var
from semcom.rng import randn

Coherence = Union[str, int]


def coherence_length(coherence: Coherence, num_symbols: int) -> int:
    """Symbols per coherence block for a ``coherence`` setting and a frame of ``num_symbols``."""
    if coherence == "image":
        return max(num_symbols, 1)
    if coherence == "fast":
        return 1
    if isinstance(coherence, int) and not isinstance(coherence, bool) and coherence >= 1:
        return coherence
    raise ValueError(f"coherence must be 'image', 'fast' or a positive int, got {coherence!r}")


class RayleighFading(nn.Module):
    """Stateless Rayleigh block-fading channel.

    Args:
        coherence: ``"image"`` (one h per image), ``"fast"`` (one h per symbol) or L (one h per L symbols).
    """

    def __init__(self, coherence: Coherence = "image"):
        super().__init__()
        coherence_length(coherence, 1)  # validate early
        self.coherence = coherence

    def generate(
        self, batch: int, num_symbols: int, generator: Optional[torch.Generator] = None, device=None
    ) -> torch.Tensor:
        """Draw channel coefficients: ``complex64 [B, k]``, constant within each coherence block."""
        block = coherence_length(self.coherence, num_symbols)
        num_blocks = -(-num_symbols // block)
        h = randn((batch, num_blocks), generator, device, torch.complex64)
        return h.repeat_interleave(block, dim=1)[:, :num_symbols]

    @staticmethod
    def apply(
        s: torch.Tensor, h: torch.Tensor, snr_db: SNRLike, generator: Optional[torch.Generator] = None
    ) -> torch.Tensor:
        """``y = h s + n`` for given coefficients ``h`` (``complex64 [B, k]``); returns ``complex64 [B, k]``."""
        noise_var = per_image(snr_db_to_noise_var(snr_db), s.shape[0])
        return h * s + complex_noise(tuple(s.shape), noise_var, generator, s.device)

    def forward(
        self,
        s: torch.Tensor,
        snr_db: SNRLike,
        generator: Optional[torch.Generator] = None,
        return_channel: bool = False,
    ):
        """Generate h and apply it. Returns ``y`` or ``(y, h)`` when ``return_channel`` is set."""
        h = self.generate(s.shape[0], s.shape[1], generator, s.device)
        y = self.apply(s, h, snr_db, generator)
        return (y, h) if return_channel else y
