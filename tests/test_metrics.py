"""Metrics agree with scikit-image's reference implementations (DESIGN.md §2)."""

import math

import numpy as np
import pytest
import torch
from skimage import data as skdata
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from semcom.errors import MetricUnavailableError, UnknownNameError
from semcom.metrics import compute_metrics, get_metric, list_metrics, ms_ssim, psnr, quantize_8bit, ssim
from semcom.metrics.registry import Metric


def as_tensor(array):
    return torch.from_numpy(np.ascontiguousarray(array)).permute(2, 0, 1).float().div(255)[None]


def pairs():
    g = torch.Generator().manual_seed(0)
    random_ref = torch.rand(2, 3, 64, 80, generator=g)
    yield random_ref, (random_ref + 0.1 * torch.randn(random_ref.shape, generator=g)).clamp(0, 1)
    real = torch.cat([as_tensor(skdata.astronaut()[:400]), as_tensor(skdata.coffee()[:400, :512])])
    for sigma in (0.02, 0.2):
        yield real, (real + sigma * torch.randn(real.shape, generator=g)).clamp(0, 1)
    yield real, torch.nn.functional.avg_pool2d(real, 5, 1, 2)  # blur: structural, not noise-like error


@pytest.mark.parametrize("ref, rec", list(pairs()))
def test_psnr_and_ssim_match_scikit_image(ref, rec):
    ours_psnr, ours_ssim = psnr(ref, rec), ssim(ref, rec)
    for i in range(ref.shape[0]):
        a, b = quantize_8bit(ref[i]).numpy(), quantize_8bit(rec[i]).numpy()
        assert abs(ours_psnr[i].item() - peak_signal_noise_ratio(a, b, data_range=1.0)) < 1e-3
        reference = structural_similarity(
            a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0, channel_axis=0
        )
        assert abs(ours_ssim[i].item() - reference) < 1e-3


def test_psnr_rounds_to_8_bits():
    ref = torch.full((1, 3, 16, 16), 100 / 255)
    assert math.isinf(psnr(ref, ref + 0.4 / 255).item())  # rounds back to the same level
    assert psnr(ref, ref + 1 / 255).item() == pytest.approx(20 * math.log10(255), abs=1e-9)


def test_ms_ssim_properties():
    img = as_tensor(skdata.astronaut())
    assert ms_ssim(img, img).item() == pytest.approx(1.0, abs=1e-6)
    noisy = (img + 0.1 * torch.randn(img.shape, generator=torch.Generator().manual_seed(1))).clamp(0, 1)
    assert 0.5 < ms_ssim(img, noisy).item() < 0.99
    assert math.isnan(ms_ssim(img[..., :100, :100], img[..., :100, :100]).item())


def test_the_cpu_layout_leaves_ssim_and_ms_ssim_as_the_library_computes_them():
    import pytorch_msssim

    img = as_tensor(skdata.astronaut())
    noisy = (img + 0.1 * torch.randn(img.shape, generator=torch.Generator().manual_seed(2))).clamp(0, 1)
    a, b = quantize_8bit(img).float(), quantize_8bit(noisy).float()  # plain NCHW
    options = dict(data_range=1.0, size_average=False, win_size=11, win_sigma=1.5)
    assert ssim(img, noisy).item() == pytest.approx(pytorch_msssim.ssim(a, b, **options).item(), abs=1e-6)
    assert ms_ssim(img, noisy).item() == pytest.approx(pytorch_msssim.ms_ssim(a, b, **options).item(), abs=1e-6)


def test_registry_and_optional_metric_message():
    assert {"psnr", "ssim", "ms_ssim"} <= set(list_metrics())
    with pytest.raises(UnknownNameError, match="available: .*psnr"):
        get_metric("nope")
    missing = Metric("fake-lpips", lambda a, b: torch.zeros(a.shape[0]), availability=lambda: "weights not found at X")
    with pytest.raises(MetricUnavailableError, match="fake-lpips.*weights not found at X"):
        missing(torch.zeros(1, 3, 16, 16), torch.zeros(1, 3, 16, 16))
    out = compute_metrics(torch.zeros(2, 3, 16, 16), torch.ones(2, 3, 16, 16), ["psnr", "ssim"])
    assert out["psnr"].shape == (2,) and torch.all(out["psnr"] == 0)


def _vif_reference(ref: np.ndarray, dist: np.ndarray, sigma_n_sq: float = 2.0) -> float:
    """Pixel-domain VIF written from Sheikh & Bovik (2006): four scales, Gaussian windows of N = 2^(5-s)+1
    pixels (sigma N/5), 'valid' filtering, subsampling by 2 between scales."""
    from scipy.signal import convolve2d

    num = den = 0.0
    for scale in range(1, 5):
        n = 2 ** (5 - scale) + 1
        axis = np.arange(n) - (n - 1) / 2
        win = np.exp(-(axis[:, None] ** 2 + axis[None] ** 2) / (2 * (n / 5) ** 2))
        win /= win.sum()
        if scale > 1:
            ref, dist = (convolve2d(x, win, mode="valid")[::2, ::2] for x in (ref, dist))
        mu1, mu2 = convolve2d(ref, win, mode="valid"), convolve2d(dist, win, mode="valid")
        s1 = np.maximum(convolve2d(ref * ref, win, mode="valid") - mu1**2, 0)
        s2 = np.maximum(convolve2d(dist * dist, win, mode="valid") - mu2**2, 0)
        s12 = convolve2d(ref * dist, win, mode="valid") - mu1 * mu2
        g = s12 / (s1 + 1e-10)
        sv = s2 - g * s12
        g = np.where(s1 < 1e-10, 0, g)
        sv = np.where(s1 < 1e-10, s2, sv)
        s1 = np.where(s1 < 1e-10, 0, s1)
        g = np.where(s2 < 1e-10, 0, g)
        sv = np.where(s2 < 1e-10, 0, sv)
        sv = np.where(g < 0, s2, sv)
        g = np.maximum(g, 0)
        sv = np.maximum(sv, 1e-10)
        num += np.log10(1 + g**2 * s1 / (sv + sigma_n_sq)).sum()
        den += np.log10(1 + s1 / sigma_n_sq).sum()
    return num / den


def test_vif_matches_the_published_definition_on_8bit_luma():
    """Issue 27: VIF-P (no learned weights) on 8-bit luma in [0, 255], against a reference written from the
    paper; 1 for identical images, falling as noise grows, NaN below the smallest window."""
    from semcom.metrics import vif
    from semcom.metrics.information import luma_8bit

    gen = torch.Generator().manual_seed(3)
    ref = torch.rand(1, 3, 96, 128, generator=gen).cumsum(-1) / 64 % 1  # structure, not white noise
    scores = []
    for level in (0.02, 0.08, 0.2):
        noisy = (ref + level * torch.randn(ref.shape, generator=gen)).clamp(0, 1)
        ours = float(vif(ref, noisy)[0])
        expected = _vif_reference(luma_8bit(ref)[0, 0].double().numpy(), luma_8bit(noisy)[0, 0].double().numpy())
        assert ours == pytest.approx(expected, rel=2e-3), level
        scores.append(ours)
    assert scores[0] > scores[1] > scores[2] > 0
    assert float(vif(ref, ref)[0]) == pytest.approx(1.0, abs=1e-6)
    assert math.isnan(float(vif(ref[..., :40, :40], ref[..., :40, :40])[0]))
