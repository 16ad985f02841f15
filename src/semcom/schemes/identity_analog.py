"""``identity-analog``: uncoded analog transmission of pixels, the reference that exercises the whole path.

Each image's pixel values, centred as ``z = x - 1/2``, are packed two per complex symbol
(k = ceil(3HW / 2), so rho ≈ 1/2), power-normalized (paper A eq. 2) and sent. The norm ``||z||`` is
side information (one real number per image, assumed delivered error-free and not counted in k: it
changes rho by less than 1e-5 for any image of 11×11 pixels or more).

Receivers:
    ``zf``: ``z_hat = gain · unbiased(y)``, the channel inverse.
    ``lmmse``: per-symbol Wiener shrinkage ``1 / (1 + sigma²_eff)`` for the unit-power symbols, then the
    same scaling. Both clip to [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

import numpy as np
import torch
from scipy.special import ndtr

from semcom.channels import (
    ChannelSpec,
    complex_to_real,
    normalize_power,
    real_to_complex,
    snr_db_to_noise_var,
    transmit_symbols,
)
from semcom.schemes.base import Scheme, Transmission
from semcom.schemes.registry import register_scheme

RECEIVERS = ("zf", "lmmse")


@dataclass(frozen=True)
class IdentityAnalogConfig:
    receiver: str = "zf"

    def __post_init__(self):
        if self.receiver not in RECEIVERS:
            raise ValueError(f"receiver must be one of {RECEIVERS}, got {self.receiver!r}")


@register_scheme("identity-analog")
class IdentityAnalog(Scheme):
    """Uncoded analog pixels over the channel (no learned parts)."""

    Config = IdentityAnalogConfig

    @classmethod
    def label(cls, config) -> str:
        return "uncoded analog" + (" LMMSE" if config.receiver == "lmmse" else "")

    @classmethod
    def nominal_rho(cls, config) -> Fraction:
        return Fraction(1, 2)  # two pixel values per complex symbol

    def transmit(self, images, snr_db, channel: ChannelSpec, generator: Optional[torch.Generator] = None):
        batch = images.shape[0]
        z = images.reshape(batch, -1) - 0.5
        sent = normalize_power(real_to_complex(z))
        link = transmit_symbols(sent.symbols, snr_db, channel, generator)
        eq = link.equalized
        if self.config.receiver == "zf":
            estimate = eq.unbiased
        else:
            estimate = eq.unbiased / (1 + eq.effective_noise_var)
        z_hat = complex_to_real(estimate * sent.gain[:, None], (z.shape[1],))
        recon = (z_hat + 0.5).clamp(0, 1).reshape(images.shape)
        return Transmission(
            reconstruction=recon,
            channel_uses=link.channel_uses,
            data_uses=sent.symbols.shape[1],
            source_size=z.shape[1],
            snr_db_estimate=link.snr_db,
        )


def expected_mse_awgn(image: torch.Tensor, snr_db: float, receiver: str = "zf", bits: int = 8) -> float:
    """Closed-form expected MSE of ``identity-analog`` over AWGN with known SNR, for one image.

    Per real value the receiver sees ``x + b + s·N(0,1)`` with ``b = (a-1) z`` and ``s = a·sqrt(g² sigma²/2)``
    (``a = 1`` for ZF, ``1/(1+sigma²)`` for LMMSE, ``g² = ||z||²/k``), clipped to [0, 1]. The expectation of
    the clipped squared error has a closed form in the normal CDF/PDF; rounding to ``bits`` adds ``Δ²/12``
    on the unclipped mass. ``image`` is ``float32 [3, H, W]`` in [0, 1].
    """
    x = image.double().reshape(-1).numpy()
    z = x - 0.5
    k = (z.size + 1) // 2
    noise_var = float(snr_db_to_noise_var(snr_db))
    gain2 = float(np.sum(z**2)) / k
    a = 1.0 if receiver == "zf" else 1.0 / (1.0 + noise_var)
    bias = (a - 1.0) * z
    std = a * np.sqrt(gain2 * noise_var / 2)
    lo, hi = -x, 1.0 - x  # error range that clipping to [0, 1] allows
    alpha, beta = (lo - bias) / std, (hi - bias) / std
    cdf_a, cdf_b = ndtr(alpha), ndtr(beta)
    pdf_a, pdf_b = _pdf(alpha), _pdf(beta)
    inside = cdf_b - cdf_a
    second_moment_inside = (
        bias**2 * inside + 2 * bias * std * (pdf_a - pdf_b) + std**2 * (inside + alpha * pdf_a - beta * pdf_b)
    )
    clipped = lo**2 * cdf_a + hi**2 * (1 - cdf_b)
    step = 1.0 / (2**bits - 1)
    return float(np.mean(second_moment_inside + clipped + inside * step**2 / 12))


def _pdf(t: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * t**2) / np.sqrt(2 * np.pi)
