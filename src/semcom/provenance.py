"""Where a result came from: the source commit and the hardware (recorded by sweeps, training runs and
reports)."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

import torch


def git_commit() -> str:
    """The commit of the semcom source tree, or ``"unknown"`` outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=Path(__file__).parent,
            capture_output=True, text=True, timeout=10,
        )
        return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def hardware_description() -> str:
    """Processor, torch version, CPU threads and whether CUDA is present, in one line."""
    return (f"{platform.processor() or platform.machine()}, torch {torch.__version__}, "
            f"{torch.get_num_threads()} threads" + (", CUDA" if torch.cuda.is_available() else ""))
