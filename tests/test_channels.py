"""Statistical and exact checks of the channel conventions of DESIGN.md §2."""

import math
from fractions import Fraction

import pytest
import torch
from scipy import stats

from semcom.channels import (
    AWGNChannel,
    ChannelSpec,
    ChannelSpecError,
    FrameLayout,
    RayleighFading,
    bandwidth_ratio,
    build_frame,
    complex_to_real,
    equalize,
    estimate_snr_blind,
    estimate_snr_from_pilots,
    ls_estimate,
    mean_power,
    noise_var_to_snr_db,
    normalize_power,
    num_channel_uses,
    pilot_sequence,
    real_to_complex,
    snr_db_to_noise_var,
    split_frame,
    transmit_symbols,
)
from semcom.errors import InvalidSNRError

N_STAT = 1_000_000  # symbols for statistical tests


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def unit_symbols(batch, k, seed=1):
    return normalize_power(torch.randn(batch, k, dtype=torch.complex64, generator=gen(seed))).symbols


@pytest.mark.parametrize("snr_db", [-5.0, 10.0, 25.0])
def test_awgn_noise_variance_matches_snr(snr_db):
    s = torch.zeros(4, N_STAT // 4, dtype=torch.complex64)
    n = AWGNChannel()(s, snr_db, gen())
    expected = 10 ** (-snr_db / 10)
    assert abs(n.abs().pow(2).mean().item() / expected - 1) < 0.01
    # each real dimension carries half of it
    assert abs(n.real.pow(2).mean().item() / (expected / 2) - 1) < 0.01
    assert abs(n.imag.pow(2).mean().item() / (expected / 2) - 1) < 0.01
    assert abs((n.real * n.imag).mean().item()) < 0.01 * expected


def test_awgn_per_image_snr_and_determinism():
    s = torch.zeros(2, 500_000, dtype=torch.complex64)
    y = AWGNChannel()(s, torch.tensor([0.0, 20.0]), gen(3))
    powers = y.abs().pow(2).mean(dim=1)
    assert abs(powers[0].item() - 1.0) < 0.01 and abs(powers[1].item() / 0.01 - 1) < 0.01
    assert torch.equal(y, AWGNChannel()(s, torch.tensor([0.0, 20.0]), gen(3)))
    assert not torch.equal(y, AWGNChannel()(s, torch.tensor([0.0, 20.0]), gen(4)))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "ten"])
def test_bad_snr_raises(bad):
    with pytest.raises(InvalidSNRError):
        AWGNChannel()(torch.zeros(1, 4, dtype=torch.complex64), bad)
    with pytest.raises(InvalidSNRError):
        snr_db_to_noise_var(bad)


def test_snr_conversion_round_trip():
    snr = torch.tensor([-5.0, 0.0, 13.3, 30.0])
    var = snr_db_to_noise_var(snr)
    assert torch.allclose(var, 10 ** (-snr / 10))
    assert torch.allclose(noise_var_to_snr_db(var), snr, atol=1e-5)
    with pytest.raises(InvalidSNRError):
        noise_var_to_snr_db(torch.tensor(0.0))


def test_power_normalization_is_exact_per_image():
    z = torch.randn(5, 30_001, dtype=torch.complex64, generator=gen()) * torch.tensor([1e-3, 1, 7, 100, 1e4])[:, None]
    out = normalize_power(z)
    assert torch.allclose(mean_power(out.symbols).double(), torch.ones(5, dtype=torch.float64), atol=1e-5, rtol=0)
    assert torch.allclose(out.symbols * out.gain[:, None], z, rtol=1e-4, atol=1e-6 * z.abs().max().item())


