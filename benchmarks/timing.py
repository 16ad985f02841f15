"""Shared timing helper of the benchmark scripts (run as ``python benchmarks/<script>.py``)."""

from __future__ import annotations

import argparse
import json
import statistics
import time


def median_seconds(fn, repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls, after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def timed(fn):
    """``(fn(), seconds)``: the result of one call and its wall time."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def quantile(samples, q: float) -> float:
    """The ``q`` quantile of ``samples`` with linear interpolation between order statistics (numpy's default)."""
    ordered = sorted(samples)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def cpu_description() -> str:
    """The CPU model and whether it has native bf16 matrix units, e.g. ``"Intel Xeon (avx512_bf16: no, amx_bf16: no)"``.

    bf16 autocast is only fast with AMX or AVX512-BF16; without them oneDNN emulates it and it is slower than fp32,
    so a bf16 timing means nothing without this line beside it.
    """
    model, flags = "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        import platform
        model = platform.processor() or model
    marks = ", ".join(f"{flag}: {'yes' if flag in flags else 'no'}" for flag in ("avx512_bf16", "amx_bf16"))
    return f"{model} ({marks})"


def parse_common_args(doc: str, repeats: int) -> argparse.Namespace:
    """The options every benchmark has: ``--threads`` (applied to torch), ``--repeats``, ``--json``."""
    import torch

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    return args


def write_json(rows: list, path) -> None:
    """Write the table's rows to ``path`` (``--json``); nothing when ``path`` is None."""
    if path:
        with open(path, "w") as handle:
            json.dump(rows, handle, indent=1)
