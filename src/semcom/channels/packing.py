"""Real ↔ complex packing and bandwidth accounting (DESIGN.md §2).

Two real values make one complex channel use: ``m`` reals occupy ``k = ceil(m / 2)`` uses, the last one
zero-padded when ``m`` is odd. The bandwidth ratio is ``rho = k / n`` with ``n = 3 H W`` source values.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

import torch


def num_channel_uses(num_reals: int) -> int:
    """``k = ceil(m / 2)`` complex channel uses for ``m`` real values."""
    if num_reals < 0:
        raise ValueError("number of real values must be non-negative")
    return (num_reals + 1) // 2


def real_to_complex(x: torch.Tensor) -> torch.Tensor:
    """Pack a real tensor ``[B, ...]`` (m values per item) into ``complex64 [B, ceil(m/2)]``.

    Value ``2i`` becomes the real part and ``2i+1`` the imaginary part of symbol ``i``.
    """
    flat = x.reshape(x.shape[0], -1).to(torch.float32)
    if flat.shape[1] % 2:
        flat = torch.nn.functional.pad(flat, (0, 1))
    return torch.view_as_complex(flat.reshape(flat.shape[0], -1, 2).contiguous())


def complex_to_real(s: torch.Tensor, shape: Sequence[int]) -> torch.Tensor:
    """Inverse of :func:`real_to_complex`: ``complex [B, k]`` → float32 ``[B, *shape]`` (padding dropped)."""
    m = math.prod(shape)
    flat = torch.view_as_real(s.to(torch.complex64)).reshape(s.shape[0], -1)
    if flat.shape[1] < m:
        raise ValueError(f"{s.shape[1]} symbols carry {flat.shape[1]} reals, fewer than the {m} needed")
    return flat[:, :m].reshape(s.shape[0], *shape)


def source_size(image_shape: Sequence[int]) -> int:
    """``n = 3 H W`` for an image shape ``(3, H, W)`` or ``(B, 3, H, W)`` (batch ignored)."""
    c, h, w = tuple(image_shape)[-3:]
    return int(c * h * w)


def bandwidth_ratio(k: int, image_shape: Sequence[int]) -> Fraction:
    """Exact ``rho = k / n`` as a :class:`fractions.Fraction` (``float(rho)`` for tables)."""
    return Fraction(int(k), source_size(image_shape))


def parse_ratio(text: str) -> Fraction:
    """Parse ``"1/12"``, ``"0.0833"`` or ``"1:12"`` into a positive Fraction."""
    cleaned = text.strip().replace(":", "/")
    try:
        value = Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"cannot read bandwidth ratio {text!r}; write it like 1/12") from None
    if value <= 0:
        raise ValueError(f"bandwidth ratio must be positive, got {text!r}")
    return value
