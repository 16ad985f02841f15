"""Warm start: initialise a model from trained weights of a related configuration.

Fine-tuning a model trained at one SNR (or one rho) for another is how the shipped 20 dB and rho = 1/48
JSCC weights were made within the CPU budget; the manifest records the source (``init_from``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, TypeVar

import torch

from semcom.training.loop import CHECKPOINT
from semcom.zoo import load_weights

M = TypeVar("M", bound=torch.nn.Module)


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


def apply_warm_start(model: torch.nn.Module, init_from: Optional[str], out: Path) -> Optional[WarmStart]:
    """Copy matching tensors of weights ``init_from`` (zoo NAME or folder) into ``model`` for a fresh run in
    ``out``, and say so; a resumed run (``out`` holds a checkpoint) takes everything from its checkpoint."""
    if not init_from or (out / CHECKPOINT).exists():
        return None
    source, _ = load_weights(init_from)
    started = warm_start(model, source)
    print(f"warm start from {init_from}: {len(started.copied)} tensors copied, {len(started.kept)} freshly "
          "initialised", flush=True)
    return started


def initial_weights(build: Callable[[], M], seed: int) -> M:
    """``build()`` with torch's global generator seeded by ``seed`` for the initial weights only (the
    global generator is restored afterwards); a resumed run then takes the weights from its checkpoint."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return build()
