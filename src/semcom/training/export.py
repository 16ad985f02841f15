"""The end of a finished run: its checkpoint's weights written as ``OUT/final`` (safetensors + config)."""

from __future__ import annotations

from pathlib import Path

import torch

from semcom.training.checkpoint import load_checkpoint
from semcom.training.loop import CHECKPOINT
from semcom.zoo import save_pretrained


def export_final(out: Path, model: torch.nn.Module, model_config, extra: dict) -> Path:
    """Load the finished checkpoint's weights into ``model`` and write ``OUT/final``."""
    model.load_state_dict(load_checkpoint(out / CHECKPOINT)["model"])
    return save_pretrained(model.eval(), model_config, out / "final", extra=extra)
