"""LPIPS, the learned perceptual distance of Zhang, Isola, Efros, Shechtman and Wang, "The Unreasonable
Effectiveness of Deep Features as a Perceptual Metric" (CVPR 2018), VGG-16 variant ("lin", version 0.1).

For images ``x`` and ``x0`` the paper's eq. 1 is

    d(x, x0) = Σ_l 1/(H_l W_l) Σ_{h,w} Σ_c w_lc (ŷ^l_hwc − ŷ^l_0hwc)²

with ``ŷ^l`` the VGG-16 activations at tap ``l`` (relu1_2, relu2_2, relu3_3, relu4_3, relu5_3) unit-normalized
over channels, and ``w_l ≥ 0`` the learned per-channel weights (1×1 convolutions without bias, the "lin"
layers). The paper writes the weight inside the norm, ``‖w_l ⊙ Δ‖²``; the released weights are used as above,
on the squared difference. Inputs in [0, 1] are mapped to [-1, 1] and then shifted and scaled per channel
(:class:`LPIPSScaling`).

The weights are ONE safetensors file named by ``$SEMCOM_LPIPS`` (made by ``scripts/convert_lpips_weights.py``
from torchvision's ``vgg16`` weights and the lpips package's ``vgg.pth``). Its tensors, all float32:

- ``vgg.conv{b}_{i}.weight`` ``[C_out, C_in, 3, 3]`` and ``vgg.conv{b}_{i}.bias`` ``[C_out]``, the 13
  convolutions conv1_1 … conv5_3 of VGG-16 (widths 64, 128, 256, 512, 512 per block);
- ``lin.relu{b}_{n}.weight`` ``[1, C, 1, 1]``, one non-negative weight per channel of each tap.

The four max-pools halve each side, so images need at least :data:`LPIPS_MIN_SIDE` px per side; smaller ones
score NaN (as MS-SSIM does).
"""

from __future__ import annotations

import functools
import math
import os
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from semcom.metrics.fidelity import quantize_8bit
from semcom.metrics.registry import register_metric
from semcom.zoo.pretrained import WeightsError

LPIPS_ENV = "SEMCOM_LPIPS"
#: Channel widths of VGG-16's five blocks and how many 3×3 convolutions each has.
VGG16_BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
#: Names of the 13 convolutions, in order: conv1_1, conv1_2, conv2_1, …, conv5_3.
VGG16_CONVS = tuple(f"conv{b}_{i}" for b, (_, n) in enumerate(VGG16_BLOCKS, 1) for i in range(1, n + 1))
#: The taps ``l`` of eq. 1: the last ReLU of each block.
LPIPS_TAPS = tuple(f"relu{b}_{n}" for b, (_, n) in enumerate(VGG16_BLOCKS, 1))
#: Smallest image side: relu5_3 is at 1/16 of the input after four 2×2 max-pools.
LPIPS_MIN_SIDE = 2 ** (len(VGG16_BLOCKS) - 1)
LPIPS_SHIFT = (-0.030, -0.088, -0.188)
LPIPS_SCALE = (0.458, 0.448, 0.450)
NORM_EPS = 1e-10


