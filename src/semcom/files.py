"""Files: atomic writes (readers see the old content or the new one, never a part), hashes, and reading
weights once per process."""

from __future__ import annotations

import copy
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return path


def file_identity(path: str | Path) -> tuple:
    """``(resolved path, size, mtime_ns, inode)``: changes whenever the file is replaced or rewritten."""
    resolved = Path(path).resolve()
    stat = resolved.stat()
    return (str(resolved), stat.st_size, stat.st_mtime_ns, stat.st_ino)


#: sha256 per file identity. A memo of file contents, not configuration: an edited file has a new identity.
_SHA256: dict[tuple, str] = {}


def sha256_of(path: str | Path, chunk: int = 1 << 16) -> str:
    """The sha256 of a file, read in chunks (weights files need not fit in memory twice), and only once per
    process while the file is unchanged (:func:`file_identity`)."""
    key = file_identity(path)
    if key not in _SHA256:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(chunk), b""):
                digest.update(block)
        _SHA256[key] = digest.hexdigest()
    return _SHA256[key]


#: Models read from files, per key that names the files' identities (:func:`load_once`).
_LOADED: dict[tuple, object] = {}


def load_once(key: tuple, load: Callable[[], T]) -> T:
    """``load()``'s result, computed once per process for ``key``; each caller gets its own deep copy, so
    moving one scheme's networks to a GPU (or training them) never touches another's. ``key`` must change
    when the files do: build it from :func:`file_identity`."""
    if key not in _LOADED:
        _LOADED[key] = load()
    return copy.deepcopy(_LOADED[key])
