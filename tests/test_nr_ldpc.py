"""5G NR code blocks and QAM (Sionna PHY) behind semcom's code/modulation interfaces, and ``<codec>+nr-ldpc``."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch

from semcom.channels import parse_channel
from semcom.digital.bitpipe import payload_capacity_bytes, send_bytes
from semcom.digital.mcs import ALL_MCS, MCS, NR_MCS, load_mcs_table, select_mcs
from semcom.digital.nr import CRC_BITS, NR_BLOCK_BITS, NRQAM, NRCode


def test_code_block_sizes():
    code = NRCode("1/2")
    assert (code.n, code.k) == (NR_BLOCK_BITS, NR_BLOCK_BITS // 2 - CRC_BITS)
    with pytest.raises(ValueError, match="no NR code"):
        NRCode("7/8")


@pytest.mark.parametrize("rate", ["1/3", "5/6"])
def test_noiseless_round_trip_and_crc(rate):
    code = NRCode(rate)
    info = np.random.default_rng(0).integers(0, 2, size=(3, code.k), dtype=np.uint8)
    coded = code.encode(info)
    assert coded.shape == (3, code.n) and set(np.unique(coded)) <= {0, 1}
    llr = np.where(coded == 0, 8.0, -8.0)  # semcom's sign: positive means 0
    decoded = code.decode(llr)
    np.testing.assert_array_equal(decoded.info, info)
    assert decoded.ok.all()
    garbage = code.decode(np.random.default_rng(1).normal(0, 1, size=(3, code.n)))
    assert not garbage.ok.any()  # the CRC-24B catches what BP cannot fix


def test_qam_llr_sign_and_power():
    qam = NRQAM(4)
    bits = torch.randint(0, 2, (1, 4000), generator=torch.Generator().manual_seed(0))
    s = qam.modulate(bits)
    assert abs(float(s.abs().pow(2).mean()) - 1) < 0.05
    llr = qam.demap(s, torch.tensor(0.01)).reshape(bits.shape)
    assert bool(((llr > 0) == (bits == 0)).all())


def test_mcs_names_and_family_tables():
    assert MCS.parse("nr-256qam-5/6") == MCS(8, Fraction(5, 6), "nr")
    assert MCS.parse("16qam-3/4").family == "80211n"
    assert len(NR_MCS) == 20 and not {m.name for m in NR_MCS} & {m.name for m in ALL_MCS}
    table = load_mcs_table(family="nr")
    assert set(table.thresholds_db) == {m.name for m in NR_MCS}
    assert table.raw["family"] == "nr" and table.metadata["semcom_commit"]
    # thresholds grow with spectral efficiency within each modulation
    for bits in (2, 4, 6, 8):
        row = [table.threshold(m) for m in NR_MCS if m.bits_per_symbol == bits]
        assert row == sorted(row)
    assert select_mcs(30.0, table).name == "nr-256qam-5/6"
    assert select_mcs(-10.0, table) is None
    assert select_mcs(10.0).family == "80211n"  # the default table is still 802.11n's


@pytest.mark.parametrize("channel", ["awgn", "ofdm:csi=ls", "mimo"])
def test_send_bytes_over_nr_code_blocks(channel):
    mcs = MCS.parse("nr-qpsk-1/2")
    capacity = payload_capacity_bytes(8000, mcs)
    payload = bytes(np.random.default_rng(2).integers(0, 256, size=capacity, dtype=np.uint8))
    clean = send_bytes(payload, 8000, mcs, 25.0, parse_channel(channel), torch.Generator().manual_seed(0))
    assert clean.received == payload and clean.block_errors == 0 and clean.decoder_failures == 0
    noisy = send_bytes(payload, 8000, mcs, -3.0, parse_channel(channel), torch.Generator().manual_seed(0))
    assert noisy.block_errors == noisy.decoder_failures == noisy.blocks  # far below threshold: all lost, all seen


def test_heif_over_nr_ldpc_scheme():
    from semcom.schemes import create_scheme

    image = torch.rand(3, 64, 64)
    scheme = create_scheme("heif+nr-ldpc:rho=1/4")
    good = scheme(image, 20.0, "awgn", seed=0)
    info = good.image_info[0]
    assert info["mcs"].startswith("nr-") and info["block_errors"] == 0 and not bool(good.outage[0])
    assert good.channel_uses <= 3 * 64 * 64 // 4
    lost = scheme(image, -8.0, "awgn", seed=0)
    assert bool(lost.outage[0]) and lost.image_info[0]["outage_reason"] == "no MCS decodes at this SNR"
    with pytest.raises(ValueError, match="mcs must be"):
        create_scheme("heif+nr-ldpc:mcs=16qam-3/4")  # an 802.11n name is not an NR MCS
    fixed = create_scheme("heif+nr-ldpc:rho=1/4,mcs=nr-16qam-1/2")(image, 20.0, "awgn", seed=0)
    assert fixed.image_info[0]["mcs"] == "nr-16qam-1/2"
