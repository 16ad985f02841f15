"""Fetching third-party files by URL into the user cache, with a sha256 check before anything is kept.

A file is streamed into a temporary file beside its target and hashed on the way; only when the hash matches
the recorded one is it renamed into place (atomic on POSIX), so a corrupt or interrupted download leaves
nothing behind. Used for TAEF2 (:mod:`semcom.codecs.taef2`); the zoo reuses it for hosted weights.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tqdm import tqdm

from semcom.errors import SemcomError
from semcom.files import sha256_of

CHUNK = 1 << 16


class DownloadError(SemcomError):
    """A download that failed: host unreachable, HTTP error, or content whose sha256 differs."""


def cache_dir() -> Path:
    """Where semcom keeps downloaded files: ``$SEMCOM_CACHE``, else ``$XDG_CACHE_HOME/semcom``, else
    ``~/.cache/semcom``."""
    if os.environ.get("SEMCOM_CACHE"):
        return Path(os.environ["SEMCOM_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "semcom"


def offline() -> bool:
    """``$SEMCOM_OFFLINE=1`` turns every download into an immediate :class:`DownloadError`."""
    return os.environ.get("SEMCOM_OFFLINE", "").lower() in ("1", "true", "yes")


def fetch(url: str, target: str | Path, sha256: str, *, timeout: float = 60.0, progress: bool = True) -> Path:
    """Download ``url`` to ``target`` unless a file with the right ``sha256`` is already there.

    Raises :class:`DownloadError` (one line, naming the URL) when the host cannot be reached, the server
    answers with an error, the connection closes before the ``Content-Length`` bytes arrived, or the
    content's sha256 is not ``sha256``; ``target`` is then left as it was and no part file remains.
    """
    target = Path(target)
    if target.is_file() and sha256_of(target) == sha256:
        return target
    if offline():
        raise DownloadError(f"{url}: not downloaded ($SEMCOM_OFFLINE is set)")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        received = 0
        with os.fdopen(handle, "wb") as tmp, urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=f"download {target.name}",
                      disable=not progress, leave=False) as bar:
                for block in iter(lambda: response.read(CHUNK), b""):
                    tmp.write(block)
                    digest.update(block)
                    received += len(block)
                    bar.update(len(block))
            tmp.flush()
            os.fsync(tmp.fileno())
        # read(n) returns b"" when the server closes early instead of raising IncompleteRead: count the bytes
        if total is not None and received < total:
            raise DownloadError(f"{url}: the connection closed after {received} of {total} bytes (interrupted "
                                "download); nothing was kept")
        if digest.hexdigest() != sha256:
            raise DownloadError(f"{url}: sha256 {digest.hexdigest()[:12]}… is not the recorded {sha256[:12]}… "
                                "(corrupt or changed upstream); nothing was kept")
        os.replace(tmp_name, target)
        return target
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: the server answered HTTP {exc.code} ({exc.reason})") from None
    except http.client.IncompleteRead as exc:  # an HTTPException, not an OSError (e.g. a cut chunked reply)
        raise DownloadError(f"{url}: the connection closed before the end of the file (interrupted download, "
                            f"{type(exc).__name__}); nothing was kept") from None
    except http.client.HTTPException as exc:
        raise DownloadError(f"{url}: the server broke the HTTP exchange ({type(exc).__name__}: {exc})") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        host = urllib.parse.urlsplit(url).netloc or url
        raise DownloadError(f"{url}: could not download from {host} ({reason})") from None
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)

