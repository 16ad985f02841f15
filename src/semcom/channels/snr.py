"""The one place where SNR in dB and noise variance are converted (DESIGN.md §2).

``snr_db = 10 log10(P / sigma²)`` with ``P = 1`` (power-normalized symbols) and ``sigma² = E|n|²`` per complex
symbol, so each of the real and imaginary parts of the noise has variance ``sigma² / 2``.
"""

from __future__ import annotations

import math
from typing import Union

import torch

from semcom.errors import InvalidSNRError

SNRLike = Union[float, int, torch.Tensor]


def validate_snr_db(snr_db: SNRLike) -> None:
    """Raise :class:`InvalidSNRError` if any value is NaN or infinite."""
    if isinstance(snr_db, torch.Tensor):
        if snr_db.is_complex() or not torch.isfinite(snr_db).all():
            raise InvalidSNRError(f"snr_db must be finite real numbers, got {snr_db.tolist()}")
        return
    try:
        value = float(snr_db)
    except (TypeError, ValueError):
        raise InvalidSNRError(f"snr_db must be a number, got {snr_db!r}") from None
    if not math.isfinite(value):
        raise InvalidSNRError(f"snr_db must be finite, got {value}")


def snr_db_to_noise_var(snr_db: SNRLike, signal_power: float = 1.0) -> torch.Tensor:
    """Noise variance ``sigma² = P · 10^(-snr_db/10)`` per complex symbol.

    Args:
        snr_db: scalar or float tensor of any shape, in dB. NaN/inf raise :class:`InvalidSNRError`.
        signal_power: P, mean symbol power (linear).

    Returns:
        float32 tensor with the shape of ``snr_db`` (0-d for a scalar), linear units.
    """
    validate_snr_db(snr_db)
    snr = torch.as_tensor(snr_db, dtype=torch.float64)
    return (signal_power * torch.pow(10.0, -snr / 10.0)).to(torch.float32)


def noise_var_to_snr_db(noise_var: SNRLike, signal_power: float = 1.0) -> torch.Tensor:
    """Inverse of :func:`snr_db_to_noise_var`: ``10 log10(P / sigma²)`` in dB, float32."""
    var = torch.as_tensor(noise_var, dtype=torch.float64)
    if (var <= 0).any() or not torch.isfinite(var).all():
        raise InvalidSNRError(f"noise variance must be positive and finite, got {var.tolist()}")
    return (10.0 * torch.log10(signal_power / var)).to(torch.float32)


def per_image(value: SNRLike, batch: int) -> torch.Tensor:
    """Broadcast a scalar or ``[B]`` value to a float32 column ``[B, 1]`` for per-symbol arithmetic."""
    t = torch.as_tensor(value, dtype=torch.float32)
    if t.ndim == 0:
        t = t.expand(batch)
    if t.shape != (batch,):
        raise InvalidSNRError(f"expected a scalar or {batch} per-image values, got shape {tuple(t.shape)}")
    return t.reshape(batch, 1)
