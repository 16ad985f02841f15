"""5G NR channel coding and QAM from Sionna PHY: the field's "BPG + 5G LDPC" digital baseline.

Each codeword is one NR code block: ``k`` information bits, a CRC-24B (TS 38.212 §5.1, what the receiver
checks), 5G LDPC encoding with rate matching to ``n = NR_BLOCK_BITS`` coded bits (Sionna's
``LDPC5GEncoder``: base graph chosen from k and rate, filler bits, the first 2Z systematic bits punctured),
and Sionna's Gray QAM (TS 38.211 §5.1) with its exact ``app`` soft demapper. Decoding is Sionna's
``LDPC5GDecoder`` (flooding BP, boxplus-phi check-node update).

The classes follow the interfaces of :class:`semcom.digital.ldpc.LDPCCode` and
:class:`semcom.digital.modulation.QAM`, including semcom's LLR sign (``log P(b=0) / P(b=1)``, positive means
0; Sionna's is the opposite and is flipped here), so :func:`semcom.digital.bitpipe.send_bytes`, the MCS
tables and the ``<codec>+nr-ldpc`` schemes use them unchanged.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np
import torch

from semcom.channels.phy import sionna_module
from semcom.digital.ldpc import LDPCDecodeResult

#: Coded bits per code block on air (divisible by 2, 4, 6 and 8 bits per symbol and by every rate's n).
NR_BLOCK_BITS = 3840
#: Code rates of the NR MCS family (information bits, CRC included, over coded bits).
NR_RATES = ("1/3", "1/2", "2/3", "3/4", "5/6")
#: Modulations: bits per symbol.
NR_BITS_PER_SYMBOL = (2, 4, 6, 8)
CRC_BITS = 24
DEFAULT_ITERATIONS = 20


class NRCode:
    """A 5G NR LDPC code block with CRC-24B: ``k`` payload bits in, ``n`` coded bits out.

    Attributes:
        rate: ``Fraction``, ``(k + 24) / n``.
        n: coded bits per block, ``NR_BLOCK_BITS``.
        k: payload bits per block (the CRC excluded).
        name: e.g. ``"nr-ldpc-3840-1/2"``.
    """

    def __init__(self, rate, n: int = NR_BLOCK_BITS):
        self.rate = Fraction(rate)
        if str(self.rate) not in NR_RATES:
            raise ValueError(f"no NR code of rate {self.rate}; available: {', '.join(NR_RATES)}")
        self.n = int(n)
        self.k = int(self.rate * self.n) - CRC_BITS
        self.name = f"nr-ldpc-{self.n}-{self.rate}"

    @staticmethod
    def available_rates() -> tuple[str, ...]:
        return NR_RATES

    @classmethod
    def standard(cls, rate) -> NRCode:
        return _code(str(Fraction(rate)))

    def _blocks(self, iterations: int):
        return _sionna_blocks(self.k + CRC_BITS, self.n, iterations)

    def encode(self, info: np.ndarray) -> np.ndarray:
        """``uint8 [B, k]`` payload bits → ``uint8 [B, n]`` coded bits (CRC attached, LDPC, rate matched)."""
        u = np.atleast_2d(np.asarray(info))
        if u.ndim != 2 or u.shape[1] != self.k:
            raise ValueError(f"info must have shape [B, {self.k}], got {np.shape(info)}")
        crc, encoder, _, _ = self._blocks(DEFAULT_ITERATIONS)
        with torch.no_grad():
            coded = encoder(crc(torch.from_numpy(u.astype(np.float32))))
        return coded.numpy().astype(np.uint8)

    def decode(self, llr, max_iter: int = DEFAULT_ITERATIONS) -> LDPCDecodeResult:
        """Decode ``float [B, n]`` LLRs (semcom's sign: positive means 0).

        Returns an :class:`LDPCDecodeResult` with ``info uint8 [B, k]`` and ``ok bool [B]`` (the CRC holds);
        ``codeword`` is empty (the decoder returns information bits) and ``iterations`` is ``max_iter``.
        """
        values = torch.as_tensor(np.asarray(llr), dtype=torch.float32).reshape(-1, self.n)
        _, _, decoder, crc_check = self._blocks(int(max_iter))
        with torch.no_grad():
            bits, valid = crc_check(decoder(-values))  # Sionna: positive LLR means 1
        blocks = values.shape[0]
        return LDPCDecodeResult(info=bits.numpy().astype(np.uint8), codeword=np.zeros((blocks, 0), np.uint8),
                                ok=valid.reshape(blocks).numpy().astype(bool),
                                iterations=np.full(blocks, int(max_iter), np.int32))

    def __repr__(self) -> str:
        return f"NRCode({self.name}, k={self.k})"


@functools.cache
def _code(rate: str) -> NRCode:
    return NRCode(rate)


@functools.cache
def _sionna_blocks(k_crc: int, n: int, iterations: int):
    crc, ldpc = sionna_module("fec.crc"), sionna_module("fec.ldpc")
    crc_encoder = crc.CRCEncoder("CRC24B", device="cpu")
    encoder = ldpc.LDPC5GEncoder(k_crc, n, device="cpu")
    decoder = ldpc.LDPC5GDecoder(encoder, num_iter=iterations, hard_out=True, return_infobits=True, device="cpu")
    return crc_encoder, encoder, decoder, crc.CRCDecoder(crc_encoder, device="cpu")


class NRQAM:
    """Sionna's NR Gray QAM (unit average energy) and its exact ``app`` demapper, with semcom's LLR sign."""

    def __init__(self, bits_per_symbol: int):
        if bits_per_symbol not in NR_BITS_PER_SYMBOL:
            raise ValueError(f"bits_per_symbol must be one of {NR_BITS_PER_SYMBOL}, got {bits_per_symbol}")
        self.bits_per_symbol = bits_per_symbol

    @functools.cached_property
    def _blocks(self):
        mapping = sionna_module("mapping")
        return (mapping.Mapper("qam", self.bits_per_symbol, device="cpu"),
                mapping.Demapper("app", "qam", self.bits_per_symbol, device="cpu"))

    def modulate(self, bits) -> torch.Tensor:
        """``[..., N·m]`` 0/1 bits (numpy or torch) → ``complex64 [..., N]`` (torch)."""
        b = torch.as_tensor(np.asarray(bits) if not isinstance(bits, torch.Tensor) else bits)
        if b.shape[-1] % self.bits_per_symbol:
            raise ValueError(f"last dimension of bits ({tuple(b.shape)}) must be a multiple of "
                             f"{self.bits_per_symbol}")
        with torch.no_grad():
            return self._blocks[0](b.to(torch.float32)).to(torch.complex64)

    def demap(self, y, noise_var) -> torch.Tensor:
        """LLRs ``float32 [..., N·m]`` of ``complex [..., N]`` symbols with noise variance ``noise_var``
        (scalar or per symbol)."""
        y = torch.as_tensor(y, dtype=torch.complex64).cpu()
        noise = torch.as_tensor(noise_var, dtype=torch.float32).cpu().expand(y.shape)
        with torch.no_grad():
            return -self._blocks[1](y, noise)

    def __repr__(self) -> str:
        return f"NRQAM({2 ** self.bits_per_symbol})"
