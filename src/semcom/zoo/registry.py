"""Zoo manifests (DESIGN.md §3) and loading weights by name.

A zoo is a folder with ``manifest.json`` (each entry: scheme, model config, training command, data, steps,
commit, sha256 of both files, hardware, wall time, final validation metrics, and where to download it) and
``weights/<name>/`` folders of ``config.json`` + ``weights.safetensors``. Three kinds are merged by
:func:`load_manifest`: the package's zoo beside this file, the user zoo (:func:`user_zoo_dir`, where
``semcom zoo add`` writes) and zoos that plugins register (:func:`register_zoo`). An entry's files are found
in its own zoo folder, else in the user cache, else downloaded there (:mod:`semcom.zoo.hub`). Weights are
named by manifest name or by a folder path written by ``save_pretrained``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import warnings
from pathlib import Path
from typing import Any

from semcom.files import atomic_write_bytes
from semcom.zoo import hub
from semcom.zoo.pretrained import CONFIG_FILE, WEIGHTS_FILE, WeightsError, file_sha256, from_pretrained

ZOO_DIR = Path(__file__).parent
MANIFEST = ZOO_DIR / "manifest.json"

#: Training settings a manifest entry copies from the run's config.json when it has them, so that labels and
#: the catalog read them from the entry (the training SNR, the codec, the loss weights), never from the command.
TRAINING_KEYS = ("train_config", "loss_weights", "codec", "loss")

#: Largest weights file the package zoo takes (a hub or git host refuses much larger files).
MAX_SHIPPED_BYTES = 20 * 1024 * 1024

#: Keys :func:`load_manifest` adds to every entry (never written back): ``source`` (package, user or plugin),
#: ``zoo_dir`` (the folder its ``folder`` is relative to) and ``base_url`` (its manifest's hub, or None).
ANNOTATIONS = ("source", "zoo_dir", "base_url")

_PLUGIN_ZOOS: list[Path] = []
_WARNED: set[tuple[Path, str]] = set()


def user_zoo_dir() -> Path:
    """Where ``semcom zoo add`` writes: ``$SEMCOM_ZOO``, else ``$XDG_DATA_HOME/semcom/zoo``, else
    ``~/.local/share/semcom/zoo``."""
    if os.environ.get("SEMCOM_ZOO"):
        return Path(os.environ["SEMCOM_ZOO"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "semcom" / "zoo"


def register_zoo(folder: str | Path) -> Path:
    """Add a plugin's zoo folder (holding ``manifest.json``) to :func:`load_manifest`; call it at import.
    Its entries cannot replace the package's (a clash is ignored with a warning)."""
    folder = Path(folder).resolve()
    if not (folder / MANIFEST.name).is_file():
        raise WeightsError(f"register_zoo({folder}): no {MANIFEST.name} in that folder")
    if folder not in _PLUGIN_ZOOS:
        _PLUGIN_ZOOS.append(folder)
    return folder


def _source(zoo_dir: Path) -> str:
    if zoo_dir.resolve() in _PLUGIN_ZOOS:
        return "plugin"
    return "user" if zoo_dir.resolve() == user_zoo_dir().resolve() else "package"


def _read(zoo_dir: Path) -> dict[str, Any]:
    """The raw manifest JSON of one zoo (``{"weights": []}`` when it has none)."""
    manifest = zoo_dir / MANIFEST.name
    if not manifest.exists():
        return {"weights": []}
    try:
        raw = json.loads(manifest.read_text())
        if not isinstance(raw["weights"], list):
            raise TypeError("'weights' is not a list")
        return raw
    except (ValueError, KeyError, TypeError) as exc:
        raise WeightsError(f"{manifest}: corrupt zoo manifest ({type(exc).__name__}: {exc}); reinstall semcom or "
                           "fix that file") from None


