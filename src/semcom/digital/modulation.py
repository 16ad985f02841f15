"""Square Gray-mapped QAM with unit average energy, and exact soft demapping to bit LLRs.

Bit labelling of one symbol of ``m = bits_per_symbol`` bits ``b_0 … b_{m-1}``: the first ``m/2`` bits pick
the in-phase level and the last ``m/2`` the quadrature level, each through a binary-reflected Gray code on the
``L = 2^(m/2)`` levels ``(2i - (L-1)) · d`` ordered from most negative (``i = 0``) up, with ``b_0`` the most
significant bit. Neighbouring points (horizontally or vertically) therefore differ in exactly one bit.
``d = sqrt(3 / (2 (M - 1)))`` makes the mean of ``|s|²`` over the ``M = 2^m`` points exactly 1.

LLR convention: ``LLR(b) = log P(b = 0 | y) / P(b = 1 | y)`` with equiprobable bits, for
``y = s + n``, ``n ~ CN(0, sigma²)`` (``sigma²/2`` per real part, DESIGN.md §2). The exact LLR is a
log-sum-exp over the whole constellation of ``-|y - s|² / sigma²``. For square QAM with per-axis labels the
sum factorizes into an in-phase and a quadrature part, and the part that does not carry the bit cancels in
the ratio, so :meth:`QAM.demap` computes the same exact value with a one-dimensional log-sum-exp over the
``L`` levels of the bit's axis (no max-log approximation). ``tests/test_digital_modulation.py`` checks it
against the brute-force two-dimensional sum.
"""

from __future__ import annotations

import math
from typing import Union

import numpy as np
import torch

ArrayLike = Union[np.ndarray, torch.Tensor]

_NAMES = {2: "qpsk", 4: "16qam", 6: "64qam"}


def _gray(i: np.ndarray) -> np.ndarray:
    return i ^ (i >> 1)


