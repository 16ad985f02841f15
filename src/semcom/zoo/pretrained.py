"""Weights saved beside their config (diffusers-style ``save_pretrained`` / ``from_pretrained``).

A saved model is a folder with ``config.json`` (the frozen dataclass config plus the class that builds
it) and ``weights.safetensors``. Loading rebuilds the model from the config alone, checks that every
tensor name and shape matches, and never unpickles anything.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from semcom.errors import SemcomError
from semcom.files import file_identity, load_once, sha256_of

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.safetensors"


class WeightsError(SemcomError):
    """Missing, corrupt or mismatched weights."""


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Fraction) else value


def save_pretrained(model: torch.nn.Module, config, folder: str | Path, extra: dict | None = None) -> Path:
    """Write ``config.json`` and ``weights.safetensors`` for ``model`` built as ``type(model)(config)``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "config_class": f"{type(config).__module__}.{type(config).__qualname__}",
        "config": {k: _jsonable(v) for k, v in dataclasses.asdict(config).items()},
        **(extra or {}),
    }
    tensors = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    save_file(tensors, str(folder / WEIGHTS_FILE))
    record["weights_sha256"] = file_sha256(folder / WEIGHTS_FILE)  # a folder named by path checks itself
    (folder / CONFIG_FILE).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return folder


def from_pretrained(folder: str | Path, sha256: str | None = None,
                    config_sha256: str | None = None) -> tuple[torch.nn.Module, Any]:
    """Rebuild ``(model, config)`` from a folder written by :func:`save_pretrained`.

    Checks first: the files' sha256 against ``sha256``/``config_sha256`` (the manifest's, for shipped
    weights) and against the ``weights_sha256`` the config records; that the config names a semcom
    ``nn.Module`` and a dataclass config (nothing else is built); and that the config's values build the
    model. Every failure is one :class:`WeightsError`. Within a process each unchanged folder is read and
    hashed once (:func:`semcom.files.load_once`); every call returns its own copy of the model.
    """
    folder = Path(folder)
    try:
        key = ("pretrained", file_identity(folder / CONFIG_FILE), file_identity(folder / WEIGHTS_FILE), sha256,
               config_sha256)
    except OSError:  # a missing file: the checks below give the one-line reason
        return _from_pretrained(folder, sha256, config_sha256)
    return load_once(key, lambda: _from_pretrained(folder, sha256, config_sha256))


def _from_pretrained(folder: Path, sha256: str | None, config_sha256: str | None) -> tuple[torch.nn.Module, Any]:
    config_path, weights = folder / CONFIG_FILE, folder / WEIGHTS_FILE
    if config_sha256 is not None and file_sha256(config_path) != config_sha256:
        raise WeightsError(f"{config_path}: sha256 differs from the manifest (edited or replaced file)")
    try:
        record = json.loads(config_path.read_text())
    except FileNotFoundError:
        raise WeightsError(f"{folder}: no {CONFIG_FILE}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise WeightsError(f"{config_path}: not valid JSON ({exc})") from None
    if not isinstance(record, dict):
        raise WeightsError(f"{config_path}: not a semcom weights config")
    try:
        config_cls, model_cls = _resolve(record["config_class"]), _resolve(record["model_class"])
        if not (isinstance(model_cls, type) and issubclass(model_cls, torch.nn.Module)):
            raise WeightsError(f"{config_path}: model_class {record['model_class']!r} is not a semcom model")
        if not (isinstance(config_cls, type) and dataclasses.is_dataclass(config_cls)):
            raise WeightsError(f"{config_path}: config_class {record['config_class']!r} is not a semcom config")
        fields = {f.name: f for f in dataclasses.fields(config_cls)}
        values = {k: Fraction(v) if isinstance(getattr(config_cls(), k, None), Fraction) else v
                  for k, v in record["config"].items() if k in fields}
        config = config_cls(**values)
        model = model_cls(config)
    except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError, RuntimeError) as exc:
        raise WeightsError(f"{config_path}: config does not build a model ({type(exc).__name__}: {exc})") from None
    for expected in (sha256, record.get("weights_sha256")):
        if expected is not None and file_sha256(weights) != expected:
            raise WeightsError(f"{weights}: sha256 differs from the recorded one (corrupt or replaced file)")
    try:
        tensors = load_file(str(weights))
    except (FileNotFoundError, SafetensorError, OSError) as exc:
        raise WeightsError(f"{weights}: cannot read weights ({exc})") from None
    expected = model.state_dict()
    if set(tensors) != set(expected) or any(tensors[k].shape != expected[k].shape for k in expected):
        raise WeightsError(f"{weights}: tensors do not match {record['model_class']} with this config")
    model.load_state_dict(tensors)
    return model.eval(), config


def file_sha256(path: str | Path) -> str:
    try:
        return sha256_of(path)
    except FileNotFoundError:
        raise WeightsError(f"{path}: no such weights file") from None


def _resolve(dotted: str):
    from semcom.plugins import trusted_packages  # semcom's and installed scheme plug-ins' packages

    module, _, name = dotted.rpartition(".")
    if not module or module.partition(".")[0] not in trusted_packages():
        raise WeightsError(f"refusing to build {dotted!r}: only semcom classes (and those of installed scheme "
                           "plug-ins) are loaded from configs")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise WeightsError(f"config names {dotted!r}, which this semcom version does not have") from None
