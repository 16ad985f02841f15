"""Complex AWGN channel: ``y = s + n``, ``n ~ CN(0, sigma² I)`` (DESIGN.md §2)."""

from __future__ import annotations

from typing import Optional

import torch
from torch import nn

from semcom.channels.snr import SNRLike, per_image, snr_db_to_noise_var
from semcom.rng import Generators, randn


def complex_noise(
    shape: tuple[int, ...], noise_var: torch.Tensor, generator: Generators, device=None
) -> torch.Tensor:
    """``CN(0, noise_var)`` samples, complex64 of ``shape``; ``noise_var`` broadcasts against ``shape``.

    ``torch.randn`` with a complex dtype already gives unit total variance (1/2 per real part). Draws follow
    :mod:`semcom.rng` (made by each image's generator, then moved to ``device``).
    """
    n = randn(shape, generator, device, torch.complex64)
    return n * noise_var.to(device=n.device, dtype=torch.float32).sqrt()


class AWGNChannel(nn.Module):
    """Stateless complex AWGN channel. The SNR is given on every call.

    Call: ``y = channel(s, snr_db, generator)`` with
        s: ``complex64 [B, k]``, mean power P = 1 per image (see :func:`semcom.channels.normalize_power`).
        snr_db: float or ``float [B]`` in dB; per-image values allow SNR-randomized training.
        generator: the explicit random source (``None`` uses torch's default one).
    Returns ``complex64 [B, k]``.
    """

    def forward(
        self, s: torch.Tensor, snr_db: SNRLike, generator: Optional[torch.Generator] = None
    ) -> torch.Tensor:
        noise_var = per_image(snr_db_to_noise_var(snr_db), s.shape[0])
        return s + complex_noise(tuple(s.shape), noise_var, generator, s.device)
