"""What the manifest records about a training run (DESIGN.md §3): its settings, the command that reproduces
it, the data, the commit, the validation metrics and the hardware."""

from __future__ import annotations

from typing import Optional

from semcom.provenance import git_commit, hardware_description
from semcom.training.loop import TrainConfig, TrainResult


def provenance(scheme: str, rho, config: TrainConfig, result: TrainResult, command: str,
               init_from: Optional[str], data: str) -> dict:
    """The manifest fields of a finished run of the training loop."""
    return {
        "scheme": scheme, "rho": str(rho), "train_config": config.__dict__, "command": command,
        "init_from": init_from, "data": data, "steps": result.steps, "commit": git_commit(),
        "validation": result.validation, "wall_seconds": round(result.seconds, 1),
        "hardware": hardware_description(), "world_size": result.world_size,
        "global_batch_size": result.global_batch_size,
    }


def crops_description(dataset: str, limit: Optional[int] = None) -> str:
    """The ``data`` field of the manifest for runs on random crops of ``dataset``."""
    if dataset == "bsds500-train":
        return bsds_description(limit)
    return (f"{dataset} (random crops{f', first {limit} images of each' if limit else ''}), validated on "
            f"bsds500-val")


def bsds_description(limit: Optional[int] = None) -> str:
    """The ``data`` field of the manifest for runs on BSDS500."""
    return "bsds500-train (random crops), validated on bsds500-val" + (f" (first {limit} images)" if limit else "")


def latents_description(dataset: str, limit: Optional[int]) -> str:
    """The ``data`` field of the manifest for runs on cached codec latents of ``dataset``."""
    return (f"{dataset} (codec latents, random crops{f', first {limit} images of each' if limit else ''}), "
            "validated on bsds500-val")
