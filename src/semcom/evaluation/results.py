"""The results-file schema of DESIGN.md §4 and an append-only, resumable writer.

One row per (scheme, weights, dataset, image, channel, SNR, seed). Rows are appended one line at a
time and flushed to disk, so an interrupted sweep leaves only whole rows (a torn last line, possible
after ``kill -9`` mid-write, is dropped on the next open). CSV and JSON Lines are chosen by suffix.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Iterable

from semcom.errors import ResultsFileError


@dataclass(frozen=True)
class ResultRow:
    """One evaluated image at one operating point. Units: dB for SNR and PSNR, seconds for time."""

    scheme: str
    weights_id: str
    dataset: str
    image_id: str
    channel: str
    snr_db: float
    rho: float
    k: int
    n: int
    psnr: float
    ssim: float
    ms_ssim: float
    lpips: float = math.nan
    fid: float = math.nan
    clip: float = math.nan
    denoise_steps: int = 0
    seed: int = 0
    seconds: float = math.nan
    git_commit: str = "unknown"
    snr_db_est: float = math.nan
    bpp: float = math.nan
    outage: int = 0
    info: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return row_key(self.scheme, self.weights_id, self.dataset, self.image_id, self.channel, self.snr_db, self.seed)


COLUMNS = tuple(f.name for f in fields(ResultRow))
_INT = {"k", "n", "denoise_steps", "seed", "outage"}
_FLOAT = {f.name for f in fields(ResultRow) if f.type == "float"}


def row_key(scheme, weights_id, dataset, image_id, channel, snr_db, seed) -> tuple:
    """Identity of a row for resuming: everything that decides its value."""
    return (scheme, weights_id, dataset, image_id, channel, round(float(snr_db), 6), int(seed))


class ResultsFile:
    """Append-only results file (``.csv`` or ``.jsonl``)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.suffix not in (".csv", ".jsonl"):
            raise ResultsFileError(f"{self.path}: results file must end in .csv or .jsonl")
        self.is_csv = self.path.suffix == ".csv"

    def read(self) -> list[ResultRow]:
        """All complete rows; a missing file has none."""
        if not self.path.exists():
            return []
        text = self.path.read_text(encoding="utf-8")
        if text and not text.endswith("\n"):
            text = text[: text.rfind("\n") + 1]  # torn last line from an interrupted write
        return self._parse(text) if text else []

    def keys(self) -> set[tuple]:
        return {row.key for row in self.read()}

    def append(self, rows: Iterable[ResultRow]) -> None:
        """Append whole rows, each flushed and fsynced before the next is written."""
        self._repair()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists() or self.path.stat().st_size == 0
        with self.path.open("a", encoding="utf-8", newline="") as handle:
            if new and self.is_csv:
                handle.write(",".join(COLUMNS) + "\n")
            for row in rows:
                handle.write(self._format(row))
                handle.flush()
                os.fsync(handle.fileno())

    def _repair(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with self.path.open("r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)
        if self.is_csv and data:
            header = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
            if header != ",".join(COLUMNS):
                raise ResultsFileError(f"{self.path}: columns differ from this version's schema; use a new file")

    def _format(self, row: ResultRow) -> str:
        values = asdict(row)
        if not self.is_csv:
            return json.dumps({k: _json_safe(v) for k, v in values.items()}) + "\n"
        buffer = io.StringIO()
        values["info"] = json.dumps(values["info"], sort_keys=True)
        csv.writer(buffer, lineterminator="\n").writerow([values[c] for c in COLUMNS])
        return buffer.getvalue()

    def _parse(self, text: str) -> list[ResultRow]:
        if self.is_csv:
            reader = csv.DictReader(io.StringIO(text))
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise ResultsFileError(f"{self.path}: columns differ from this version's schema; use a new file")
            records = list(reader)
        else:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        return [_row_from_record(r, self.path) for r in records]


def _row_from_record(record: dict, path: Path) -> ResultRow:
    try:
        values = {}
        for name in COLUMNS:
            value = record[name]
            if name in _INT:
                value = int(value)
            elif name in _FLOAT:
                value = math.nan if value in (None, "", "nan") else float(value)
            elif name == "info" and isinstance(value, str):
                value = json.loads(value) if value else {}
            values[name] = value
        return ResultRow(**values)
    except (KeyError, ValueError, TypeError) as exc:
        raise ResultsFileError(f"{path}: malformed row ({exc})") from None


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def load_results(path: str | Path) -> list[ResultRow]:
    """Read any results file written by :class:`ResultsFile`."""
    path = Path(path)
    if not path.exists():
        raise ResultsFileError(f"{path}: no such results file")
    return ResultsFile(path).read()
