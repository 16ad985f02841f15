"""Sionna PHY (``sionna-no-rt``), the optional link-level library behind the OFDM, MIMO and 5G NR pieces.

It is imported here only, on first use, so ``import semcom`` and the demo do not pay for it. Sionna draws its
random numbers from a global generator per device; :func:`seeded` points one Sionna block at the generator
semcom hands it instead, so every draw still comes from the image's own generator (:mod:`semcom.rng`).
"""

from __future__ import annotations

import functools
import importlib

import torch

from semcom.errors import SemcomError

INSTALL_HINT = "pip install 'semcom[phy]' (or: pip install sionna-no-rt)"


class PhyUnavailableError(SemcomError):
    """``sionna-no-rt`` is not installed, and an OFDM, MIMO or 5G NR piece was asked for."""


@functools.cache
def sionna_module(name: str):
    """``importlib.import_module("sionna.phy." + name)``, or one line saying how to install it."""
    try:
        return importlib.import_module(f"sionna.phy.{name}" if name else "sionna.phy")
    except ImportError as exc:
        raise PhyUnavailableError(f"this needs Sionna PHY, which is not installed ({exc}); {INSTALL_HINT}") from None


@functools.cache
def seeded(block_class: type) -> type:
    """A subclass of the Sionna block ``block_class`` whose draws come from its ``generator`` attribute.

    Sionna blocks read ``self.torch_rng`` (the global generator of their device) for every draw; the
    subclass returns the generator set on the instance, or a fresh one seeded from torch's default
    generator when none is set, so ``torch.manual_seed`` still makes a run reproducible.
    """

    def torch_rng(self) -> torch.Generator:
        generator: torch.Generator | None = getattr(self, "generator", None)
        if generator is None:
            seed = int(torch.randint(0, 2**62, (1,)).item())
            generator = torch.Generator().manual_seed(seed)
        return generator

    return type(f"Seeded{block_class.__name__}", (block_class,), {"torch_rng": property(torch_rng)})
