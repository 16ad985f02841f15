"""Warm start: initialise a model from trained weights of a related configuration.

Fine-tuning a model trained at one SNR (or one rho) for another is how the shipped 20 dB and rho = 1/48
JSCC weights were made within the CPU budget; the manifest records the source (``init_from``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class WarmStart:
    """Names of the tensors copied from the source and of those left at their fresh initialisation."""

    copied: tuple[str, ...]
    kept: tuple[str, ...]


def warm_start(model: torch.nn.Module, source: torch.nn.Module) -> WarmStart:
    """Copy every tensor of ``source`` whose name and shape match one of ``model``; keep the rest."""
    target = model.state_dict()
    available = source.state_dict()
    copied = {k: v for k, v in available.items() if k in target and target[k].shape == v.shape}
    if not copied:
        raise ValueError("warm start: no tensor of the source matches the model (different architecture?)")
    model.load_state_dict({**target, **copied})
    return WarmStart(copied=tuple(sorted(copied)), kept=tuple(sorted(set(target) - set(copied))))
