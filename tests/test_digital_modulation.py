"""Gray QAM mapping and exact LLR demapping (semcom.digital.modulation)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from scipy.special import logsumexp

from semcom.digital.modulation import QAM

ORDERS = (2, 4, 6)


def brute_force_llr(y: np.ndarray, noise_var: np.ndarray, qam: QAM) -> np.ndarray:
    """Exact LLRs by log-sum-exp over the whole 2-D constellation, float64, ``[N, m]``."""
    pts = qam.points.numpy().astype(np.complex128)
    labels = qam.bit_labels
    metric = -np.abs(y[:, None] - pts[None, :]) ** 2 / noise_var[:, None]
    cols = []
    for j in range(qam.bits_per_symbol):
        zero = logsumexp(np.where(labels[:, j] == 0, metric, -np.inf), axis=1)
        one = logsumexp(np.where(labels[:, j] == 1, metric, -np.inf), axis=1)
        cols.append(zero - one)
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("m", ORDERS)
def test_square_unit_energy_constellation(m):
    qam = QAM(m)
    pts = qam.points.numpy().astype(np.complex128)
    assert qam.points.dtype == torch.complex64 and pts.shape == (2**m,)
    assert np.mean(np.abs(pts) ** 2) == pytest.approx(1.0, abs=1e-6)
    assert len(np.unique(np.round(pts, 5))) == 2**m
    side = 2 ** (m // 2)
    assert len(np.unique(np.round(pts.real, 5))) == side and len(np.unique(np.round(pts.imag, 5))) == side
    assert np.allclose(np.sort(np.unique(np.round(pts.real, 6))), np.round(qam.levels, 6))


@pytest.mark.parametrize("m", ORDERS)
def test_gray_neighbours_differ_in_one_bit(m):
    qam = QAM(m)
    pts = qam.points.numpy().astype(np.complex128)
    labels = qam.bit_labels
    spacing = qam.levels[1] - qam.levels[0]
    pairs = 0
    for a, b in itertools.combinations(range(2**m), 2):
        if abs(abs(pts[a] - pts[b]) - spacing) < 1e-6:  # horizontal or vertical neighbours
            assert np.sum(labels[a] != labels[b]) == 1, (labels[a], labels[b])
            pairs += 1
    side = 2 ** (m // 2)
    assert pairs == 2 * side * (side - 1)


def test_qpsk_labels_and_closed_form_llr():
    qam = QAM(2)
    d = 1 / np.sqrt(2)
    out = qam.modulate(np.array([0, 0, 0, 1, 1, 0, 1, 1], dtype=np.uint8))
    assert np.allclose(out, np.array([-d - 1j * d, -d + 1j * d, d - 1j * d, d + 1j * d]), atol=1e-6)
    # For QPSK the exact LLR is linear: LLR(b_I) = -4 d Re(y) / sigma², LLR(b_Q) = -4 d Im(y) / sigma².
    y = np.array([0.3 - 0.1j, -1.2 + 0.5j], dtype=np.complex64)
    nv = np.array([0.5, 0.1], dtype=np.float32)
    llr = qam.demap(y, nv).reshape(2, 2)
    expected = np.stack([-4 * d * y.real / nv, -4 * d * y.imag / nv], axis=1)
    assert np.allclose(llr, expected, rtol=1e-5)


@pytest.mark.parametrize("m", ORDERS)
def test_llr_matches_brute_force_2d_sum(m):
    qam = QAM(m)
    rng = np.random.default_rng(m)
    y = (rng.normal(size=40) + 1j * rng.normal(size=40)) * 0.8
    nv = rng.uniform(0.02, 2.0, size=40)
    llr = qam.demap(y.astype(np.complex64), nv.astype(np.float32))
    assert llr.dtype == np.float32 and llr.shape == (40 * m,)
    ref = brute_force_llr(y.astype(np.complex64).astype(np.complex128), nv.astype(np.float32), qam).ravel()
    assert np.allclose(llr, ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("m", ORDERS)
def test_llr_sign_and_magnitude(m):
    qam = QAM(m)
    bits = qam.bit_labels.reshape(-1)  # every point once
    s = qam.modulate(bits)
    expected_sign = 1 - 2 * bits.astype(np.float32)  # bit 0 -> positive
    llr = {nv: qam.demap(s, nv) for nv in (0.01, 0.1)}
    assert np.all(np.sign(llr[0.01]) == expected_sign) and np.all(np.sign(llr[0.1]) == expected_sign)
    assert np.all(np.abs(llr[0.01]) > np.abs(llr[0.1]))  # more confident at higher SNR
    # High-SNR asymptote (max-log): |LLR| -> (distance² to the nearest point with the other bit) / sigma²
    pts, labels = qam.points.numpy().astype(np.complex128), qam.bit_labels
    d2 = np.abs(pts[:, None] - pts[None, :]) ** 2
    maxlog = np.array([[d2[a][labels[:, j] != labels[a, j]].min() for j in range(m)] for a in range(2**m)])
    assert np.allclose(np.abs(llr[0.01]).reshape(-1, m), maxlog / 0.01, rtol=2e-3)


@pytest.mark.parametrize("m", ORDERS)
def test_hard_decisions_invert_modulate_at_high_snr(m):
    qam = QAM(m)
    gen = torch.Generator().manual_seed(0)
    bits = torch.randint(0, 2, (3, 240 * m), generator=gen, dtype=torch.uint8)
    s = qam.modulate(bits)
    assert s.dtype == torch.complex64 and s.shape == (3, 240)
    noise_var = 10 ** (-30 / 10)
    noise = torch.randn(s.shape, generator=gen, dtype=torch.complex64) * noise_var**0.5  # E|n|² = sigma²
    llr = qam.demap(s + noise, noise_var)
    assert isinstance(llr, torch.Tensor) and llr.shape == bits.shape and llr.dtype == torch.float32
    assert torch.equal((llr < 0).to(torch.uint8), bits)
    assert torch.equal(qam.hard_decision(s + noise), bits)
    big = (s + noise * 10).numpy()  # noisier: the slicer still equals a minimum-distance search
    pts = qam.points.numpy()
    nearest = np.abs(big[..., None] - pts).argmin(-1)
    assert np.array_equal(qam.hard_decision(big), qam.bit_labels[nearest].reshape(3, -1))


def test_random_bits_have_unit_mean_power():
    qam = QAM(6)
    bits = np.random.default_rng(0).integers(0, 2, 6 * 100_000, dtype=np.uint8)
    assert np.mean(np.abs(qam.modulate(bits)) ** 2) == pytest.approx(1.0, rel=0.02)


def test_demap_per_symbol_noise_and_chunking_agree():
    qam = QAM(4)
    rng = np.random.default_rng(1)
    y = (rng.normal(size=(2, 50)) + 1j * rng.normal(size=(2, 50))).astype(np.complex64)
    nv = rng.uniform(0.1, 1.0, size=(2, 50)).astype(np.float32)
    full = qam.demap(y, nv)
    assert full.shape == (2, 200)
    assert np.allclose(full, qam.demap(y, nv, chunk=7))
    assert np.allclose(full[1], qam.demap(y[1], nv[1]))
    assert np.allclose(qam.demap(y, 0.3), qam.demap(y, np.full((2, 50), 0.3, np.float32)))


def test_invalid_inputs():
    with pytest.raises(ValueError):
        QAM(3)
    with pytest.raises(ValueError):
        QAM(4).modulate(np.zeros(6, dtype=np.uint8))
    with pytest.raises(ValueError):
        QAM(2).modulate(np.array([0, 2], dtype=np.uint8))
    with pytest.raises(ValueError):
        QAM(2).demap(np.zeros(3, np.complex64), 0.0)
