"""Take the rows a longer run added to a results CSV: copy SOURCE over TARGET when TARGET is a prefix of it.

    python scripts/take_rows.py runs/paper_b/paper_b_snr.csv docs/results/paper_b/paper_b_snr.csv
    python scripts/take_rows.py other_machine/paper_b_snr.csv.gz docs/results/paper_b/paper_b_snr.csv

A resumed sweep (in a background folder, or on another machine that started from the committed file) only
appends to the file it was given, so the committed rows must come back unchanged at its start. Anything else
(a different file, a rewritten header) is refused with one line and exit code 2, and TARGET is left as it was.
SOURCE may be gzip-compressed (``.gz``). A row still being written (no final newline) is left out.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

from semcom.files import atomic_write_bytes


def read_bytes(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def take_rows(source: Path, target: Path) -> tuple[int, int]:
    """Replace ``target`` by the complete lines of ``source``; (lines before, lines after)."""
    new = read_bytes(source)
    new = new[:new.rfind(b"\n") + 1]
    old = target.read_bytes() if target.exists() else b""
    if not new.startswith(old):
        raise ValueError(f"{target} is not a prefix of {source}: they are not the same run's rows")
    atomic_write_bytes(target, new)
    return old.count(b"\n"), new.count(b"\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="the longer run's CSV (.csv or .csv.gz)")
    parser.add_argument("target", type=Path, help="the CSV to extend (committed rows)")
    args = parser.parse_args(argv)
    try:
        before, after = take_rows(args.source, args.target)
    except (OSError, ValueError, EOFError, gzip.BadGzipFile) as error:
        print(f"take_rows: {error}", file=sys.stderr)
        return 2
    print(f"{args.target}: {before} -> {after} lines ({after - before} taken)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
