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


def layout_arguments(description: str) -> argparse.Namespace:
    """The options of the NCHW-against-channels-last benchmarks (a batch at Kodak's size, 2 threads), parsed;
    the thread count is applied."""
    import torch

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--height", type=int, default=512)
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    return args


def print_layout_table(cases, repeats: int) -> None:
    """One line per ``(name, fn, inputs)``: median seconds of ``fn(*inputs)`` with the inputs as given (NCHW)
    and in channels-last, the speed-up and the largest difference between the two outputs."""
    import torch

    print(f"{'part':<8} {'NCHW s':>8} {'channels-last s':>16} {'speed-up':>9} {'max |diff|':>11}")
    for name, fn, inputs in cases:
        last = tuple(x.contiguous(memory_format=torch.channels_last) for x in inputs)
        with torch.no_grad():
            plain_s = median_seconds(lambda: fn(*inputs), repeats)
            last_s = median_seconds(lambda: fn(*last), repeats)
            diff = (fn(*inputs) - fn(*last)).abs().max().item()
        print(f"{name:<8} {plain_s:>8.3f} {last_s:>16.3f} {plain_s / last_s:>8.1f}x {diff:>11.1e}")

