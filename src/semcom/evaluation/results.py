"""The results-file schema of DESIGN.md §4 and an append-only, resumable writer.

One row per (scheme, weights, dataset, image, channel, SNR, seed, channel realization). Rows are appended one line at a
time and flushed to disk, so an interrupted sweep leaves only whole rows (a torn last line, possible
after ``kill -9`` mid-write, is dropped on the next open). CSV and JSON Lines are chosen by suffix.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import json
import math
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Iterable

from semcom.errors import ResultsFileError

CHUNK = 1 << 16


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
    #: which of the image's channel draws at this operating point (0, 1, ...; ``--realizations``)
    realization: int = 0
    #: VIF-P (semcom.metrics.information); a column added after ``realization``, NaN in older files
    vif: float = math.nan

    @property
    def key(self) -> tuple:
        return row_key(self.scheme, self.weights_id, self.dataset, self.image_id, self.channel, self.snr_db, self.seed,
                       self.realization)


COLUMNS = tuple(f.name for f in fields(ResultRow))
#: Headers of files written by earlier versions, newest first: before the ``vif`` column, and before the
#: realization axis too. Their rows read with the missing columns at their defaults (NaN, realization 0);
#: the file is rewritten with the current header, under the lock, before the next row is appended.
OLDER_COLUMNS = (tuple(c for c in COLUMNS if c != "vif"), tuple(c for c in COLUMNS if c not in ("vif", "realization")))
LEGACY_COLUMNS = OLDER_COLUMNS[-1]
KNOWN_HEADERS = (COLUMNS, *OLDER_COLUMNS)
_HEADER_LINES = {",".join(h) for h in KNOWN_HEADERS}
_OLDER_HEADER_LINES = {",".join(h) for h in OLDER_COLUMNS}
#: Columns that older files lack, and the value their rows read with.
_ADDED_LATER = {"realization": 0, "vif": math.nan}
_INT = {"k", "n", "denoise_steps", "seed", "outage", "realization"}
_FLOAT = {f.name for f in fields(ResultRow) if f.type == "float"}


def row_key(scheme, weights_id, dataset, image_id, channel, snr_db, seed, realization=0) -> tuple:
    """Identity of a row for resuming: everything that decides its value."""
    return (scheme, weights_id, dataset, image_id, channel, round(float(snr_db), 6), int(seed), int(realization))


class ResultsFile:
    """Append-only results file (``.csv`` or ``.jsonl``), safe to share between processes.

    Every write holds an exclusive ``flock`` on the file; :meth:`append_new` re-reads only the bytes other
    processes appended since the last look (O(new rows), not O(file)) and writes a row only if its key is not
    there yet, so concurrent sweeps over one file write each row once. A file that is not a results file of
    this schema is refused (:meth:`check`) before anything is written to it. :meth:`read` keeps the last row
    of each key.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.suffix not in (".csv", ".jsonl"):
            raise ResultsFileError(f"{self.path}: results file must end in .csv or .jsonl")
        self.is_csv = self.path.suffix == ".csv"
        self._offset = 0  # bytes of the file already folded into ``_done``
        self._done: dict[tuple, frozenset[str]] = {}  # key -> the metrics its rows hold
        self._columns = COLUMNS  # the file's header: COLUMNS, or one of OLDER_COLUMNS until upgraded

    def check(self) -> None:
        """Raise :class:`ResultsFileError` unless the file is missing, empty, or starts as a results file."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        if not self.path.is_file():
            raise ResultsFileError(f"{self.path}: not a regular file")
        with self.path.open("rb") as handle:
            first = handle.readline(1 << 20)
        try:
            line = first.decode("utf-8").rstrip("\r\n")
            ok = line in _HEADER_LINES if self.is_csv else \
                set(LEGACY_COLUMNS) <= set(json.loads(line))
        except (UnicodeDecodeError, ValueError, TypeError):
            ok = False
        if not ok:
            raise ResultsFileError(f"{self.path}: exists and is not a semcom results file of this version "
                                   "(its first line is not the header of these columns); nothing was written, "
                                   "use a new file")

    def read(self) -> list[ResultRow]:
        """All complete rows, the last one of each key; a missing file has none."""
        if not self.path.exists():
            return []
        self.check()
        rows = self._parse(self._complete(self.path.read_bytes()), start_line=1)
        return list({row.key: row for row in rows}.values())

    def keys(self) -> set[tuple]:
        self._refresh()
        return set(self._done)

    def metrics_of(self, key: tuple) -> frozenset[str]:
        """The metrics the rows of ``key`` hold (empty when there is no such row)."""
        self._refresh()
        return self._done.get(key, frozenset())

    def has(self, key: tuple, metrics: Iterable[str] = ()) -> bool:
        """Whether a row with ``key`` holding every one of ``metrics`` is in the file now (reads only what was
        appended since the last look)."""
        self._refresh()
        return key in self._done and set(metrics) <= self._done[key]

    def append(self, rows: Iterable[ResultRow]) -> None:
        """Append whole rows under the file lock, each flushed and fsynced before the next is written."""
        with self._locked() as handle:
            for row in rows:
                self._write(handle, row)

    def append_new(self, row: ResultRow) -> bool:
        """Append ``row`` unless a row with its key and its metrics is already there (also one another process
        just wrote); returns whether it was written."""
        with self._locked() as handle:
            if self.has(row.key, row_metrics(row)):
                return False
            self._write(handle, row)
            return True

    @contextlib.contextmanager
    def _locked(self):
        self.check()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                self._drop_torn_tail(handle)
                if self._upgrade_legacy(handle):
                    self._offset, self._done, self._columns = 0, {}, COLUMNS
                if self.is_csv and handle.seek(0, os.SEEK_END) == 0:
                    handle.write((",".join(COLUMNS) + "\n").encode())
                yield handle
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _upgrade_legacy(self, handle) -> bool:
        """Rewrite a CSV with an older header (:data:`OLDER_COLUMNS`) in place with the current one (the missing
        columns at their defaults), under the lock, before a row of the new layout is appended; returns
        whether it did."""
        if not self.is_csv:
            return False
        handle.seek(0)
        if handle.readline().decode("utf-8", "replace").rstrip("\r\n") not in _OLDER_HEADER_LINES:
            return False
        handle.seek(0)
        rows = self._parse(self._complete(handle.read()), start_line=1)
        text = ",".join(COLUMNS) + "\n" + "".join(self._format(row) for row in rows)
        handle.seek(0)
        handle.truncate()
        handle.write(text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
        return True

    @staticmethod
    def _drop_torn_tail(handle) -> None:
        """Cut a last line without its newline (a writer killed mid-row), scanning back from the end only."""
        end = handle.seek(0, os.SEEK_END)
        position = end
        while position > 0:
            step = min(CHUNK, position)
            handle.seek(position - step)
            block = handle.read(step)
            if position == end and block.endswith(b"\n"):
                return
            newline = block.rfind(b"\n")
            if newline >= 0:
                handle.truncate(position - step + newline + 1)
                return
            position -= step
        handle.truncate(0)

    def _write(self, handle, row: ResultRow) -> None:
        handle.write(self._format(row).encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())

    def _refresh(self) -> None:
        """Fold the complete lines appended since ``_offset`` into ``_done``."""
        if not self.path.exists():
            self._offset, self._done = 0, {}
            return
        size = self.path.stat().st_size
        if size < self._offset:  # replaced or truncated by someone else: start over
            self._offset, self._done = 0, {}
        if size == self._offset:
            return
        self.check()
        with self.path.open("rb") as handle:
            handle.seek(self._offset)
            chunk = self._complete(handle.read(size - self._offset))
        header = self._offset == 0 and self.is_csv
        rows = self._parse(chunk, start_line=1, header=header)
        for row in rows:
            self._done[row.key] = self._done.get(row.key, frozenset()) | row_metrics(row)
        self._offset += len(chunk)

    @staticmethod
    def _complete(data: bytes) -> bytes:
        return data[: data.rfind(b"\n") + 1] if data and not data.endswith(b"\n") else data

    def _format(self, row: ResultRow) -> str:
        values = asdict(row)
        if not self.is_csv:
            return json.dumps({k: _json_safe(v) for k, v in values.items()}) + "\n"
        buffer = io.StringIO()
        values["info"] = json.dumps(values["info"], sort_keys=True)
        csv.writer(buffer, lineterminator="\n").writerow([values[c] for c in COLUMNS])
        return buffer.getvalue()

    def _parse(self, data: bytes, start_line: int = 1, header: bool | None = None) -> list[ResultRow]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ResultsFileError(f"{self.path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        if not text:
            return []
        if self.is_csv:
            reader = csv.reader(io.StringIO(text))
            if header is None or header:
                columns = tuple(next(reader, ()))
                if columns not in KNOWN_HEADERS:
                    raise ResultsFileError(f"{self.path}: columns differ from this version's schema; use a new file")
                self._columns = columns
            columns = self._columns
            records = [(reader.line_num, dict(zip(columns, values)) if len(values) == len(columns) else None)
                       for values in reader]
        else:
            records = [(number, _json_line(line)) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
        return [_row_from_record(record, self.path, number) for number, record in records]


#: Metric columns a row can hold.
METRIC_COLUMNS = ("psnr", "ssim", "ms_ssim", "lpips", "fid", "clip", "vif")


def row_metrics(row: ResultRow) -> frozenset[str]:
    """The metrics a row was computed with: ``info["metrics"]``, or, for rows written before that was
    recorded, the metric columns that are not NaN."""
    recorded = row.info.get("metrics") if isinstance(row.info, dict) else None
    if isinstance(recorded, list):
        return frozenset(recorded)
    return frozenset(m for m in METRIC_COLUMNS if not math.isnan(getattr(row, m)))


def _json_line(line: str):
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _row_from_record(record, path: Path, line: int = 0) -> ResultRow:
    where = f"{path}, line {line}" if line else str(path)
    if record is None:
        raise ResultsFileError(f"{where}: malformed row (not a results record)")
    try:
        values = {}
        for name in COLUMNS:
            value = record.get(name, _ADDED_LATER[name]) if name in _ADDED_LATER else record[name]
            if name in _INT:
                value = int(value)
            elif name in _FLOAT:
                value = math.nan if value in (None, "", "nan") else float(value)
            elif name == "info" and isinstance(value, str):
                value = json.loads(value) if value else {}
            values[name] = value
        return ResultRow(**values)
    except (KeyError, ValueError, TypeError) as exc:
        raise ResultsFileError(f"{where}: malformed row ({exc})") from None


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
