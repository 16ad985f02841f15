"""Each receiver front-end block alone (channels/frontend.py), with statistical checks on about 1e6 symbols.

Tolerances: a mean of N = 1e6 unit-variance draws has standard error 1e-3, so relative errors of 1% are more
than 5 standard errors for the second-moment statistics below (their relative standard error is about
sqrt(2/N) to sqrt(8/N), at most 0.3%)."""

from __future__ import annotations

import pytest
import torch

from semcom.channels import (
    BlindSNR,
    ChannelSpec,
    FrameLayout,
    FrontEnd,
    KnownSNR,
    LSEstimator,
    MMSEEqualizer,
    PerfectCSI,
    PilotSNR,
    Received,
    RayleighFading,
    ZFEqualizer,
    build_frame,
    complex_noise,
    receiver_input,
    split_frame,
)

N = 1_000_000


def rayleigh_link(noise_var: float, coherence, seed: int = 0, num_pilots: int = 0):
    """Unit-power QPSK-like symbols through Rayleigh fading: ``(s, Received)``."""
    gen = torch.Generator().manual_seed(seed)
    s = torch.polar(torch.ones(1, N), torch.rand(1, N, generator=gen) * 6.283)
    layout = FrameLayout(N, coherence - num_pilots, num_pilots) if num_pilots else None
    frame = build_frame(s, layout) if layout else s
    h = RayleighFading(coherence).generate(1, frame.shape[1], gen)
    y = h * frame + complex_noise(tuple(frame.shape), torch.tensor([[noise_var]]), gen)
    if layout is None:
        return s, Received(y, h)
    (y_p, y_d), (h_p, h_d) = split_frame(y, layout), split_frame(h, layout)
    return s, Received(y_d, h_d, y_p, h_p, layout)


def test_perfect_csi_is_the_true_channel():
    s, rx = rayleigh_link(0.1, 100, num_pilots=4)
    csi = PerfectCSI()(rx)
    assert torch.equal(csi.h_data, rx.h_data) and csi.error_factor == 0
    assert torch.equal(csi.h_blocks, rx.h_pilots[..., 0])


def test_ls_estimate_error_has_variance_sigma2_over_pilots():
    noise_var, pilots = 0.2, 4
    s, rx = rayleigh_link(noise_var, 10, num_pilots=pilots)
    csi = LSEstimator(pilots)(rx)
    error = (csi.h_blocks - rx.h_pilots[..., 0]).abs().pow(2).mean()
    assert float(error) == pytest.approx(noise_var / pilots, rel=0.02)  # N/10 blocks here
    assert csi.error_factor == pytest.approx(1 / pilots)
    assert csi.h_data.shape == rx.y_data.shape


@pytest.mark.parametrize("fitted", [True, False])
def test_pilot_snr_estimate_is_unbiased(fitted):
    noise_var, pilots = 0.05, 8
    s, rx = rayleigh_link(noise_var, 40, num_pilots=pilots)
    csi = LSEstimator(pilots)(rx) if fitted else PerfectCSI()(rx)
    estimate = PilotSNR(pilots, fitted=fitted)(rx, csi, torch.tensor([noise_var]))
    assert float(estimate) == pytest.approx(noise_var, rel=0.01)


def test_blind_and_known_snr():
    noise_var = 0.5
    s, rx = rayleigh_link(noise_var, "image")
    csi = PerfectCSI()(rx)
    assert float(BlindSNR(fading=True)(rx, csi, None)) == pytest.approx(noise_var, rel=0.01)
    assert float(KnownSNR()(rx, csi, torch.tensor([noise_var]))) == noise_var


def test_equalizers_alone():
    noise_var = 0.3
    s, rx = rayleigh_link(noise_var, "fast")
    zf = ZFEqualizer()(rx.y_data, rx.h_data, torch.tensor([[noise_var]]))
    assert torch.allclose(zf.symbols, rx.y_data / rx.h_data) and bool((zf.scale == 1).all())
    mmse = MMSEEqualizer()(rx.y_data, rx.h_data, torch.tensor([[noise_var]]))
    gain = rx.h_data.abs().pow(2)
    assert torch.allclose(mmse.scale, gain / (gain + noise_var))
    # the MMSE model symbols = scale·s + e predicts the measured error, and it is below ZF's
    measured = (mmse.symbols - s).abs().pow(2).mean()
    assert float(measured) == pytest.approx(float(mmse.mse.mean()), rel=0.01)
    assert measured < (zf.symbols - s).abs().pow(2).median() * 10  # ZF's mean is dominated by deep fades


def test_receiver_input_reports_its_actual_error():
    """mmse-pooled: the reported variance is the measured mean |x - s|² of the symbols given (1e6 symbols);
    zf-median: the median of sigma²/|h|²; one fade per image: the exact sigma²_eff."""
    noise_var = 0.1
    s, rx = rayleigh_link(noise_var, "fast")
    mmse = receiver_input(MMSEEqualizer()(rx.y_data, rx.h_data, torch.tensor([[noise_var]])), "mmse")
    assert mmse.rule == "mmse-pooled"
    assert float(mmse.noise_var) == pytest.approx(float((mmse.symbols - s).abs().pow(2).mean()), rel=0.01)
    zf = receiver_input(ZFEqualizer()(rx.y_data, rx.h_data, torch.tensor([[noise_var]])), "zf")
    assert zf.rule == "zf-median"
    assert float(zf.noise_var) == pytest.approx(float((noise_var / rx.h_data.abs().pow(2)).median()), rel=1e-4)
    s, rx = rayleigh_link(noise_var, "image")
    uniform = receiver_input(MMSEEqualizer()(rx.y_data, rx.h_data, torch.tensor([[noise_var]])), "mmse")
    assert uniform.rule == "uniform"
    assert float(uniform.noise_var) == pytest.approx(noise_var / float(rx.h_data[0, 0].abs() ** 2), rel=1e-5)


def test_front_end_composes_the_blocks_the_spec_names():
    cases = {
        "awgn": (PerfectCSI, KnownSNR, ZFEqualizer),
        "awgn:snr=blind": (PerfectCSI, BlindSNR, ZFEqualizer),
        "rayleigh:csi=ls,eq=zf,snr=pilot": (LSEstimator, PilotSNR, ZFEqualizer),
        "rayleigh:coherence=fast,eq=mmse": (PerfectCSI, KnownSNR, MMSEEqualizer),
    }
    for text, kinds in cases.items():
        front = FrontEnd.from_spec(ChannelSpec.parse(text))
        assert tuple(type(b) for b in (front.estimator, front.snr_estimator, front.equalizer)) == kinds
