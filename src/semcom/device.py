"""Device names as users write them: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` (DESIGN.md §1)."""

from __future__ import annotations

import os
import re

import torch

from semcom.errors import SemcomError

DEVICE_HELP = "auto | cpu | cuda | cuda:N (auto: CUDA when present, the process's LOCAL_RANK GPU under torchrun)."


class DeviceError(SemcomError, ValueError):
    """A device name that is malformed or names hardware this machine does not have."""


def resolve_device(name: str | torch.device | None = "auto") -> torch.device:
    """The ``torch.device`` for ``name``; ``None`` and ``"auto"`` pick CUDA when present, else the CPU.

    Under ``torchrun``/``accelerate launch`` (``LOCAL_RANK`` set), ``auto`` and ``cuda`` pick the process's
    own GPU. A CUDA device on a machine without one, or an index past the last GPU, is one clear error.
    """
    if isinstance(name, torch.device):
        return name
    text = (name or "auto").strip().lower()
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", text):
        raise DeviceError(f"unknown device {name!r}; use {DEVICE_HELP}")
    if text == "cpu" or (text == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise DeviceError(f"device {name!r}: this machine has no CUDA GPU that torch can use "
                          f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'none'})")
    if text in ("auto", "cuda"):
        index = int(os.environ.get("LOCAL_RANK", "0")) % torch.cuda.device_count()
    else:
        index = int(text.split(":")[1])
    if index >= torch.cuda.device_count():
        raise DeviceError(f"device {name!r}: only {torch.cuda.device_count()} CUDA device(s) present")
    return torch.device("cuda", index)


def cpu_channels_last(x: torch.Tensor) -> torch.Tensor:
    """``x`` in channels-last layout on the CPU (where oneDNN's convolutions are faster in it; values change
    by float32 rounding at most), unchanged elsewhere, where it was not measured."""
    return x.contiguous(memory_format=torch.channels_last) if x.device.type == "cpu" else x


def hardware_name(device: torch.device) -> str:
    """``"CPU"``, or the GPU's name (``"NVIDIA H100 80GB HBM3"``): what a result row or report says it ran on."""
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
