"""Dense linear algebra over GF(2) on bit-packed rows (numpy).

Rows are packed 8 bits to a byte with :func:`numpy.packbits`, so Gauss-Jordan elimination of an
``m x n`` matrix costs about ``m · (rows touched) · n / 8`` byte operations.
"""

from __future__ import annotations

import numpy as np


def _bit(packed: np.ndarray, col: int) -> np.ndarray:
    """Bit ``col`` of every packed row: ``uint8 [rows]`` of 0/1."""
    return (packed[:, col >> 3] >> (7 - (col & 7))) & 1


def row_reduce(a: np.ndarray, max_pivot_col: int | None = None) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form of a 0/1 matrix over GF(2).

    Args:
        a: ``uint8 [m, n]`` of 0/1 (any integer/bool dtype is accepted).
        max_pivot_col: look for pivots only in columns ``< max_pivot_col`` (default: all ``n``); the other
            columns are carried along, which turns ``[A | B]`` into ``[I | A^-1 B]`` when ``A`` is invertible.

    Returns:
        ``(r, pivots)``: ``uint8 [m, n]`` reduced matrix and the pivot column of each of its first
        ``len(pivots)`` rows (the rank).
    """
    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {a.shape}")
    m, n = a.shape
    limit = n if max_pivot_col is None else max_pivot_col
    packed = np.packbits(a.astype(bool), axis=1)
    pivots: list[int] = []
    row = 0
    for col in range(limit):
        if row == m:
            break
        candidates = np.flatnonzero(_bit(packed[row:], col)) + row
        if candidates.size == 0:
            continue
        pivot = candidates[0]
        if pivot != row:
            packed[[row, pivot]] = packed[[pivot, row]]
        hits = np.flatnonzero(_bit(packed, col))
        hits = hits[hits != row]
        if hits.size:
            packed[hits] ^= packed[row]
        pivots.append(col)
        row += 1
    return np.unpackbits(packed, axis=1, count=n), pivots


def rank(a: np.ndarray) -> int:
    """Rank over GF(2) of a 0/1 matrix ``[m, n]``."""
    return len(row_reduce(a)[1])


def solve_left_block(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``A^-1 B`` over GF(2) for square invertible ``A [m, m]`` and ``B [m, k]``; returns ``uint8 [m, k]``.

    Raises:
        ValueError: if ``A`` is singular.
    """
    m = a.shape[0]
    if a.shape != (m, m) or b.shape[0] != m:
        raise ValueError(f"shapes do not fit: A {a.shape}, B {b.shape}")
    reduced, pivots = row_reduce(np.concatenate([a, b], axis=1), max_pivot_col=m)
    if len(pivots) != m:
        raise ValueError(f"matrix is singular over GF(2) (rank {len(pivots)} < {m})")
    return reduced[:, m:]
