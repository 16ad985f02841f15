"""OFDM over TDL and MIMO links (Sionna PHY): specs, channel-use accounting, statistics, cross-checks.

Statistical tests state their sample size and tolerance; each tolerance is several standard errors wide.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sionna.phy  # the [phy] extra is part of the test install: a missing Sionna fails here
import torch
from test_cli import assert_one_line_error, in_process

from semcom.channels import ChannelSpecError, MIMOSpec, OFDMSpec, parse_channel, transmit_symbols
from semcom.channels.mimo import draw_mimo_channel
from semcom.channels.ofdm import _blocks, draw_ofdm_channel
from semcom.digital.modulation import QAM


@pytest.fixture()
def photo(tmp_path):
    from PIL import Image

    path = tmp_path / "photo.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, size=(48, 64, 3), dtype=np.uint8)).save(path)
    return path


def gens(n, seed=0):
    return [torch.Generator().manual_seed(seed + i) for i in range(n)]


def unit_symbols(batch, k, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn((batch, k), dtype=torch.complex64, generator=g)


# --- specs ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "ofdm", "ofdm:model=tdl-c,delay_spread=3e-07,csi=ls,pilots=1,eq=zf", "ofdm:coherence=slot,fft=128,cp=32",
    "mimo", "mimo:nt=2,nr=4,corr=0.5,eq=zf,coherence=fast", "mimo:coherence=64",
])
def test_labels_round_trip(text):
    spec = parse_channel(text)
    assert parse_channel(spec.label) == spec
    assert spec.fading


@pytest.mark.parametrize("text, words", [
    ("ofdm:csi=ls,pilots=-1", "pilots"),
    ("ofdm:csi=ls,pilots=14", "pilot OFDM symbols"),
    ("ofdm:fft=4,guards=6", "no subcarrier"),
    ("ofdm:model=tdl-z", "unknown OFDM channel model"),
    ("ofdm:delay_spread=2e-06", "cyclic prefix"),
    ("ofdm:pilots=2", "change nothing"),
    ("ofdm:fft=sixty", "must be an integer"),
    ("ofdm:window=3", "bad channel option"),
    ("mimo:nt=4,nr=2", "nr >= nt"),
    ("mimo:corr=1", "corr"),
    ("mimo:eq=ml", "unknown eq"),
    ("satellite", "unknown channel"),
])
def test_bad_channel_options_are_one_clear_error(text, words):
    with pytest.raises(ChannelSpecError, match=words):
        parse_channel(text)


@pytest.mark.parametrize("channel, words", [("ofdm:csi=ls,pilots=-2", "pilots"), ("ofdm:model=tdl-q", "model"),
                                            ("ofdm:fft=4", "no subcarrier")])
def test_bad_channel_on_the_command_line_exits_2(photo, tmp_path, channel, words):
    out = tmp_path / "recon.png"
    assert_one_line_error(in_process("transmit", photo, "--snr-db", "10", "--channel", channel, "--out", out), words)
    assert not out.exists()


# --- channel uses ----------------------------------------------------------------------------------------------

def test_ofdm_counts_pilots_cyclic_prefix_guards_and_padding():
    spec = OFDMSpec(csi="ls", pilots=2, fft=64, cp=16, guards=6, symbols=14)
    assert spec.pilot_symbols == (2, 11)
    assert spec.data_per_slot == (64 - 6) * (14 - 2)
    k = 3 * spec.data_per_slot + 1  # one symbol into a fourth slot
    assert spec.frame_len(k) == 4 * 14 * (64 + 16)
    out = transmit_symbols(unit_symbols(1, k), 20.0, spec, gens(1))
    assert out.channel_uses == 4 * 14 * 80 and out.equalized.symbols.shape == (1, k)
    assert OFDMSpec().data_per_slot == 58 * 14  # perfect CSI sends no pilots


def test_mimo_spreads_symbols_over_streams():
    spec = MIMOSpec(nt=2, nr=2)
    out = transmit_symbols(unit_symbols(2, 1001), 30.0, spec, gens(2))
    assert out.channel_uses == 501 and out.equalized.symbols.shape == (2, 1001)
    assert float((out.equalized.unbiased - unit_symbols(2, 1001)).abs().pow(2).mean()) < 0.05


def test_results_row_carries_the_on_air_channel_uses():
    from semcom.schemes import create_scheme

    spec = parse_channel("ofdm:csi=ls")
    sent = create_scheme("identity-analog")(torch.rand(3, 48, 48), 20.0, spec.label, seed=0)
    assert sent.channel_uses == spec.frame_len(sent.data_uses)
    assert sent.rho > sent.nominal_rho


# --- determinism -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["ofdm:csi=ls", "ofdm:coherence=slot", "mimo:corr=0.3", "mimo:coherence=fast"])
def test_an_image_gets_the_same_draws_alone_or_in_a_batch(text):
    s = unit_symbols(3, 2000)
    batch = transmit_symbols(s, torch.tensor([0.0, 10.0, 20.0]), text, gens(3)).equalized
    alone = transmit_symbols(s[2:], 20.0, text, gens(3)[2:]).equalized
    torch.testing.assert_close(alone.symbols, batch.symbols[2:], atol=1e-5, rtol=1e-5)


# --- statistics ------------------------------------------------------------------------------------------------

def exponential_checks(gain: np.ndarray, what: str) -> None:
    """``gain`` should be Exp(1): mean 1, P(g < 0.1) = 1 - e^-0.1, median ln 2 (N >= 4000 draws: the tolerances
    are about 4 standard errors)."""
    n = gain.size
    assert abs(gain.mean() - 1) < 4 / math.sqrt(n), what
    p = 1 - math.exp(-0.1)
    assert abs((gain < 0.1).mean() - p) < 4 * math.sqrt(p * (1 - p) / n), what
    assert abs(np.median(gain) - math.log(2)) < 0.06, what


def test_perfect_csi_ofdm_over_a_one_tap_tdl_is_flat_rayleigh():
    """TDL-A with a vanishing delay spread and no motion is one Rayleigh tap: each slot is flat, and the ZF
    gain ``sigma² / no_eff`` over 4000 slots is Exp(1), as semcom's flat Rayleigh |h|² is."""
    spec = OFDMSpec(delay_spread=1e-12, speed=0.0, coherence="slot", eq="zf")
    snr_db = 10.0
    out = transmit_symbols(unit_symbols(1, 4000 * spec.data_per_slot), snr_db, spec, gens(1))
    gain = (0.1 / out.equalized.effective_noise_var).reshape(4000, spec.data_per_slot)
    assert float((gain.amax(1) / gain.amin(1)).max()) < 1.01  # flat within each slot
    exponential_checks(gain[:, 0].double().numpy(), "one-tap OFDM")
    flat = parse_channel("rayleigh:coherence=1,csi=perfect,eq=zf")
    reference = transmit_symbols(unit_symbols(1, 4000), snr_db, flat, gens(1, 7)).equalized
    exponential_checks((0.1 / reference.effective_noise_var).double().numpy().ravel(), "flat Rayleigh")


