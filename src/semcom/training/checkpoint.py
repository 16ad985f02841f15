"""Atomic, resumable training checkpoints.

A checkpoint is one file written to a temporary name in the same directory, flushed, fsynced and renamed
over the old one, so a job killed at any instant leaves either the previous or the new checkpoint, never a
torn one. Loading uses ``torch.load(weights_only=True)``: only tensors and plain containers, no pickled code.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Optional

import torch

from semcom.errors import SemcomError


class CheckpointError(SemcomError):
    """A checkpoint that is unreadable, corrupt, or made for another model/config."""


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> Path:
    """Write ``state`` (tensors, numbers, strings, lists, dicts) atomically to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | Path, expect: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Load a checkpoint written by :func:`save_checkpoint`.

    ``expect`` maps keys to values the checkpoint must hold (e.g. ``{"config": config_dict}``); a mismatch
    raises :class:`CheckpointError` naming the key, instead of silently resuming another run.
    """
    path = Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such checkpoint") from None
    except Exception as exc:  # torch raises several types for truncated or foreign files
        raise CheckpointError(f"{path}: not a readable semcom checkpoint ({type(exc).__name__}: {exc})") from None
    if not isinstance(state, dict):
        raise CheckpointError(f"{path}: not a semcom checkpoint (top level is {type(state).__name__})")
    for key, value in (expect or {}).items():
        if state.get(key) != value:
            raise CheckpointError(f"{path}: checkpoint {key!r} differs from this run's ({state.get(key)!r} vs {value!r})")
    return state