class LPIPSScaling(nn.Module):
    """``float32 [B, 3, H, W]`` in [0, 1] → ``2x − 1`` shifted and scaled per channel, same shape."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("shift", torch.tensor(LPIPS_SHIFT).reshape(1, 3, 1, 1), persistent=False)
        self.register_buffer("scale", torch.tensor(LPIPS_SCALE).reshape(1, 3, 1, 1), persistent=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return (2 * images - 1 - self.shift) / self.scale


class VGG16Features(nn.Module):
    """The feature network ``F`` of the paper: VGG-16's 13 conv3×3 + ReLU layers and the 4 max-pools between
    its blocks (the fifth pool is not needed). ``forward`` returns the five taps ŷ^l (not yet normalized):
    ``float32 [B, C_l, H / 2^(l-1), W / 2^(l-1)]`` (sides rounded down), C_l = 64, 128, 256, 512, 512."""

    def __init__(self) -> None:
        super().__init__()
        c_in = 3
        for b, (c_out, n) in enumerate(VGG16_BLOCKS, 1):
            for i in range(1, n + 1):
                self.add_module(f"conv{b}_{i}", nn.Conv2d(c_in, c_out, kernel_size=3, padding=1))
                c_in = c_out

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        taps = []
        for b, (_, n) in enumerate(VGG16_BLOCKS, 1):
            if b > 1:
                x = F.max_pool2d(x, kernel_size=2, stride=2)
            for i in range(1, n + 1):
                x = F.relu(getattr(self, f"conv{b}_{i}")(x))
            taps.append(x)
        return taps


def unit_normalize(features: torch.Tensor) -> torch.Tensor:
    """``[B, C, h, w]`` divided by its L2 norm over channels at each position (plus 1e-10), same shape."""
    return features / (features.pow(2).sum(dim=1, keepdim=True).sqrt() + NORM_EPS)


def tap_distance(features: torch.Tensor, features0: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """One term of eq. 1: ``[B, C, h, w]`` activations of both images and the lin weight ``[1, C, 1, 1]`` →
    the spatial mean of ``Σ_c w_c (ŷ_c − ŷ0_c)²``, ``[B]`` in the dtype of the inputs."""
    squared = (unit_normalize(features) - unit_normalize(features0)).pow(2)
    return F.conv2d(squared, weight).mean(dim=(1, 2, 3))


class LPIPS(nn.Module):
    """The distance of eq. 1: ``forward(x, x0)`` with ``float32 [B, 3, H, W]`` in [0, 1] → ``float32 [B]``,
    0 for identical images and ≥ 0 otherwise (unitless). The state dict keys are those of the weights file."""

    def __init__(self) -> None:
        super().__init__()
        self.scaling = LPIPSScaling()
        self.vgg = VGG16Features()
        widths = [c for c, _ in VGG16_BLOCKS]
        self.lin = nn.ModuleDict({tap: nn.Conv2d(c, 1, kernel_size=1, bias=False) for tap, c in zip(LPIPS_TAPS, widths)})

    def forward(self, x: torch.Tensor, x0: torch.Tensor) -> torch.Tensor:
        taps, taps0 = self.vgg(self.scaling(x)), self.vgg(self.scaling(x0))
        return sum(tap_distance(y, y0, self.lin[name].weight) for name, y, y0 in zip(LPIPS_TAPS, taps, taps0))


def load_lpips(path: str | Path) -> LPIPS:
    """Build :class:`LPIPS` from a weights file; :class:`WeightsError` names what is wrong with the file."""
    try:
        tensors = load_file(str(path))
    except (FileNotFoundError, SafetensorError, OSError) as exc:
        raise WeightsError(f"{path}: cannot read LPIPS weights ({exc})") from None
    model = LPIPS()
    expected = model.state_dict()
    missing = [k for k in expected if k not in tensors]
    if missing:
        raise WeightsError(f"{path}: LPIPS weights lack {', '.join(missing)}")
    unexpected = sorted(set(tensors) - set(expected))
    if unexpected:
        raise WeightsError(f"{path}: LPIPS weights have unexpected tensors {', '.join(unexpected)}")
    for key, value in expected.items():
        if tensors[key].shape != value.shape:
            raise WeightsError(f"{path}: {key} has shape {list(tensors[key].shape)}, expected {list(value.shape)}")
    negative = [k for k in expected if k.startswith("lin.") and bool((tensors[k] < 0).any())]
    if negative:
        raise WeightsError(f"{path}: LPIPS lin weights must be non-negative ({', '.join(negative)})")
    model.load_state_dict({k: v.float() for k, v in tensors.items()})
    return model.eval().requires_grad_(False)


@functools.lru_cache(maxsize=2)
def _cached_lpips(path: str, mtime_ns: int) -> LPIPS:
    return load_lpips(path)


def lpips_availability() -> str | None:
    path = os.environ.get(LPIPS_ENV)
    if not path:
        return f"set ${LPIPS_ENV} to an LPIPS VGG-16 .safetensors file (made by scripts/convert_lpips_weights.py)"
    if not Path(path).is_file():
        return f"${LPIPS_ENV} is {path}, which is not a file"
    return None


@register_metric("lpips", higher_is_better=False, availability=lpips_availability)
def lpips(reference: torch.Tensor, reconstruction: torch.Tensor) -> torch.Tensor:
    """Per-image LPIPS (VGG, lin), ``float64 [B]``, ≥ 0, lower is closer; NaN for images with a side below
    :data:`LPIPS_MIN_SIDE`."""
    if min(reference.shape[-2:]) < LPIPS_MIN_SIDE:
        return torch.full((reference.shape[0],), math.nan, dtype=torch.float64)
    path = os.environ[LPIPS_ENV]
    model = _cached_lpips(path, Path(path).stat().st_mtime_ns)
    with torch.no_grad():
        return model(quantize_8bit(reference).float(), quantize_8bit(reconstruction).float()).double()