def test_ls_estimate_error_variance_matches_its_closed_form():
    """LS on unit-power pilots at symbols 2 and 11 has error variance sigma² there; Sionna's linear
    interpolation in time gives ``sigma² (w² + (1-w)²)`` in between and beyond, w = (l - 2) / 9. Over
    400 slots × 58 subcarriers per symbol the measured variance is within 3 % (about 4 standard errors)."""
    spec = OFDMSpec(delay_spread=1e-12, speed=0.0, csi="ls", coherence="slot")
    blocks = _blocks(spec, 1)
    slots, no = 400, 0.1
    h = draw_ofdm_channel(spec, slots, 1, 1, torch.Generator().manual_seed(3))
    grid = blocks["mapper"](torch.zeros(slots, 1, 1, spec.data_per_slot, dtype=torch.complex64))
    clean = blocks["apply"](grid, h)
    noise = torch.randn(clean.shape, dtype=torch.complex64, generator=torch.Generator().manual_seed(4)) * no**0.5
    h_hat, _ = blocks["estimator"](clean + noise, torch.full((slots, 1, 1), no))
    error = (h_hat - blocks["remove_nulled"](h)).abs().pow(2).mean(dim=(0, 1, 2, 3, 4, 6)).double().numpy()
    w = (np.arange(spec.symbols) - 2) / 9
    np.testing.assert_allclose(error, no * (w**2 + (1 - w) ** 2), rtol=0.03)


