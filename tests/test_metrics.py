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


def test_registry_and_optional_metric_message():
    assert {"psnr", "ssim", "ms_ssim"} <= set(list_metrics())
    with pytest.raises(UnknownNameError, match="available: .*psnr"):
        get_metric("nope")
    missing = Metric("fake-lpips", lambda a, b: torch.zeros(a.shape[0]), availability=lambda: "weights not found at X")
    with pytest.raises(MetricUnavailableError, match="fake-lpips.*weights not found at X"):
        missing(torch.zeros(1, 3, 16, 16), torch.zeros(1, 3, 16, 16))
    out = compute_metrics(torch.zeros(2, 3, 16, 16), torch.ones(2, 3, 16, 16), ["psnr", "ssim"])
    assert out["psnr"].shape == (2,) and torch.all(out["psnr"] == 0)
