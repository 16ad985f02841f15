"""The manifest of shipped weights (DESIGN.md §3) and loading by name.

``manifest.json`` beside this file lists every shipped weights folder under ``weights/`` with the scheme,
model config, training command, data, steps, commit, sha256, hardware, wall time and final validation
metrics. Weights are found by manifest name or by a folder path written by ``save_pretrained``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from semcom.zoo.pretrained import CONFIG_FILE, WEIGHTS_FILE, WeightsError, file_sha256, from_pretrained

ZOO_DIR = Path(__file__).parent
MANIFEST = ZOO_DIR / "manifest.json"


MAX_SHIPPED_BYTES = 20 * 1024 * 1024


def load_manifest(zoo_dir: Path = ZOO_DIR) -> dict[str, dict[str, Any]]:
    """``{name: entry}`` of shipped weights (empty when none are shipped)."""
    manifest = zoo_dir / MANIFEST.name
    if not manifest.exists():
        return {}
    try:
        return {entry["name"]: entry for entry in json.loads(manifest.read_text())["weights"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise WeightsError(f"{manifest}: corrupt zoo manifest ({type(exc).__name__}: {exc}); reinstall semcom") from None


def missing_weights_message(scheme: str, option: str, trained_by: str, zoo_scheme: str = "",
                            zoo_dir: Path = ZOO_DIR) -> str:
    """The error for a learned scheme created without its weights: which option, the zoo names that fit
    (manifest entries whose ``scheme`` is ``zoo_scheme``, default ``scheme``) and the command that trains more."""
    names = sorted(n for n, e in load_manifest(zoo_dir).items() if e.get("scheme") == (zoo_scheme or scheme))
    shipped = f"a zoo name ({', '.join(names)})" if names else "a zoo name (none shipped; see `semcom zoo list`)"
    return (f"{scheme} needs {option}=NAME|PATH: {shipped}, or the final/ folder of `{trained_by}`; e.g. "
            f"{scheme}:{option}={names[0] if names else 'runs/x/final'}")


#: A zoo name is one path segment of lower-case letters, digits, dots, underscores and hyphens.
ZOO_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def check_zoo_name(name: str, zoo_dir: Path = ZOO_DIR, force: bool = False) -> None:
    """Refuse a name that could leave ``zoo_dir/weights`` or that replaces a shipped entry without ``force``."""
    if not ZOO_NAME.fullmatch(name) or ".." in name:
        raise WeightsError(f"zoo name {name!r} must be one path segment of [a-z0-9._-], starting with a letter or "
                           "digit (e.g. deepjscc-snr10-rho1_12)")
    if name in load_manifest(zoo_dir) and not force:
        raise WeightsError(f"zoo name {name!r} is already in the manifest; pass --force to replace it")


def add_to_zoo(folder: str | Path, name: str, zoo_dir: Path = ZOO_DIR, force: bool = False) -> dict[str, Any]:
    """Copy a ``save_pretrained`` folder into ``zoo_dir/weights/<name>`` and record it in the manifest; an
    existing name is replaced only with ``force``."""
    check_zoo_name(name, zoo_dir, force)
    folder = Path(folder)
    from_pretrained(folder)  # refuse anything that does not load
    record = json.loads((folder / CONFIG_FILE).read_text())
    size = (folder / WEIGHTS_FILE).stat().st_size
    if size > MAX_SHIPPED_BYTES:
        raise WeightsError(f"{folder / WEIGHTS_FILE} is {size / 2**20:.1f} MiB; shipped files must be at most 20 MiB")
    target = zoo_dir / "weights" / name
    target.mkdir(parents=True, exist_ok=True)
    for file in (CONFIG_FILE, WEIGHTS_FILE):
        shutil.copyfile(folder / file, target / file)
    keys = ("scheme", "rho", "command", "init_from", "data", "steps", "commit", "validation", "wall_seconds", "hardware",
            "world_size", "global_batch_size")
    entry = {"name": name, "folder": f"weights/{name}", "sha256": file_sha256(target / WEIGHTS_FILE),
             "config_sha256": file_sha256(target / CONFIG_FILE),
             "bytes": size, "model_class": record["model_class"], "config": record["config"],
             **{k: record.get(k) for k in keys}}
    entries = load_manifest(zoo_dir)
    entries[name] = entry
    (zoo_dir / MANIFEST.name).write_text(json.dumps({"weights": sorted(entries.values(), key=lambda e: e["name"])},
                                                    indent=1) + "\n")
    return entry


def resolve_weights(name_or_path: str, zoo_dir: Path = ZOO_DIR) -> tuple[Path, str | None]:
    """Folder and expected sha256 of a manifest name, or the folder itself (no hash) for a path."""
    entries = load_manifest(zoo_dir)
    if name_or_path in entries:
        entry = entries[name_or_path]
        return zoo_dir / entry["folder"], entry["sha256"]
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path, None
    shipped = ", ".join(sorted(entries)) or "none yet"
    raise WeightsError(f"no weights named {name_or_path!r} (shipped: {shipped}) and no such folder")


def load_weights(name_or_path: str, zoo_dir: Path = ZOO_DIR):
    """``(model, config)`` for a manifest name (both files checked against the manifest's sha256) or a
    ``save_pretrained`` folder (its weights checked against the hash its config records)."""
    folder, sha256 = resolve_weights(name_or_path, zoo_dir)
    entry = load_manifest(zoo_dir).get(name_or_path, {}) if sha256 else {}
    return from_pretrained(folder, sha256=sha256, config_sha256=entry.get("config_sha256"))
