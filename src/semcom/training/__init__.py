"""Training infrastructure shared by the learned schemes."""

from semcom.training.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

__all__ = ["CheckpointError", "load_checkpoint", "save_checkpoint"]