def test_rayleigh_gain_and_phase():
    h = RayleighFading("fast").generate(4, N_STAT // 4, gen())
    assert h.dtype == torch.complex64
    assert abs(h.abs().pow(2).mean().item() - 1) < 0.01
    phase = torch.angle(h).flatten().double().numpy()
    assert stats.kstest(phase, stats.uniform(loc=-math.pi, scale=2 * math.pi).cdf).pvalue > 1e-3
    # |h|² is exponential with mean 1
    assert stats.kstest(h.abs().pow(2).flatten()[:200_000].double().numpy(), "expon").pvalue > 1e-3


@pytest.mark.parametrize("coherence, blocks", [("image", 1), (100, 10), (333, 4)])
def test_rayleigh_block_structure(coherence, blocks):
    h = RayleighFading(coherence).generate(3, 1000, gen())
    distinct = [torch.unique(torch.view_as_real(h[i]), dim=0).shape[0] for i in range(3)]
    assert distinct == [blocks] * 3
    if isinstance(coherence, int):
        assert torch.all(h[:, :coherence] == h[:, :1])


def test_rayleigh_generate_apply_matches_call():
    s = unit_symbols(2, 64)
    y, h = RayleighFading(16)(s, 5.0, gen(9), return_channel=True)
    g = gen(9)
    h2 = RayleighFading(16).generate(2, 64, g)
    assert torch.equal(h, h2)
    assert torch.equal(y, RayleighFading.apply(s, h2, 5.0, g))


def test_packing_accounting():
    assert num_channel_uses(7) == 4 and num_channel_uses(8) == 4
    x = torch.arange(2 * 7, dtype=torch.float32).reshape(2, 7)
    s = real_to_complex(x)
    assert s.shape == (2, 4) and s.dtype == torch.complex64
    assert s[0, 0] == complex(0, 1) and s[0, 3] == complex(6, 0)
    assert torch.equal(complex_to_real(s, (7,)), x)
    # TAEF2 latents of a Kodak image (32 x 64 x 96 reals) → rho = 1/12; 4 latent channels → 1/96
    assert bandwidth_ratio(32 * 64 * 96 // 2, (3, 512, 768)) == Fraction(1, 12)
    assert bandwidth_ratio(4 * 64 * 96 // 2, (1, 3, 512, 768)) == Fraction(1, 96)


def test_ls_estimate_error_variance():
    pilots = pilot_sequence(8)
    h = torch.randn(20_000, 1, dtype=torch.complex64, generator=gen())
    noise_var = 0.1
    y = h * pilots + torch.randn(20_000, 8, dtype=torch.complex64, generator=gen(1)) * noise_var**0.5
    h_hat = ls_estimate(y[:, None, :], pilots)
    err = (h_hat - h).abs().pow(2).mean().item()
    assert abs(err / (noise_var / 8) - 1) < 0.03
    est = estimate_snr_from_pilots(y[:, None, :], pilots, h_hat)
    assert abs(est.noise_var.mean().item() / noise_var - 1) < 0.02


def test_blind_snr_estimate_at_low_snr():
    s = unit_symbols(16, 50_000)
    y = AWGNChannel()(s, 0.0, gen())
    est = estimate_snr_blind(y)
    assert torch.all((est.snr_db - 0.0).abs() < 0.1)


def test_mmse_beats_zf_at_low_snr_and_predicted_mse_matches():
    s = unit_symbols(2_000, 256)
    y, h = RayleighFading("image")(s, 0.0, gen(5), return_channel=True)
    measured = {}
    for method in ("zf", "mmse"):
        eq = equalize(y, h, torch.tensor(1.0), method)
        measured[method] = (eq.symbols - s).abs().pow(2).mean().item()
        if method == "mmse":
            assert abs(measured[method] / eq.mse.mean().item() - 1) < 0.03
            assert torch.allclose(eq.unbiased, y / h, rtol=1e-4, atol=1e-5)
    assert measured["mmse"] < 0.5 * measured["zf"]


def test_frame_round_trip_and_channel_uses():
    layout = FrameLayout(num_data=10, block_len=4, num_pilots=2)
    data = torch.arange(1, 11, dtype=torch.float32).to(torch.complex64)[None]
    frame = build_frame(data, layout)
    assert frame.shape == (1, layout.frame_len) == (1, 16)
    pilots, back = split_frame(frame, layout)
    assert torch.equal(back, data)
    assert torch.equal(pilots[0], pilot_sequence(2).expand(3, 2))


@pytest.mark.parametrize("text", [
    "awgn", "awgn:snr=blind", "awgn:pilots=4,snr=pilot", "rayleigh:coherence=image,csi=perfect,eq=mmse",
    "rayleigh:coherence=64,csi=ls,eq=zf,pilots=4", "rayleigh:coherence=fast,csi=perfect,eq=zf",
])
def test_channel_spec_label_round_trip(text):
    spec = ChannelSpec.parse(text)
    assert spec.label == text
    assert ChannelSpec.parse(spec.label) == spec


@pytest.mark.parametrize("text", ["awgm", "rayleigh:eq=foo", "rayleigh:coherence=fast,csi=ls", "awgn:csi=ls",
                                  "rayleigh:coherence=4,csi=ls,pilots=8", "awgn:snr=pilot,pilots=1", "awgn:bogus=1"])
def test_bad_channel_specs(text):
    with pytest.raises(ChannelSpecError):
        ChannelSpec.parse(text)


@pytest.mark.parametrize("text, extra", [("awgn", 0), ("awgn:snr=pilot", 8), ("rayleigh:coherence=100,csi=ls", 8 * 11)])
def test_link_counts_pilots_and_reports_effective_noise(text, extra):
    s = unit_symbols(512, 1000)
    out = transmit_symbols(s, 10.0, ChannelSpec.parse(text), gen())
    assert out.channel_uses == 1000 + extra
    measured = (out.equalized.symbols - s).abs().pow(2).mean().item()
    assert abs(measured / out.equalized.mse.mean().item() - 1) < 0.05
