"""Per-image power normalization, eq. (2) of paper A: ``s = sqrt(k P) z / ||z||``."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class PowerNormalized:
    """Output of :func:`normalize_power`.

    Attributes:
        symbols: ``complex64 [B, k]``, mean ``|s_i|²`` exactly ``power`` per image.
        gain: ``float32 [B]``, ``||z|| / sqrt(k P)``: multiplying received symbols by it undoes the
            normalization. This is side information; a scheme that uses it at the receiver must say so.
    """

    symbols: torch.Tensor
    gain: torch.Tensor


def normalize_power(z: torch.Tensor, power: float = 1.0, eps: float = 1e-12) -> PowerNormalized:
    """Scale each image's symbols to mean power ``power``.

    Args:
        z: ``complex64 [B, k]`` channel symbols before normalization.
        power: P, the target mean power per complex symbol (linear).
    """
    if not z.is_complex() or z.ndim != 2:
        raise ValueError(f"expected complex [B, k] symbols, got {z.dtype} {tuple(z.shape)}")
    k = z.shape[1]
    # Accumulate in float64 so that the mean power is 1 to ~1e-7 even for k ~ 1e6.
    norm = torch.linalg.vector_norm(z.to(torch.complex128), dim=1)
    gain = (norm / (k * power) ** 0.5).clamp_min(eps)
    symbols = (z.to(torch.complex128) / gain[:, None]).to(torch.complex64)
    return PowerNormalized(symbols=symbols, gain=gain.to(torch.float32))


def mean_power(s: torch.Tensor) -> torch.Tensor:
    """Mean ``|s_i|²`` per image: ``[B, k]`` complex → ``float32 [B]``."""
    return s.abs().pow(2).mean(dim=1).to(torch.float32)