def _zoo_entries(zoo_dir: Path) -> dict[str, dict[str, Any]]:
    """``{name: entry}`` of one zoo, each annotated with :data:`ANNOTATIONS`."""
    raw, source = _read(zoo_dir), _source(zoo_dir)
    base_url = raw.get("base_url")
    if source == "package" and os.environ.get(hub.BASE_URL_ENV):
        base_url = os.environ[hub.BASE_URL_ENV]
    try:
        return {entry["name"]: {**entry, "source": source, "zoo_dir": str(zoo_dir), "base_url": base_url}
                for entry in raw["weights"]}
    except (KeyError, TypeError) as exc:
        raise WeightsError(f"{zoo_dir / MANIFEST.name}: corrupt zoo manifest ({type(exc).__name__}: {exc}); "
                           "reinstall semcom or fix that file") from None


def load_manifest(zoo_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """``{name: entry}`` of one zoo folder, or with ``zoo_dir=None`` of all of them merged: the package's, the
    plugins' (never replacing a package entry) and the user's (which replaces one only when added with
    ``--force``). Each entry carries the keys of :data:`ANNOTATIONS`."""
    if zoo_dir is not None:
        return _zoo_entries(Path(zoo_dir))
    merged = _zoo_entries(ZOO_DIR)
    for folder in _PLUGIN_ZOOS:
        for name, entry in _zoo_entries(folder).items():
            if name in merged:
                if (folder, name) not in _WARNED:  # once per process: the manifest is read on every lookup
                    _WARNED.add((folder, name))
                    warnings.warn(f"zoo {folder}: {name!r} is already in the {merged[name]['source']} zoo; "
                                  "ignored", stacklevel=2)
                continue
            merged[name] = entry
    merged.update(_zoo_entries(user_zoo_dir()))
    return merged


def missing_weights_message(scheme: str, option: str, trained_by: str, zoo_scheme: str = "",
                            zoo_dir: Path | None = None) -> str:
    """The error for a learned scheme created without its weights: which option, the zoo names that fit
    (manifest entries whose ``scheme`` is ``zoo_scheme``, default ``scheme``) and the command that trains more."""
    names = sorted(n for n, e in load_manifest(zoo_dir).items() if e.get("scheme") == (zoo_scheme or scheme))
    shipped = f"a zoo name ({', '.join(names)})" if names else "a zoo name (none shipped; see `semcom zoo list`)"
    return (f"{scheme} needs {option}=NAME|PATH: {shipped}, or the final/ folder of `{trained_by}`; e.g. "
            f"{scheme}:{option}={names[0] if names else 'runs/x/final'}")


#: A zoo name is one path segment of lower-case letters, digits, dots, underscores and hyphens.
ZOO_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def check_zoo_name(name: str, zoo_dir: Path | None = None, force: bool = False) -> None:
    """Refuse a name that could leave ``zoo_dir/weights``, or that is already in ``zoo_dir`` or in any zoo
    :func:`load_manifest` merges (a user entry must not silently shadow a shipped one) without ``force``."""
    if not ZOO_NAME.fullmatch(name) or ".." in name:
        raise WeightsError(f"zoo name {name!r} must be one path segment of [a-z0-9._-], starting with a letter or "
                           "digit (e.g. deepjscc-snr10-rho1_12)")
    if force:
        return
    known = {**load_manifest(), **(load_manifest(zoo_dir) if zoo_dir is not None else {})}
    if name in known:
        raise WeightsError(f"zoo name {name!r} is already in the {known[name]['source']} zoo "
                           f"({known[name]['zoo_dir']}); pass --force to replace it")


def add_to_zoo(folder: str | Path, name: str, zoo_dir: Path | None = None, force: bool = False) -> dict[str, Any]:
    """Copy a ``save_pretrained`` folder into ``zoo_dir/weights/<name>`` and record it in that zoo's manifest;
    ``zoo_dir`` defaults to the user zoo (:func:`user_zoo_dir`), never the installed package. An existing
    name is replaced only with ``force``. Files over :data:`MAX_SHIPPED_BYTES` are refused for the package zoo."""
    zoo_dir = Path(zoo_dir) if zoo_dir is not None else user_zoo_dir()
    check_zoo_name(name, zoo_dir, force)
    folder = Path(folder)
    from_pretrained(folder)  # refuse anything that does not load
    raw = _read(zoo_dir)  # before writing anything: a corrupt manifest is refused as it is
    record = json.loads((folder / CONFIG_FILE).read_text())
    size = (folder / WEIGHTS_FILE).stat().st_size
    if size > MAX_SHIPPED_BYTES and zoo_dir.resolve() == ZOO_DIR.resolve():
        raise WeightsError(f"{folder / WEIGHTS_FILE} is {size / 2**20:.1f} MiB; shipped files must be at most "
                           "20 MiB")
    target = zoo_dir / "weights" / name
    target.mkdir(parents=True, exist_ok=True)
    for file in (CONFIG_FILE, WEIGHTS_FILE):
        shutil.copyfile(folder / file, target / file)
    keys = ("scheme", "rho", "command", "init_from", "data", "steps", "commit", "validation", "wall_seconds",
            "hardware", "world_size", "global_batch_size", *TRAINING_KEYS)
    entry = {"name": name, "folder": f"weights/{name}", "url": f"weights/{name}/",
             "sha256": file_sha256(target / WEIGHTS_FILE), "config_sha256": file_sha256(target / CONFIG_FILE),
             "bytes": size, "model_class": record["model_class"], "config": record["config"],
             **{k: record.get(k) for k in keys}}
    entries = [e for e in raw["weights"] if e.get("name") != name] + [entry]
    raw["weights"] = sorted(entries, key=lambda e: e["name"])
    atomic_write_bytes(zoo_dir / MANIFEST.name, (json.dumps(raw, indent=1) + "\n").encode())
    return entry


def locate(entry: dict[str, Any], *, progress: bool | None = None) -> Path:
    """The folder holding an entry's two files: its zoo folder when both are there (a checkout, an editable
    install, a user or plugin zoo), else the user cache, downloading them first when needed."""
    local = Path(entry["zoo_dir"]) / entry["folder"]
    if all((local / file).is_file() for file in hub.FILES):
        return local
    return hub.download_entry(entry, progress=progress)


def where(entry: dict[str, Any]) -> str:
    """Where an entry's files are now: its ``source`` (package, user, plugin), ``cache``, ``remote`` (to be
    downloaded on first use) or ``missing`` (no local files and no download URL). Checks existence only."""
    if all((Path(entry["zoo_dir"]) / entry["folder"] / file).is_file() for file in hub.FILES):
        return entry["source"]
    if all((hub.weights_cache(entry["name"]) / file).is_file() for file in hub.FILES):
        return "cache"
    return "remote" if hub.folder_url(entry) else "missing"


def _lookup(name_or_path: str, zoo_dir: Path | None) -> tuple[Path, dict[str, Any] | None]:
    entries = load_manifest(zoo_dir)
    if name_or_path in entries:
        entry = entries[name_or_path]
        return locate(entry), entry
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path, None
    shipped = ", ".join(sorted(entries)) or "none yet"
    raise WeightsError(f"no weights named {name_or_path!r} (in the zoo: {shipped}) and no such folder")


def resolve_weights(name_or_path: str, zoo_dir: Path | None = None) -> tuple[Path, str | None]:
    """Folder and expected sha256 of a manifest name (downloaded into the cache first when it is not on this
    machine), or the folder itself (no hash) for a path."""
    folder, entry = _lookup(name_or_path, zoo_dir)
    return folder, entry["sha256"] if entry else None


def load_weights(name_or_path: str, zoo_dir: Path | None = None):
    """``(model, config)`` for a manifest name (both files checked against the manifest's sha256) or a
    ``save_pretrained`` folder (its weights checked against the hash its config records)."""
    folder, entry = _lookup(name_or_path, zoo_dir)
    if entry is None:
        return from_pretrained(folder)
    return from_pretrained(folder, sha256=entry["sha256"], config_sha256=entry.get("config_sha256"))
