"""PSNR, SSIM and MS-SSIM as DESIGN.md §2 defines them.

Both images are rounded to 8 bits first (the reconstruction is what a user would save); PSNR has peak
1.0; SSIM and MS-SSIM use pytorch-msssim with a Gaussian window of 11 and sigma 1.5, data_range 1, on RGB,
in float32 (4× faster than float64 on CPU and within 1e-6 of it; the tests compare with scikit-image).
On the CPU both go in channels-last layout (``benchmarks/metric_speed.py``).
"""

from __future__ import annotations

import math

import torch
from pytorch_msssim import ms_ssim as _ms_ssim
from pytorch_msssim import ssim as _ssim

from semcom.device import cpu_channels_last
from semcom.metrics.registry import register_metric

WINDOW = 11
SIGMA = 1.5
#: MS-SSIM downsamples 4 times and needs the window to fit at the coarsest scale.
MS_SSIM_MIN_SIDE = (WINDOW - 1) * 2**4 + 1


def quantize_8bit(x: torch.Tensor) -> torch.Tensor:
    """Clamp to [0, 1] and round to the 8-bit grid; returns float64 of the same shape."""
    return torch.round(x.detach().double().clamp(0, 1) * 255) / 255


@register_metric("psnr")
def psnr(reference: torch.Tensor, reconstruction: torch.Tensor) -> torch.Tensor:
    """Per-image PSNR in dB, ``float64 [B]``; ``inf`` for identical images (as scikit-image gives), NaN for a
    reconstruction holding a NaN (clamping would otherwise hide it)."""
    broken = torch.isnan(reconstruction).flatten(1).any(dim=1) | torch.isnan(reference).flatten(1).any(dim=1)
    mse = (quantize_8bit(reference) - quantize_8bit(reconstruction)).pow(2).flatten(1).mean(dim=1)
    with torch.no_grad():
        value = torch.where(mse == 0, torch.full_like(mse, math.inf), -10 * torch.log10(mse))
        return torch.where(broken, torch.full_like(mse, math.nan), value)


def _ssim_input(x: torch.Tensor) -> torch.Tensor:
    """8-bit-rounded float32; channels-last on the CPU, where PyTorch's depthwise convolution (SSIM's Gaussian
    window) is several times faster in that layout, with values equal to float32 rounding."""
    return cpu_channels_last(quantize_8bit(x).float())


@register_metric("ssim")
def ssim(reference: torch.Tensor, reconstruction: torch.Tensor) -> torch.Tensor:
    """Per-image SSIM, ``float64 [B]``."""
    return _ssim(
        _ssim_input(reference), _ssim_input(reconstruction),
        data_range=1.0, size_average=False, win_size=WINDOW, win_sigma=SIGMA,
    ).double()


@register_metric("ms_ssim")
def ms_ssim(reference: torch.Tensor, reconstruction: torch.Tensor) -> torch.Tensor:
    """Per-image MS-SSIM, ``float64 [B]``; NaN for images with a side below :data:`MS_SSIM_MIN_SIDE`."""
    if min(reference.shape[-2:]) < MS_SSIM_MIN_SIDE:
        return torch.full((reference.shape[0],), math.nan, dtype=torch.float64)
    return _ms_ssim(
        _ssim_input(reference), _ssim_input(reconstruction),
        data_range=1.0, size_average=False, win_size=WINDOW, win_sigma=SIGMA,
    ).double()