@pytest.mark.parametrize("nt, nr", [(2, 2), (2, 4)])
def test_mimo_zf_stream_gain_is_chi_square(nt, nr):
    """Under ZF over i.i.d. Rayleigh each stream's gain ``sigma² / no_eff`` is Gamma(nr - nt + 1, 1): mean
    nr - nt + 1 (8000 channel uses, one H each; tolerance 4 standard errors)."""
    spec = MIMOSpec(nt=nt, nr=nr, eq="zf", coherence="fast")
    out = transmit_symbols(unit_symbols(1, 8000 * nt), 10.0, spec, gens(1))
    gain = (0.1 / out.equalized.effective_noise_var).double().numpy().ravel()
    dof = nr - nt + 1
    assert abs(gain.mean() - dof) < 4 * math.sqrt(dof / gain.size)


def test_one_by_one_mimo_is_flat_rayleigh():
    out = transmit_symbols(unit_symbols(1, 5000), 10.0, "mimo:nt=1,nr=1,eq=zf,coherence=fast", gens(1))
    exponential_checks((0.1 / out.equalized.effective_noise_var).double().numpy().ravel(), "1x1 MIMO")


def test_correlation_reaches_the_channel():
    h = draw_mimo_channel(MIMOSpec(nt=2, nr=2, corr=0.8, coherence="fast"), 1, 20000, gens(1))[0]
    rx = torch.einsum("tij,tkj->ik", h, h.conj()) / h.shape[0] / 2  # receive covariance, per transmit antenna
    assert abs(float(rx[0, 1].real) - 0.8) < 0.03 and abs(float(rx[0, 0].real) - 1) < 0.03


def test_lmmse_beats_zf_at_low_snr():
    s = unit_symbols(1, 40000)
    mse = {eq: float((transmit_symbols(s, 0.0, f"mimo:eq={eq},coherence=fast", gens(1)).decoder_input.symbols
                      - s).abs().pow(2).mean()) for eq in ("zf", "lmmse")}
    assert mse["lmmse"] < 0.8 * mse["zf"]


# --- cross-checks against Sionna ----------------------------------------------------------------------------------

def test_awgn_noise_variance_matches_sionna():
    """2e6 complex samples at 5 dB: semcom's and Sionna's noise variances agree with 10**(-0.5) within 0.5 %."""
    channel = sionna.phy.channel
    no = 10 ** (-5 / 10)
    zeros = torch.zeros((1, 2_000_000), dtype=torch.complex64)
    ours = transmit_symbols(zeros, 5.0, "awgn", gens(1)).equalized.symbols
    theirs = channel.AWGN(device="cpu")(zeros, torch.tensor(no))
    for noise in (ours, theirs):
        assert abs(float(noise.abs().pow(2).mean()) / no - 1) < 0.005


def _ber_semcom(bits_per_symbol, snr_db, channel_text, n_bits, seed):
    qam = QAM(bits_per_symbol)
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(1, n_bits), dtype=np.uint8)
    s = qam.modulate(torch.from_numpy(bits))
    eq = transmit_symbols(s, snr_db, channel_text, gens(1, seed)).equalized
    return float((qam.hard_decision(eq.unbiased).numpy() != bits).mean())


