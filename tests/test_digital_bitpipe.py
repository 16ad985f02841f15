"""Bytes over LDPC-coded QAM through the channel (semcom.digital.bitpipe)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from semcom.channels import ChannelSpec
from semcom.digital import MCS, payload_capacity_bytes, send_bytes
from semcom.digital.bitpipe import num_codewords, scrambling_sequence

AWGN = ChannelSpec.parse("awgn")


def _payload(size: int, seed: int = 0) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8).tobytes()


def test_capacity_arithmetic():
    # qpsk-1/2: 98304 symbols * 2 bits = 196608 bits -> 101 codewords of 1944 bits -> 101 * 972 / 8 bytes
    assert num_codewords(98_304, "qpsk-1/2") == 101
    assert payload_capacity_bytes(98_304, "qpsk-1/2") == 12_271
    # 16qam-3/4: 393216 bits -> 202 codewords -> 202 * 1458 = 294516 bits -> 36814 bytes (4 bits unused)
    assert payload_capacity_bytes(98_304, MCS(4, "3/4")) == 36_814
    assert payload_capacity_bytes(98_304, "64qam-5/6") == 303 * 1620 // 8
    assert payload_capacity_bytes(971, "qpsk-1/2") == 0 and payload_capacity_bytes(972, "qpsk-1/2") == 121
    with pytest.raises(ValueError):
        payload_capacity_bytes(-1, "qpsk-1/2")


def test_oversize_payload_raises():
    cap = payload_capacity_bytes(2000, "qpsk-1/2")
    with pytest.raises(ValueError, match="does not fit"):
        send_bytes(bytes(cap + 1), 2000, "qpsk-1/2", 10.0, AWGN, torch.Generator().manual_seed(0))


@pytest.mark.parametrize("name,snr_db", [("qpsk-1/2", 6.0), ("16qam-3/4", 15.0), ("64qam-5/6", 23.0)])
def test_round_trip_awgn(name, snr_db):
    mcs = MCS.parse(name)
    num_symbols = 5000
    cap = payload_capacity_bytes(num_symbols, mcs)
    payload = _payload(cap - 17)
    res = send_bytes(payload, num_symbols, mcs, snr_db, AWGN, torch.Generator().manual_seed(1))
    assert len(res.received) == cap
    assert res.received == payload + bytes(17)
    assert res.blocks == num_codewords(num_symbols, mcs)
    assert res.block_errors == 0 and res.decoder_failures == 0
    assert res.channel_uses == res.blocks * 1944 // mcs.bits_per_symbol <= num_symbols


def test_round_trip_rayleigh_mmse_16qam():
    spec = ChannelSpec.parse("rayleigh:coherence=image,csi=perfect,eq=mmse")
    cap = payload_capacity_bytes(8000, "16qam-1/2")
    payload = _payload(cap, seed=3)
    res = send_bytes(payload, 8000, "16qam-1/2", 25.0, spec, torch.Generator().manual_seed(2))
    assert res.received == payload and res.block_errors == 0


def test_pilots_count_as_channel_uses():
    spec = ChannelSpec.parse("rayleigh:coherence=64,csi=ls,eq=zf,pilots=4")
    res = send_bytes(b"abc", 3000, "qpsk-1/2", 30.0, spec, torch.Generator().manual_seed(0))
    data = res.blocks * 1944 // 2
    assert res.channel_uses > data and res.received[:3] == b"abc"


def test_errors_below_threshold_and_determinism():
    payload = _payload(payload_capacity_bytes(4000, "64qam-3/4"), seed=4)
    a = send_bytes(payload, 4000, "64qam-3/4", 8.0, AWGN, torch.Generator().manual_seed(5))
    assert a.block_errors == a.blocks > 0 and a.received != payload
    b = send_bytes(payload, 4000, "64qam-3/4", 8.0, AWGN, torch.Generator().manual_seed(5))
    assert a == b


def test_scrambler_is_fixed_and_balanced():
    seq = scrambling_sequence(10_000)
    assert np.array_equal(seq, scrambling_sequence(10_000)) and 0.45 < seq.mean() < 0.55
    assert np.array_equal(scrambling_sequence(100), seq[:100])


def test_empty_capacity():
    res = send_bytes(b"", 100, "qpsk-1/2", 10.0, AWGN, torch.Generator().manual_seed(0))
    assert res.received == b"" and res.blocks == 0 and res.channel_uses == 0
