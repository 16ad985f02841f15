"""Latency of the core path on one 768×512 image (Kodak size): channels, identity-analog, metrics.

Usage: python benchmarks/core_throughput.py [--threads 2] [--repeats 20] [--json out.json]
Prints a table of median / p90 milliseconds; nothing here is asserted (see tests/ for behaviour).
"""

from __future__ import annotations

import statistics
import time

import torch
from timing import parse_common_args, write_json

from semcom.channels import ChannelSpec, normalize_power, transmit_symbols
from semcom.metrics import ms_ssim, psnr, ssim
from semcom.schemes import create_scheme

CHANNELS = ("awgn", "awgn:snr=blind", "rayleigh", "rayleigh:coherence=64,csi=ls,eq=zf,pilots=4,snr=pilot",
            "rayleigh:coherence=fast,eq=mmse")


def timed(fn, repeats: int) -> tuple[float, float]:
    fn()  # warm-up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(1e3 * (time.perf_counter() - start))
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.9 * len(samples)))]


def main() -> None:
    args = parse_common_args(__doc__, repeats=20)
    g = torch.Generator().manual_seed(0)
    image = torch.rand(1, 3, 512, 768, generator=g)
    recon = (image + 0.05 * torch.randn(image.shape, generator=g)).clamp(0, 1)
    k = 3 * 512 * 768 // 12  # rho = 1/12
    symbols = normalize_power(torch.randn(1, k, dtype=torch.complex64, generator=g)).symbols

    rows = []
    for label in CHANNELS:
        spec = ChannelSpec.parse(label)
        rows.append((f"transmit_symbols k={k} {label}", *timed(lambda: transmit_symbols(symbols, 10.0, spec, g), args.repeats)))
    for spec in ("identity-analog", "identity-analog:receiver=lmmse"):
        scheme = create_scheme(spec)
        rows.append((f"{spec} 768x512 awgn", *timed(lambda: scheme.transmit(image, 10.0, ChannelSpec(), g), args.repeats)))
    for metric in (psnr, ssim, ms_ssim):
        rows.append((f"metric {metric.__name__} 768x512", *timed(lambda: metric(image, recon), args.repeats)))

    width = max(len(r[0]) for r in rows)
    print(f"{'operation':<{width}}  {'p50 ms':>8}  {'p90 ms':>8}   (threads={args.threads}, repeats={args.repeats})")
    for name, p50, p90 in rows:
        print(f"{name:<{width}}  {p50:8.2f}  {p90:8.2f}")
    write_json([{"operation": n, "p50_ms": a, "p90_ms": b, "threads": args.threads} for n, a, b in rows],
               args.json)


if __name__ == "__main__":
    main()