def _ber_sionna(bits_per_symbol, snr_db, fading, n_bits, seed):
    mapping, channel = sionna.phy.mapping, sionna.phy.channel
    torch.manual_seed(seed)
    mapper = mapping.Mapper("qam", bits_per_symbol, device="cpu")
    demapper = mapping.Demapper("app", "qam", bits_per_symbol, hard_out=True, device="cpu")
    bits = torch.randint(0, 2, (1, n_bits)).float()
    x = mapper(bits)
    no = torch.tensor(10 ** (-snr_db / 10))
    if fading:
        flat = channel.FlatFadingChannel(1, 1, return_channel=True, device="cpu")
        y, h = flat(x.reshape(-1, 1), no)
        x_hat, no_eff = y[:, 0] / h[:, 0, 0], no / h[:, 0, 0].abs().pow(2)
        hard = demapper(x_hat.reshape(1, -1), no_eff.reshape(1, -1))
    else:
        y = channel.AWGN(device="cpu")(x, no)
        hard = demapper(y, no)
    return float((hard != bits).float().mean())


@pytest.mark.parametrize("bits_per_symbol", [2, 4])
@pytest.mark.parametrize("fading", [False, True])
def test_ber_matches_sionna(bits_per_symbol, fading):
    """QPSK and 16-QAM BER at 0, 5 and 10 dB over AWGN and flat Rayleigh (perfect CSI, ZF): semcom's link and
    demapper against Sionna's channel, mapper and demapper, 1.2e6 bits each; they differ by less than 5
    standard errors of the difference (BER is a mean of Bernoulli bits; neighbouring bits are correlated in
    16-QAM, so the binomial error is doubled)."""
    channel = "rayleigh:coherence=fast,csi=perfect,eq=zf" if fading else "awgn"
    n_bits = 1_200_000
    for snr_db in (0.0, 5.0, 10.0):
        ours = _ber_semcom(bits_per_symbol, snr_db, channel, n_bits, seed=11)
        theirs = _ber_sionna(bits_per_symbol, snr_db, fading, n_bits, seed=12)
        p = (ours + theirs) / 2
        tolerance = 5 * 2 * math.sqrt(2 * p * (1 - p) / n_bits) + 1e-6
        assert abs(ours - theirs) < tolerance, (snr_db, ours, theirs)


def test_short_channel_labels_for_figures():
    from semcom.evaluation.labels import short_channel

    assert short_channel(parse_channel("ofdm:model=tdl-c,delay_spread=3e-07,csi=ls").label) == "OFDM TDL-C 300 ns LS"
    assert short_channel(parse_channel("mimo:corr=0.5,eq=zf").label) == "MIMO 2x2, corr 0.5 ZF"


def test_spec_delay_table_matches_sionna_tdl_models():
    """The cyclic-prefix check at parse time uses a table (so parsing never imports Sionna); it must agree
    with the models Sionna draws from."""
    from semcom.channels.ofdm import TDL_MAX_NORMALIZED_DELAY

    for model, delay in TDL_MAX_NORMALIZED_DELAY.items():
        tdl = sionna.phy.channel.tr38901.TDL(model[-1].upper(), 1.0, 3.5e9, device="cpu")
        assert abs(float(tdl.delays.max()) - delay) < 1e-4, model


def test_import_semcom_and_parsing_do_not_import_sionna():
    import subprocess
    import sys

    code = ("import sys, semcom, semcom.channels, semcom.schemes, semcom.cli.app; "
            "from semcom.channels import parse_channel; parse_channel('ofdm:csi=ls'); parse_channel('mimo'); "
            "import semcom.digital; print(any(m.startswith('sionna') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_sionna_is_one_clear_error(monkeypatch, photo, tmp_path):
    import importlib

    from semcom.channels import phy

    real = importlib.import_module

    def without_sionna(name, *args, **kwargs):
        if name.startswith("sionna"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", without_sionna)
    phy.sionna_module.cache_clear()
    _blocks.cache_clear()  # blocks built by earlier tests would hide the missing package
    try:
        with pytest.raises(phy.PhyUnavailableError, match=r"semcom\[phy\]"):
            transmit_symbols(unit_symbols(1, 100), 10.0, "mimo:corr=0.5", gens(1))
        result = in_process("transmit", photo, "--snr-db", "10", "--channel", "ofdm", "--out", tmp_path / "r.png")
        assert_one_line_error(result, "pip install")
    finally:
        monkeypatch.undo()
        phy.sionna_module.cache_clear()
        _blocks.cache_clear()
