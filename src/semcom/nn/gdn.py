"""Generalized divisive normalization (Ballé, Laparra, Simoncelli, ICLR 2016 / 2017).

``GDN``:  y_i = x_i / sqrt(beta_i + sum_j gamma_ij x_j²)
``IGDN``: y_i = x_i · sqrt(beta_i + sum_j gamma_ij x_j²)

beta and gamma must stay non-negative (beta > 0). They are stored reparameterized as in Ballé et al.:
a parameter p maps to ``lower_bound(p, sqrt(floor + pedestal))² - pedestal``, which keeps the value above
``floor`` and gives well-scaled gradients near zero. The bound passes gradients through when they push
the parameter back above it, so parameters stuck at the bound can recover.
"""

from __future__ import annotations

import torch
from torch import nn

PEDESTAL = 2.0**-18


class _LowerBound(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, bound):
        ctx.save_for_backward(x, bound)
        return torch.maximum(x, bound)

    @staticmethod
    def backward(ctx, grad):
        x, bound = ctx.saved_tensors
        # pass the gradient where x is above the bound, or where descent would move x upwards
        passes = (x >= bound) | (grad < 0)
        return grad * passes.to(grad.dtype), None


class NonNegativeParameter(nn.Module):
    """A tensor parameter kept ``>= floor`` by the squared-and-bounded reparameterization."""

    def __init__(self, initial: torch.Tensor, floor: float = 0.0):
        super().__init__()
        self.register_buffer("bound", torch.tensor((floor + PEDESTAL) ** 0.5))
        self.raw = nn.Parameter(torch.sqrt(torch.clamp(initial, min=floor) + PEDESTAL))

    def forward(self) -> torch.Tensor:
        return _LowerBound.apply(self.raw, self.bound.to(self.raw.dtype)) ** 2 - PEDESTAL


class GDN(nn.Module):
    """GDN over the channel dimension of ``[B, C, H, W]`` tensors (``inverse=True`` gives IGDN)."""

    def __init__(self, channels: int, inverse: bool = False, beta_min: float = 1e-6, gamma_init: float = 0.1):
        super().__init__()
        self.inverse = inverse
        self.beta = NonNegativeParameter(torch.ones(channels), floor=beta_min)
        self.gamma = NonNegativeParameter(gamma_init * torch.eye(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        channels = x.shape[1]
        gamma = self.gamma().reshape(channels, channels, 1, 1)
        norm = torch.nn.functional.conv2d(x * x, gamma.to(x.dtype), self.beta().to(x.dtype))
        return x * torch.sqrt(norm) if self.inverse else x * torch.rsqrt(norm)


def IGDN(channels: int, **kwargs) -> GDN:  # noqa: N802 (reads as a layer name)
    """Inverse GDN, the decoder-side counterpart of :class:`GDN`."""
    return GDN(channels, inverse=True, **kwargs)
