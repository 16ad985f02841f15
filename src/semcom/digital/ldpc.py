"""Binary LDPC codes: the IEEE 802.11n/ac codes (n = 1944), systematic encoding and BP decoding.

Bits are ``uint8`` 0/1 numpy arrays; LLRs follow ``LLR = log P(b=0 | y) / P(b=1 | y)`` (positive means 0).
Decoding uses the belief-propagation decoder of the ``ldpc`` package (``ldpc.BpDecoder``, product-sum) in its
syndrome form: the hard decisions ``x`` of the LLRs give a syndrome ``H x``; BP finds the most likely error
pattern ``e`` with ``H e = H x`` under per-bit error probabilities ``1 / (1 + exp(|LLR|))``; the codeword is
``x xor e``. This is the same computation as BP on the received LLRs, since flipping a bit's hard decision
flips the sign of its LLR and of every message it sends.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from semcom.digital import gf2
from semcom.digital.ieee80211_tables import BASE_MATRICES_1944, Z_1944

#: |LLR| is clipped here before it becomes an error probability (1/(1+e^30) ≈ 1e-13), so BP never sees 0.
LLR_CLIP = 30.0


def lift_base_matrix(base: Sequence[Sequence[int]], z: int) -> sp.csr_matrix:
    """Expand a quasi-cyclic base matrix into its parity-check matrix.

    Args:
        base: ``[mb, nb]`` cyclic shifts; ``-1`` is the zero block, ``s >= 0`` the ``z x z`` identity with its
            columns shifted right by ``s`` (row ``r`` has its one in column ``(r + s) mod z``).
        z: lifting size.

    Returns:
        ``scipy.sparse.csr_matrix`` of ``uint8``, shape ``[mb·z, nb·z]``.
    """
    b = np.asarray(base, dtype=np.int64)
    if b.ndim != 2 or (b < -1).any() or (b >= z).any():
        raise ValueError(f"base matrix entries must be -1 or shifts in [0, {z})")
    block_rows, block_cols = np.nonzero(b >= 0)
    shifts = b[block_rows, block_cols]
    r = np.arange(z)
    rows = (block_rows[:, None] * z + r[None, :]).ravel()
    cols = (block_cols[:, None] * z + (r[None, :] + shifts[:, None]) % z).ravel()
    data = np.ones(rows.size, dtype=np.uint8)
    h = sp.csr_matrix((data, (rows, cols)), shape=(b.shape[0] * z, b.shape[1] * z), dtype=np.uint8)
    h.sort_indices()
    return h


@dataclass(frozen=True)
class LDPCDecodeResult:
    """Outcome of decoding a batch of codewords.

    Attributes:
        info: ``uint8 [B, k]`` decoded information bits (the systematic part of ``codeword``).
        codeword: ``uint8 [B, n]`` decoded codewords.
        ok: ``bool [B]``, True where ``H · codeword = 0`` (a valid codeword; it may still differ from the
            one sent, which is rare above threshold).
        iterations: ``int32 [B]`` BP iterations used per codeword (0 when the hard decisions were already a
            codeword).
    """

    info: np.ndarray
    codeword: np.ndarray
    ok: np.ndarray
    iterations: np.ndarray


class LDPCCode:
    """A binary LDPC code given by a parity-check matrix ``H = [H_info | H_parity]`` with ``H_parity``
    (the last ``m`` columns) invertible over GF(2).

    Codewords are ``[info (k bits), parity (m bits)]``: systematic, ``k = n - m``.

    Attributes:
        H: ``scipy.sparse.csr_matrix`` of ``uint8``, ``[m, n]``.
        n, k, m: codeword, information and parity lengths (bits).
        rate: ``Fraction(k, n)``.
        name: label, e.g. ``"ieee80211n-1944-1/2"``.
    """

    def __init__(self, H: sp.spmatrix, name: str = "ldpc"):
        h = sp.csr_matrix(H, dtype=np.uint8)
        h.sort_indices()
        if h.nnz and h.data.max() > 1:
            raise ValueError("H must be a 0/1 matrix")
        self.H = h
        self.m, self.n = h.shape
        self.k = self.n - self.m
        self.rate = Fraction(self.k, self.n)
        self.name = name
        # P = H_parity^-1 H_info (GF(2)), so parity = P · info. Its existence proves rank(H) = m.
        dense = h.toarray()
        p = gf2.solve_left_block(dense[:, self.k :], dense[:, : self.k])
        self._parity_map_t = np.ascontiguousarray(p.T, dtype=np.float32)  # [k, m], for BLAS matmul

    # -- construction -------------------------------------------------------------------------------------

    @staticmethod
    def available_rates() -> tuple[str, ...]:
        """Code rates of :meth:`standard`, as strings: ``("1/2", "2/3", "3/4", "5/6")``."""
        return tuple(BASE_MATRICES_1944)

    @classmethod
    def standard(cls, rate: str | Fraction) -> "LDPCCode":
        """The IEEE 802.11n/ac LDPC code with n = 1944 (Z = 81) of ``rate`` (``"1/2"`` or ``Fraction(1, 2)``).

        Built once per rate and cached (the GF(2) elimination takes a fraction of a second).
        """
        key = str(Fraction(rate))
        if key not in BASE_MATRICES_1944:
            raise ValueError(f"no standard LDPC code of rate {rate!r}; available: {cls.available_rates()}")
        return _standard_code(key)

    # -- encoding -----------------------------------------------------------------------------------------

    @property
    def generator(self) -> np.ndarray:
        """Systematic generator ``G = [I_k | P^T]``, ``uint8 [k, n]``; ``H · G^T = 0``."""
        eye = np.eye(self.k, dtype=np.uint8)
        return np.concatenate([eye, self._parity_map_t.astype(np.uint8)], axis=1)

    def encode(self, info: np.ndarray) -> np.ndarray:
        """Systematic encoding.

        Args:
            info: ``uint8 [B, k]`` (or ``[k]``) information bits, 0/1.

        Returns:
            ``uint8 [B, n]`` (or ``[n]``) codewords ``[info, parity]``.
        """
        u = np.asarray(info)
        single = u.ndim == 1
        u = np.atleast_2d(u)
        if u.shape[-1] != self.k or u.ndim != 2:
            raise ValueError(f"info must have shape [B, {self.k}], got {np.shape(info)}")
        u = u.astype(np.uint8, copy=False)
        if u.size and u.max() > 1:
            raise ValueError("info bits must be 0 or 1")
        # Exact in float32: every sum is an integer <= k < 2^24.
        parity = (u.astype(np.float32) @ self._parity_map_t).astype(np.int64) & 1
        out = np.concatenate([u, parity.astype(np.uint8)], axis=1)
        return out[0] if single else out

    def syndrome(self, words: np.ndarray) -> np.ndarray:
        """``H · words`` mod 2: ``uint8 [B, m]`` for ``uint8 [B, n]`` words."""
        w = np.atleast_2d(np.asarray(words)).astype(np.int32)
        return ((self.H @ w.T).T & 1).astype(np.uint8)

    # -- decoding -----------------------------------------------------------------------------------------

    def decode(self, llr, max_iter: int = 50, bp_method: str = "product_sum") -> LDPCDecodeResult:
        """Belief-propagation decoding of a batch of codewords.

        Args:
            llr: ``float [B, n]`` (numpy or torch; or ``[n]``) channel LLRs, ``log P(b=0)/P(b=1)``.
            max_iter: BP iteration limit per codeword.
            bp_method: ``"product_sum"`` (exact BP) or ``"minimum_sum"``.

        Returns:
            :class:`LDPCDecodeResult` with ``[B, ...]`` arrays.
        """
        from ldpc import BpDecoder  # imported lazily: the C extension is only needed for decoding

        values = llr.detach().cpu().numpy() if hasattr(llr, "detach") else np.asarray(llr)
        values = np.atleast_2d(values).astype(np.float64)
        if values.ndim != 2 or values.shape[1] != self.n:
            raise ValueError(f"llr must have shape [B, {self.n}], got {np.shape(llr)}")
        if not np.isfinite(values).all():
            raise ValueError("llr must be finite")
        hard = (values < 0).astype(np.uint8)
        syndromes = self.syndrome(hard)
        probs = 1.0 / (1.0 + np.exp(np.minimum(np.abs(values), LLR_CLIP)))

        codeword = hard.copy()
        iterations = np.zeros(len(hard), dtype=np.int32)
        todo = np.flatnonzero(syndromes.any(axis=1))
        if todo.size:
            decoder = BpDecoder(
                self.H,
                error_rate=0.01,  # replaced per codeword by update_channel_probs
                max_iter=max_iter,
                bp_method=bp_method,
                schedule="parallel",
                input_vector_type="syndrome",
            )
            for i in todo:
                decoder.update_channel_probs(probs[i])
                error = decoder.decode(syndromes[i])
                codeword[i] ^= error.astype(np.uint8)
                iterations[i] = decoder.iter
        ok = ~self.syndrome(codeword).any(axis=1)
        return LDPCDecodeResult(info=codeword[:, : self.k], codeword=codeword, ok=ok, iterations=iterations)

    def __repr__(self) -> str:
        return f"LDPCCode({self.name!r}, n={self.n}, k={self.k}, rate={self.rate})"


@functools.lru_cache(maxsize=None)
def _standard_code(rate: str) -> LDPCCode:
    """Memoized builder behind :meth:`LDPCCode.standard` (a pure function of ``rate``)."""
    h = lift_base_matrix(BASE_MATRICES_1944[rate], Z_1944)
    return LDPCCode(h, name=f"ieee80211n-1944-{rate}")
