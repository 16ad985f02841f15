"""Latents ↔ channel symbols in the normalization the de-noiser is trained on (DESIGN.md §2).

The transmitter sends a codec latent ``z`` (``float32 [B, c, h, w]``) as eq. 2 power-normalized complex
symbols, two real values per symbol. The receiver maps the (equalized) symbols back to real values scaled
by sqrt(2): unit power per real value, and complex noise of variance sigma² per symbol becomes real noise of
variance sigma² per value. The gain ``||z|| / sqrt(k)`` is side information (one real per image, not
counted in k), used only to put the de-noised latent back on the codec's scale.
"""

from __future__ import annotations

import math

import torch

from semcom.channels import PowerNormalized, complex_to_real, normalize_power, real_to_complex


def latent_to_symbols(latents: torch.Tensor) -> PowerNormalized:
    """``float32 [B, c, h, w]`` → unit-power ``complex64 [B, k]`` symbols and the per-image gain."""
    return normalize_power(real_to_complex(latents.float()))


def symbols_to_unit_latent(symbols: torch.Tensor, shape) -> torch.Tensor:
    """``complex [B, k]`` → ``float32 [B, *shape]`` with unit signal power per real value."""
    return math.sqrt(2) * complex_to_real(symbols, shape)


def unit_power(latents: torch.Tensor) -> torch.Tensor:
    """Each image's latent scaled to mean square 1 per real value (what the de-noiser is trained on)."""
    return latents / rms_per_image(latents)


def rms_per_image(latents: torch.Tensor) -> torch.Tensor:
    """``[B, 1, 1, ...]``: each image's root mean square per real value (the gain :func:`unit_power` removes)."""
    rms = latents.float().pow(2).flatten(1).mean(1).sqrt().clamp_min(1e-12)
    return rms.reshape(-1, *([1] * (latents.dim() - 1)))


def restore_scale(unit_latents: torch.Tensor, gain: torch.Tensor) -> torch.Tensor:
    """Undo :func:`latent_to_symbols`'s scaling: ``unit_latents · gain / sqrt(2)`` per image."""
    return unit_latents * (gain / math.sqrt(2)).reshape(-1, *([1] * (unit_latents.dim() - 1)))
