"""Cost of one results-file append against the rows already in the file (issue 26, point 5).

A sweep appends one row at a time to a file that grows to tens of thousands of rows (24 Kodak images x schemes
x channels x SNRs x realizations). Each append must cost the same whatever the file holds: under the file lock
it reads the first line (header check), the last block (torn-tail check) and the bytes other writers added
since its last look, never the whole file. This prints, for files of N rows, the median wall time of
``append`` (a new row) and ``append_new`` (a new row, with the duplicate check), both on a writer that has
already looked at the file, as a sweep's writer has.

    python benchmarks/results_append.py [--sizes 100,1000,10000,100000] [--repeats 50]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import cpu_description, median_seconds  # noqa: E402

from semcom.evaluation.results import ResultRow, ResultsFile  # noqa: E402


def make_row(index: int) -> ResultRow:
    """A plausible Kodak row; ``index`` makes its key unique (the SNR)."""
    return ResultRow(scheme="adjscc:weights=adjscc-snr0to28-rho1_48", weights_id="94c25e5c0800", dataset="kodak",
                     image_id="kodim01", channel="awgn", snr_db=float(index), rho=1 / 48, k=8192, n=1179648,
                     psnr=25.0, ssim=0.8, ms_ssim=0.9, lpips=math.nan, fid=math.nan, clip=math.nan,
                     denoise_steps=0, seed=0, seconds=0.1, git_commit="0123456789ab",
                     info={"metrics": ["ms_ssim", "psnr", "ssim"]}, realization=0)


def measure(rows: int, repeats: int, suffix: str) -> tuple[float, float]:
    """Median seconds of ``append`` and ``append_new`` on a file already holding ``rows`` rows."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"r{suffix}"
        seed = ResultsFile(path)
        seed.append([make_row(0)])  # the header, through the class
        with path.open("a") as handle:  # the bulk in one write: fsyncing 1e5 rows one by one is not what is measured
            handle.write("".join(seed._format(make_row(i)) for i in range(1, rows)))
        writer = ResultsFile(path)
        writer.keys()  # a sweep's writer reads the file once, when it starts
        counter = iter(range(rows, rows + 10 * (repeats + 1)))
        plain = median_seconds(lambda: writer.append([make_row(next(counter))]), repeats)
        checked = median_seconds(lambda: writer.append_new(make_row(next(counter))), repeats)
    return plain, checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000", help="rows already in the file")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--suffix", default=".csv", choices=(".csv", ".jsonl"))
    args = parser.parse_args()
    print(f"CPU: {cpu_description()}; file type {args.suffix}; median of {args.repeats} appends, fsync included")
    print("| rows in file | file MiB | append (ms) | append_new (ms) |")
    print("| ---: | ---: | ---: | ---: |")
    for size in (int(s) for s in args.sizes.split(",")):
        plain, checked = measure(size, args.repeats, args.suffix)
        mib = size * len(ResultsFile(Path("x" + args.suffix))._format(make_row(0)).encode()) / 2**20
        print(f"| {size} | {mib:.1f} | {plain * 1e3:.3f} | {checked * 1e3:.3f} |")


if __name__ == "__main__":
    main()
