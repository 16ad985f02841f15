"""Zoo weights that are not on this machine: their download URLs, the user cache, and an all-or-nothing download.

A manifest may name a ``base_url`` (the hub where releases publish the weights, DESIGN.md §3); each entry's
``url`` is its folder relative to it (``weights/<name>/``, mirroring the zoo) or a full ``http(s)://`` URL.
``$SEMCOM_WEIGHTS_URL`` replaces the package manifest's base URL (a mirror, or a test server). Downloaded
folders live in ``cache_dir()/weights/<name>/`` and hold the same two files as a zoo folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from semcom.files import sha256_of
from semcom.zoo.download import DownloadError, cache_dir, fetch
from semcom.zoo.pretrained import CONFIG_FILE, WEIGHTS_FILE, WeightsError

FILES = (CONFIG_FILE, WEIGHTS_FILE)
BASE_URL_ENV = "SEMCOM_WEIGHTS_URL"


def weights_cache(name: str) -> Path:
    """The cache folder of the zoo entry ``name`` (it may not exist)."""
    return cache_dir() / "weights" / name


def folder_url(entry: dict[str, Any]) -> str | None:
    """The URL of the entry's folder on the hub, ending in ``/``; ``None`` when its manifest names no hub."""
    relative = entry.get("url") or f"{entry['folder']}/"
    if relative.startswith(("http://", "https://")):
        url = relative
    elif entry.get("base_url"):
        url = f"{entry['base_url'].rstrip('/')}/{relative.lstrip('/')}"
    else:
        return None
    return url.rstrip("/") + "/"


def expected_sha256(entry: dict[str, Any]) -> dict[str, str | None]:
    """``{file name: sha256}`` of both files as the manifest records them."""
    return {CONFIG_FILE: entry.get("config_sha256"), WEIGHTS_FILE: entry.get("sha256")}


def _has(path: Path, sha256: str | None) -> bool:
    return path.is_file() and sha256_of(path) == sha256


def cached_folder(entry: dict[str, Any]) -> Path | None:
    """The cache folder of ``entry`` when both files are there with the manifest's hashes, else ``None``."""
    folder, expected = weights_cache(entry["name"]), expected_sha256(entry)
    return folder if all(_has(folder / f, expected[f]) for f in FILES) else None


def download_entry(entry: dict[str, Any], *, progress: bool | None = None, timeout: float = 60.0) -> Path:
    """The cache folder of ``entry``, downloading both files first unless they are cached with the right hashes.

    Both files are fetched into a staging folder beside the target (each sha256-checked by
    :func:`semcom.zoo.download.fetch`) and moved in only when both passed, so a failure leaves nothing in the
    cache. A progress bar shows on a terminal (``progress=None``). Raises :class:`WeightsError` in one line
    naming the weights, the URL and where to put the files by hand.
    """
    name, target = entry["name"], weights_cache(entry["name"])
    if cached_folder(entry) is not None:
        return target
    url, expected = folder_url(entry), expected_sha256(entry)
    if url is None:
        raise WeightsError(f"weights {name!r} ({entry.get('zoo_dir')}/manifest.json) are not in "
                           f"{Path(entry.get('zoo_dir', '.')) / entry['folder']} and their manifest names no "
                           "download URL")
    if not all(expected.values()):
        raise WeightsError(f"weights {name!r}: the manifest records no sha256 for "
                           f"{' and '.join(f for f, h in expected.items() if not h)}, so a download cannot be "
                           "verified")
    progress = sys.stderr.isatty() if progress is None else progress
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{name}.download-"))
    try:
        missing = [f for f in FILES if not _has(target / f, expected[f])]  # a file left by an earlier try is kept
        for file in missing:
            fetch(url + file, staging / file, expected[file], timeout=timeout, progress=progress)
        target.mkdir(exist_ok=True)
        for file in sorted(missing, key=FILES[::-1].index):  # config.json last: both present marks a full folder
            os.replace(staging / file, target / file)
    except DownloadError as exc:
        raise WeightsError(f"weights {name!r} are not on this machine and could not be downloaded: {exc}; to "
                           f"install them by hand, put {CONFIG_FILE} and {WEIGHTS_FILE} from {url} into "
                           f"{target}/") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
