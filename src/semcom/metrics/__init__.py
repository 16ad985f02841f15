"""Image quality metrics behind one registry."""

from semcom.metrics.fidelity import MS_SSIM_MIN_SIDE, ms_ssim, psnr, quantize_8bit, ssim
from semcom.metrics.information import VIF_MIN_SIDE, vif
from semcom.metrics.perceptual import LPIPS_MIN_SIDE, lpips
from semcom.metrics.registry import Metric, compute_metrics, get_metric, list_metrics, register_metric
from semcom.metrics.semantic import clip_score

#: Metrics every sweep computes.
DEFAULT_METRICS = ("psnr", "ssim", "ms_ssim")

__all__ = [
    "DEFAULT_METRICS",
    "LPIPS_MIN_SIDE",
    "MS_SSIM_MIN_SIDE",
    "Metric",
    "clip_score",
    "compute_metrics",
    "get_metric",
    "list_metrics",
    "lpips",
    "ms_ssim",
    "psnr",
    "quantize_8bit",
    "register_metric",
    "ssim",
    "VIF_MIN_SIDE",
    "vif",
]
