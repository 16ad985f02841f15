"""The ε-outage design SNR of the digital schemes over fading links, and their ``budget`` option."""

from __future__ import annotations

import torch

from semcom.channels import parse_channel
from semcom.channels.outage import outage_snr_db, pooled_snr_db, rayleigh_outage_snr_db


def test_pooled_snr_of_a_constant_link_is_that_snr():
    assert abs(float(pooled_snr_db(torch.full((2, 50), 0.1))[0]) - 10.0) < 1e-4


def test_measured_outage_matches_the_rayleigh_closed_form():
    """1000 one-fade images: the 10 % quantile of |h|² SNR has a standard error of about 0.45 dB."""
    spec = parse_channel("rayleigh:coherence=image,csi=perfect")
    measured = outage_snr_db(spec, 10.0, 16, 0.1, draws=1000)
    assert abs(measured - rayleigh_outage_snr_db(10.0, 0.1)) < 1.5


def test_frequency_and_spatial_diversity_raise_the_design_snr():
    flat = rayleigh_outage_snr_db(10.0, 0.1)
    for text in ("ofdm:model=tdl-c,delay_spread=3e-07,coherence=slot", "mimo:nt=2,nr=4"):
        assert outage_snr_db(parse_channel(text), 10.0, 2000, 0.1, draws=50) > flat + 3


def test_data_budget_gives_the_digital_link_the_analog_channel_uses():
    from semcom.schemes import create_scheme

    spec = parse_channel("ofdm:csi=ls")
    image = torch.rand(3, 96, 96)
    k = 3 * 96 * 96 // 12
    air = create_scheme("jpeg+capacity:rho=1/12")(image, 20.0, spec.label, seed=0)
    data = create_scheme("jpeg+capacity:rho=1/12,budget=data")(image, 20.0, spec.label, seed=0)
    assert air.channel_uses == k and data.channel_uses == spec.frame_len(k)
    assert data.nominal_rho == air.nominal_rho
    awgn = create_scheme("jpeg+capacity:rho=1/12,budget=data")(image, 20.0, "awgn", seed=0)
    assert awgn.channel_uses == k  # nothing on top over AWGN


def test_worst_codeword_and_interleaving():
    """Over a slowly moving TDL-C the channel changes within an image, so its worst codeword sits well below
    the image's pooled SNR; spreading each codeword over the frame (the NR scheme's interleaver) brings the
    worst codeword back to within 1 dB of the image."""
    from semcom.digital.bitpipe import symbol_interleaver

    spec = parse_channel("ofdm:model=tdl-c,delay_spread=3e-07,speed=30")
    symbols, block = 13 * 1920, 1920
    image = outage_snr_db(spec, 10.0, symbols, 0.1, draws=40)
    worst = outage_snr_db(spec, 10.0, symbols, 0.1, block, draws=40)
    spread = outage_snr_db(spec, 10.0, symbols, 0.1, block, symbol_interleaver(symbols), draws=40)
    assert worst < image - 2
    assert abs(spread - image) < 1


def test_interleaved_payload_round_trip():
    import numpy as np

    from semcom.digital.bitpipe import payload_capacity_bytes, send_bytes
    from semcom.digital.mcs import MCS

    mcs = MCS.parse("nr-16qam-1/2")
    payload = bytes(np.random.default_rng(5).integers(0, 256, size=payload_capacity_bytes(6000, mcs), dtype=np.uint8))
    sent = send_bytes(payload, 6000, mcs, 25.0, parse_channel("ofdm:csi=ls"), torch.Generator().manual_seed(0),
                      interleave=True)
    assert sent.received == payload and sent.block_errors == 0