class QAM:
    """Square Gray-mapped QAM with ``bits_per_symbol`` in {2, 4, 6} (QPSK, 16-QAM, 64-QAM).

    Attributes:
        bits_per_symbol: ``m``.
        order: ``M = 2^m``.
        name: ``"qpsk"``, ``"16qam"`` or ``"64qam"``.
        points: ``complex64 [M]`` torch tensor; ``points[v]`` is the symbol of the bit label whose binary
            value (``b_0`` most significant) is ``v``.
        levels: ``float64 [L]`` per-axis amplitudes, most negative first.
        level_bits: ``uint8 [L, m/2]`` Gray label of each level.
    """

    def __init__(self, bits_per_symbol: int):
        if bits_per_symbol not in _NAMES:
            raise ValueError(f"bits_per_symbol must be one of {sorted(_NAMES)}, got {bits_per_symbol}")
        m = self.bits_per_symbol = int(bits_per_symbol)
        self.order = 2**m
        self.name = _NAMES[m]
        half = m // 2
        num_levels = 2**half
        scale = math.sqrt(3.0 / (2.0 * (self.order - 1)))
        self.levels = (2.0 * np.arange(num_levels) - (num_levels - 1)) * scale
        gray = _gray(np.arange(num_levels))
        shifts = np.arange(half - 1, -1, -1)
        self.level_bits = ((gray[:, None] >> shifts[None, :]) & 1).astype(np.uint8)
        # amplitude of each Gray label value: label value gray[i] -> level i
        amp_of_label = np.empty(num_levels)
        amp_of_label[gray] = self.levels
        v = np.arange(self.order)
        i_label, q_label = v >> half, v & (num_levels - 1)
        pts = amp_of_label[i_label] + 1j * amp_of_label[q_label]
        self.points = torch.from_numpy(pts.astype(np.complex64))
        self._weights = torch.from_numpy((1 << np.arange(m - 1, -1, -1)).astype(np.int64))

    def __repr__(self) -> str:
        return f"QAM({self.bits_per_symbol})"

    def __eq__(self, other) -> bool:
        return isinstance(other, QAM) and other.bits_per_symbol == self.bits_per_symbol

    def __hash__(self) -> int:
        return hash(("QAM", self.bits_per_symbol))

    @property
    def bit_labels(self) -> np.ndarray:
        """``uint8 [M, m]``: the bits of each point in :attr:`points` order."""
        v = np.arange(self.order)[:, None]
        return ((v >> np.arange(self.bits_per_symbol - 1, -1, -1)[None, :]) & 1).astype(np.uint8)

    def modulate(self, bits: ArrayLike) -> ArrayLike:
        """Map bits to symbols.

        Args:
            bits: ``uint8 [..., N·m]`` of 0/1 (numpy or torch).

        Returns:
            ``complex64 [..., N]``, unit average energy; numpy in → numpy out, torch in → torch out.
        """
        is_numpy = not isinstance(bits, torch.Tensor)
        b = torch.as_tensor(np.asarray(bits) if is_numpy else bits).to(torch.int64)
        m = self.bits_per_symbol
        if b.ndim == 0 or b.shape[-1] % m:
            raise ValueError(f"last dimension of bits ({tuple(b.shape)}) must be a multiple of {m}")
        if b.numel() and (b.min() < 0 or b.max() > 1):
            raise ValueError("bits must be 0 or 1")
        labels = (b.reshape(*b.shape[:-1], -1, m) * self._weights.to(b.device)).sum(-1)
        symbols = self.points.to(b.device)[labels]
        return symbols.numpy() if is_numpy else symbols

    def demap(self, y: ArrayLike, noise_var, chunk: int = 1 << 16) -> ArrayLike:
        """Exact bit LLRs of received symbols.

        Args:
            y: ``complex [..., N]`` received symbols ``s + n`` (numpy or torch).
            noise_var: ``sigma²``, the complex noise variance per symbol (``E|n|²``, linear), a scalar or an
                array broadcastable to ``y`` (e.g. ``float [N]``); must be positive.
            chunk: symbols processed at once, bounding memory at about ``chunk · L · 8`` bytes per bit.

        Returns:
            ``float32 [..., N·m]`` LLRs ``log P(b=0|y)/P(b=1|y)`` in the bit order of :meth:`modulate`;
            numpy in → numpy out, torch in → torch out.
        """
        is_numpy = not isinstance(y, torch.Tensor)
        yt = torch.as_tensor(np.asarray(y) if is_numpy else y)
        device = yt.device
        yt = yt.to(torch.complex128)
        nv = noise_var.detach() if isinstance(noise_var, torch.Tensor) else np.asarray(noise_var)
        nv = torch.as_tensor(nv)
        nv = nv.to(device=device, dtype=torch.float64)
        if nv.numel() and (not torch.isfinite(nv).all() or (nv <= 0).any()):
            raise ValueError("noise_var must be positive and finite")
        nv = torch.broadcast_to(nv, yt.shape)
        lead, n_sym = yt.shape[:-1], yt.shape[-1]
        flat_y, flat_nv = yt.reshape(-1), nv.reshape(-1)

        half = self.bits_per_symbol // 2
        levels = torch.as_tensor(self.levels, dtype=torch.float64, device=device)
        is_one = torch.as_tensor(self.level_bits.T.astype(bool), device=device)  # [half, L]
        out = torch.empty(flat_y.numel(), 2, half, dtype=torch.float32, device=device)
        for start in range(0, flat_y.numel(), chunk):
            sl = slice(start, start + chunk)
            inv = 1.0 / flat_nv[sl, None]
            for axis, comp in enumerate((flat_y[sl].real, flat_y[sl].imag)):
                metric = -((comp[:, None] - levels[None, :]) ** 2) * inv  # [c, L]
                for j in range(half):
                    ones = is_one[j]
                    llr = torch.logsumexp(metric[:, ~ones], dim=1) - torch.logsumexp(metric[:, ones], dim=1)
                    out[sl, axis, j] = llr.to(torch.float32)
        result = out.reshape(*lead, n_sym * self.bits_per_symbol)
        return result.cpu().numpy() if is_numpy else result

    def hard_decision(self, y: ArrayLike) -> ArrayLike:
        """Bits of the nearest constellation point, ``uint8 [..., N·m]`` (bit order of :meth:`modulate`).

        This is the minimum-distance symbol decision; it can differ from the signs of :meth:`demap`'s exact
        bitwise LLRs at low SNR, where the bitwise MAP decision is not the nearest point's label.
        """
        is_numpy = not isinstance(y, torch.Tensor)
        yt = torch.as_tensor(np.asarray(y) if is_numpy else y)
        levels = torch.as_tensor(self.levels, dtype=torch.float64, device=yt.device)
        labels = torch.as_tensor(self.level_bits, device=yt.device)  # [L, m/2]
        parts = []
        for comp in (yt.real.to(torch.float64), yt.imag.to(torch.float64)):
            nearest = (comp[..., None] - levels).abs().argmin(dim=-1)  # [..., N]
            parts.append(labels[nearest])  # [..., N, m/2]
        bits = torch.cat(parts, dim=-1).reshape(*yt.shape[:-1], -1)
        return bits.cpu().numpy() if is_numpy else bits
