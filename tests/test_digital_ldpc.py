"""IEEE 802.11n LDPC codes: construction, encoding, BP decoding (semcom.digital.ldpc)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch

from semcom.channels import ChannelSpec, transmit_symbols
from semcom.digital import gf2
from semcom.digital.ieee80211_tables import BASE_MATRICES_1944
from semcom.digital.ldpc import LDPCCode, lift_base_matrix
from semcom.digital.mcs import ALL_MCS, load_mcs_table

RATES = ("1/2", "2/3", "3/4", "5/6")


def test_available_rates():
    assert LDPCCode.available_rates() == RATES
    with pytest.raises(ValueError):
        LDPCCode.standard("7/8")
    assert LDPCCode.standard(Fraction(1, 2)) is LDPCCode.standard("1/2")


@pytest.mark.parametrize("rate", RATES)
def test_dimensions_rank_and_generator(rate):
    code = LDPCCode.standard(rate)
    assert code.n == 1944 and code.rate == Fraction(rate) and code.k == code.n * Fraction(rate)
    assert code.H.shape == (code.n - code.k, code.n) and code.H.dtype == np.uint8
    dense = code.H.toarray()
    assert gf2.rank(dense) == code.m  # full rank: the stated rate is the true rate
    from ldpc import mod2  # independent implementation

    assert mod2.rank(code.H) == code.m
    g = code.generator
    assert g.shape == (code.k, code.n)
    assert not ((dense.astype(np.int64) @ g.T.astype(np.int64)) % 2).any()  # H G^T = 0
    assert np.array_equal(g[:, : code.k], np.eye(code.k, dtype=np.uint8))


@pytest.mark.parametrize("rate", RATES)
def test_structure_matches_the_standard(rate):
    base = np.array(BASE_MATRICES_1944[rate])
    mb = base.shape[0]
    assert base.shape[1] == 24 and mb == 24 - 24 * Fraction(rate)
    # dual-diagonal parity part: first parity column has shifts 1, 0, 1 (top, one middle row, bottom)
    first = base[:, 24 - mb]
    assert first[0] == 1 and first[-1] == 1 and sorted(first[first >= 0].tolist()) == [0, 1, 1]
    for j in range(1, mb):
        col = base[:, 24 - mb + j]
        assert col[j - 1] == 0 and col[j] == 0 and (col >= 0).sum() == 2
    # every non-null block is a permutation, so weights of H are the base-matrix counts
    code = LDPCCode.standard(rate)
    assert np.array_equal(np.asarray(code.H.sum(axis=1)).ravel(), np.repeat((base >= 0).sum(axis=1), 81))
    assert np.array_equal(np.asarray(code.H.sum(axis=0)).ravel(), np.repeat((base >= 0).sum(axis=0), 81))


@pytest.mark.parametrize("rate", RATES)
def test_four_cycles(rate):
    """No 4-cycles, except the single base-matrix 4-cycle of the standard's rate-2/3 table (rows 3, 5 and
    columns 0, 2: 48 - 69 + 64 - 43 = 0 mod 81), present in every public transcription of that table."""
    code = LDPCCode.standard(rate)
    overlap = (code.H.astype(np.int32) @ code.H.T.astype(np.int32)).tolil()
    overlap.setdiag(0)
    overlap = overlap.tocsr()
    if rate == "2/3":
        assert overlap.max() == 2 and (overlap.data == 2).sum() == 2 * 81
    else:
        assert overlap.max() == 1


def test_lift_small_base_matrix():
    h = lift_base_matrix([[0, -1], [2, 1]], 3).toarray()
    assert h.tolist() == [
        [1, 0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0, 0],
        [0, 0, 1, 0, 0, 0],
        [0, 0, 1, 0, 1, 0],
        [1, 0, 0, 0, 0, 1],
        [0, 1, 0, 1, 0, 0],
    ]


def test_gf2_solve_matches_brute_force():
    rng = np.random.default_rng(0)
    while True:
        a = rng.integers(0, 2, (6, 6), dtype=np.uint8)
        if gf2.rank(a) == 6:
            break
    b = rng.integers(0, 2, (6, 4), dtype=np.uint8)
    x = gf2.solve_left_block(a, b)
    assert np.array_equal((a.astype(int) @ x) % 2, b)
    with pytest.raises(ValueError):
        gf2.solve_left_block(np.ones((3, 3), np.uint8), b[:3])
    assert gf2.rank(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]])) == 2


@pytest.mark.parametrize("rate", RATES)
def test_encode_is_systematic_and_noiseless_decode_is_exact(rate):
    code = LDPCCode.standard(rate)
    info = np.random.default_rng(1).integers(0, 2, (8, code.k), dtype=np.uint8)
    cw = code.encode(info)
    assert cw.shape == (8, code.n) and cw.dtype == np.uint8
    assert np.array_equal(cw[:, : code.k], info)
    assert not code.syndrome(cw).any()
    assert np.array_equal(code.encode(info[0]), cw[0])
    res = code.decode(torch.from_numpy((1.0 - 2.0 * cw) * 8.0))
    assert np.array_equal(res.info, info) and np.array_equal(res.codeword, cw)
    assert res.ok.all() and (res.iterations == 0).all()


def test_decode_corrects_flipped_bits():
    code = LDPCCode.standard("1/2")
    info = np.random.default_rng(2).integers(0, 2, (4, code.k), dtype=np.uint8)
    cw = code.encode(info)
    llr = (1.0 - 2.0 * cw) * 4.0
    flips = np.random.default_rng(3).choice(code.n, size=(4, 20), replace=True)
    for i in range(4):
        llr[i, flips[i]] *= -0.5  # wrong and less confident
    res = code.decode(llr)
    assert np.array_equal(res.info, info) and res.ok.all() and (res.iterations > 0).all()


def test_encode_rejects_bad_input():
    code = LDPCCode.standard("3/4")
    with pytest.raises(ValueError):
        code.encode(np.zeros((2, code.k + 1), np.uint8))
    with pytest.raises(ValueError):
        code.encode(np.full((1, code.k), 2, np.uint8))
    with pytest.raises(ValueError):
        code.decode(np.zeros((1, code.n - 1)))


def _run_blocks(mcs, snr_db, blocks, seed):
    code, qam = mcs.code, mcs.modulation
    info = np.random.default_rng(seed).integers(0, 2, (blocks, code.k), dtype=np.uint8)
    symbols = qam.modulate(torch.from_numpy(code.encode(info)))
    link = transmit_symbols(symbols, snr_db, ChannelSpec.parse("awgn"), torch.Generator().manual_seed(seed))
    res = code.decode(qam.demap(link.equalized.unbiased, link.equalized.effective_noise_var))
    return info, res


@pytest.mark.parametrize("mcs", ALL_MCS, ids=lambda m: m.name)
def test_waterfall_around_the_table_threshold(mcs):
    threshold = load_mcs_table().threshold(mcs)
    info, res = _run_blocks(mcs, threshold + 2.0, 24, seed=11)
    assert np.array_equal(res.info, info) and res.ok.all()
    info, res = _run_blocks(mcs, threshold - 3.0, 12, seed=12)
    assert (~res.ok).sum() >= 9  # BP does not reach a codeword for most blocks
    assert (res.info != info).any(axis=1).sum() >= 9
