"""VIF-P, pixel-domain visual information fidelity (Sheikh & Bovik, 2006): a full-reference perceptual
metric with no learned weights, so every sweep can report it without a download.

The computation is torchmetrics' ``visual_information_fidelity``. It is defined on 8-bit luminance with a
visual-noise variance of 2 (in 8-bit units²), so both images are rounded to 8 bits, converted to BT.601
luma and scaled to [0, 255] first: fed [0, 1] RGB directly, the noise variance would swamp the signal and
every image would score near 1. 1 means the reconstruction keeps all the reference's information; a
contrast-enhanced image can score above 1.
"""

from __future__ import annotations

import math

import torch

from semcom.metrics.fidelity import quantize_8bit
from semcom.metrics.registry import register_metric

#: The Gaussian windows of VIF-P's finest scale need images at least this many pixels on each side.
VIF_MIN_SIDE = 41
LUMA = (0.299, 0.587, 0.114)


def luma_8bit(images: torch.Tensor) -> torch.Tensor:
    """``float32 [B, 1, H, W]`` BT.601 luma of 8-bit-rounded ``[B, 3, H, W]`` RGB in [0, 1], scaled to [0, 255]."""
    weights = torch.tensor(LUMA, dtype=torch.float64, device=images.device).reshape(1, 3, 1, 1)
    return (quantize_8bit(images) * weights).sum(dim=1, keepdim=True).mul(255).float()


def _available() -> str | None:
    try:
        import torchmetrics.functional.image  # noqa: F401
    except ImportError:
        return "pip install torchmetrics (a semcom dependency)"
    return None


@register_metric("vif", availability=_available)
def vif(reference: torch.Tensor, reconstruction: torch.Tensor) -> torch.Tensor:
    """Per-image VIF-P on luma, ``float64 [B]``; NaN for images with a side below :data:`VIF_MIN_SIDE` or a
    reconstruction holding a NaN."""
    from torchmetrics.functional.image import visual_information_fidelity

    batch = reference.shape[0]
    if min(reference.shape[-2:]) < VIF_MIN_SIDE:
        return torch.full((batch,), math.nan, dtype=torch.float64)
    broken = torch.isnan(reconstruction).flatten(1).any(dim=1).cpu()
    with torch.no_grad():
        value = visual_information_fidelity(luma_8bit(reconstruction), luma_8bit(reference), reduction="none")
    value = value.double().cpu()
    return torch.where(broken, torch.full_like(value, math.nan), value)
