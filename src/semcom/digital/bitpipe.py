"""A practical digital link for bytes: scramble → LDPC → Gray QAM → channel → exact LLRs → BP → bytes.

All codewords of one payload (one image) travel as one row ``[1, k]`` of symbols through one call of
:func:`semcom.channels.transmit_symbols`, so a block-fading channel (``coherence=image``) has one gain for the
whole payload, as it would for the analog schemes. The demapper uses the receiver's per-symbol
``effective_noise_var`` of the unbiased equalized symbols (its own SNR estimate when the spec says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from semcom.channels.link import transmit_symbols
from semcom.channels.spec import ChannelSpec
from semcom.digital.mcs import MCS

#: Seed of the fixed, publicly known scrambling sequence (both ends generate the same bits).
SCRAMBLER_SEED = 0x5EC0_1D9C


@dataclass(frozen=True)
class BitPipeResult:
    """What came out of :func:`send_bytes`.

    Attributes:
        received: decoded bytes, ``payload_capacity_bytes(num_symbols, mcs)`` long (the payload, then the
            decoded zero padding).
        blocks: LDPC codewords sent.
        block_errors: codewords whose decoded information bits differ from those sent.
        channel_uses: complex channel uses on air (data symbols of the whole codewords, plus pilots).
        decoder_failures: codewords whose decoder output is not a valid codeword (what a receiver can see).
    """

    received: bytes
    blocks: int
    block_errors: int
    channel_uses: int
    decoder_failures: int = 0


def _as_mcs(mcs) -> MCS:
    return mcs if isinstance(mcs, MCS) else MCS.parse(str(mcs))


def num_codewords(num_symbols: int, mcs) -> int:
    """Whole LDPC codewords that fit into ``num_symbols`` complex channel uses."""
    mcs = _as_mcs(mcs)
    if num_symbols < 0:
        raise ValueError(f"num_symbols must be >= 0, got {num_symbols}")
    return (int(num_symbols) * mcs.bits_per_symbol) // mcs.code.n


def payload_capacity_bytes(num_symbols: int, mcs) -> int:
    """Bytes that fit into ``num_symbols`` channel uses with ``mcs`` (an :class:`MCS` or its name).

    ``floor(codewords · k / 8)`` with ``codewords = floor(num_symbols · bits_per_symbol / n)``; the symbols
    after the last whole codeword are not sent.
    """
    return num_codewords(num_symbols, mcs) * _as_mcs(mcs).code.k // 8


def symbol_interleaver(num_symbols: int) -> np.ndarray:
    """The fixed pseudo-random order ``int64 [num_symbols]`` in which an interleaved payload's symbols go on
    air (symbol i of the coded stream is sent at position ``order[i]``); the same on every call."""
    return np.random.default_rng(SCRAMBLER_SEED + 1).permutation(int(num_symbols))


def scrambling_sequence(num_bits: int) -> np.ndarray:
    """The fixed pseudo-random scrambling bits, ``uint8 [num_bits]``; the same on every call."""
    return np.random.default_rng(SCRAMBLER_SEED).integers(0, 2, size=num_bits, dtype=np.uint8)


def send_bytes(
    payload: bytes,
    num_symbols: int,
    mcs,
    snr_db: float,
    channel: ChannelSpec,
    generator: torch.Generator,
    max_iter: int = 50,
    interleave: bool = False,
) -> BitPipeResult:
    """Send ``payload`` through ``num_symbols`` complex channel uses with LDPC-coded QAM.

    Args:
        payload: at most ``payload_capacity_bytes(num_symbols, mcs)`` bytes; shorter payloads are padded with
            zero bytes (scrambled before encoding, so padding does not give all-zero codewords).
        num_symbols: channel uses available for data (pilots, if the spec uses them, come on top and are
            counted in ``channel_uses``).
        mcs: :class:`MCS` or its name (``"16qam-3/4"``).
        snr_db: average SNR ``P/sigma²`` in dB (DESIGN.md §2).
        channel: the channel and receiver front end, e.g. ``ChannelSpec.parse("awgn")``.
        generator: the only random source (channel noise and fading).
        max_iter: BP iteration limit per codeword.
        interleave: spread every codeword's symbols over the whole payload (:func:`symbol_interleaver`),
            so that each codeword sees the time and frequency diversity of the image's whole frame.

    Returns:
        :class:`BitPipeResult`.

    Raises:
        ValueError: if the payload does not fit.
    """
    mcs = _as_mcs(mcs)
    code, qam = mcs.code, mcs.modulation
    blocks = num_codewords(num_symbols, mcs)
    capacity = blocks * code.k // 8
    payload = bytes(payload)
    if len(payload) > capacity:
        raise ValueError(
            f"payload of {len(payload)} bytes does not fit into {num_symbols} symbols with {mcs.name} "
            f"(capacity {capacity} bytes in {blocks} codewords)"
        )
    if blocks == 0:
        return BitPipeResult(received=b"", blocks=0, block_errors=0, channel_uses=0)

    info_bits = blocks * code.k
    bits = np.zeros(info_bits, dtype=np.uint8)
    bits[: 8 * len(payload)] = np.unpackbits(np.frombuffer(payload, dtype=np.uint8))
    scramble = scrambling_sequence(info_bits)
    info = (bits ^ scramble).reshape(blocks, code.k)

    codewords = code.encode(info)  # [blocks, n]
    symbols = qam.modulate(torch.from_numpy(codewords.reshape(1, -1)))  # [1, blocks·n/m]
    order = torch.from_numpy(symbol_interleaver(symbols.shape[1])) if interleave else None
    if order is not None:
        symbols = torch.empty_like(symbols).index_copy_(1, order, symbols)
    link = transmit_symbols(symbols, snr_db, channel, generator)
    received, noise_var = link.equalized.unbiased[0], link.equalized.effective_noise_var[0]
    if order is not None:
        received, noise_var = received[order.to(received.device)], noise_var[order.to(noise_var.device)]
    llr = qam.demap(received, noise_var)
    decoded = code.decode(llr.reshape(blocks, code.n), max_iter=max_iter)

    block_errors = int((decoded.info != info).any(axis=1).sum())
    out_bits = decoded.info.reshape(-1) ^ scramble
    received = np.packbits(out_bits[: 8 * capacity]).tobytes()
    return BitPipeResult(
        received=received,
        blocks=blocks,
        block_errors=block_errors,
        channel_uses=int(link.channel_uses),
        decoder_failures=int((~decoded.ok).sum()),
    )
