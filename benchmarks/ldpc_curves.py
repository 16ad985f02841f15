"""BER/BLER of the 802.11n LDPC codes with QPSK over AWGN, and the speed of the byte pipe.

Usage: python benchmarks/ldpc_curves.py [--out benchmarks/out/] [--max-blocks 400] [--ber-blocks 3000]

For every code rate, sweeps SNR (dB, DESIGN.md §2) on a 0.25 dB grid from just below the Shannon limit of
QPSK at that rate (``2·rate`` bits per channel use, limit ``10 log10(2^(2·rate) - 1)``) until a point decodes
without block errors. Each point decodes codewords through the real link (``measure_point`` of
``semcom.digital.measure_mcs``) until 50 block errors or ``--max-blocks``; rate-1/2 points near the waterfall
get ``--ber-blocks`` to resolve a BER of 1e-4. Writes ``ldpc_curves.csv``, ``ldpc_curves.png`` and
``bitpipe_timing.csv`` to ``--out``; prints the table, the rate-1/2 SNR for BER < 1e-4 with its gap to the
Shannon limit, and the seconds per Kodak-sized payload (rho = 1/12: 98,304 channel uses) through
``send_bytes``.
Nothing is asserted here (see tests/ for behaviour).
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from semcom.channels import ChannelSpec
from semcom.digital import MCS, load_mcs_table, payload_capacity_bytes, send_bytes
from semcom.digital.ldpc import LDPCCode
from semcom.digital.measure_mcs import measure_point, shannon_limit_db

KODAK_SYMBOLS = 98_304  # rho = k / n = 1/12 with n = 3 · 768 · 512 source values
BER_TARGET = 1e-4


def sweep_rate(rate: str, args, step: float = 0.25) -> list[dict]:
    mcs = MCS(2, rate)
    limit = shannon_limit_db(mcs.spectral_efficiency)
    snr = math.floor((limit - 0.25) / step) * step
    rows = []
    while True:
        blocks = args.max_blocks
        if rate == "1/2" and rows and rows[-1]["bler"] < 0.2:
            blocks = args.ber_blocks  # resolve BER ~ 1e-4 near and below the waterfall
        p = measure_point(mcs, round(snr, 4), max_blocks=blocks, min_errors=50, batch=50, seed=args.seed)
        rows.append(dict(rate=rate, snr_db=p.snr_db, blocks=p.blocks, block_errors=p.block_errors,
                         bler=p.bler, bit_errors=p.bit_errors, info_bits=p.info_bits, ber=p.ber,
                         shannon_limit_db=round(limit, 4), seconds=round(p.seconds, 2)))
        print(f"  rate {rate:>3}  {p.snr_db:6.2f} dB  BLER {p.bler:8.2e} ({p.block_errors:>3}/{p.blocks:>4})"
              f"  BER {p.ber:8.2e}  [{p.seconds:5.1f} s]", flush=True)
        done = p.block_errors == 0 and (rate != "1/2" or p.ber < BER_TARGET)
        if done or snr > limit + 8:
            return rows
        snr += step


def ber_crossing(rows: list[dict]) -> tuple[float | None, float | None]:
    """First grid SNR with BER < 1e-4, and a log-linear interpolation of the crossing."""
    for prev, cur in zip(rows, rows[1:]):
        if cur["ber"] < BER_TARGET <= prev["ber"]:
            if cur["ber"] > 0:
                lo, hi = math.log10(prev["ber"]), math.log10(cur["ber"])
                frac = (lo - math.log10(BER_TARGET)) / (lo - hi)
                return cur["snr_db"], prev["snr_db"] + frac * (cur["snr_db"] - prev["snr_db"])
            return cur["snr_db"], None
    return None, None


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharex=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, rate in enumerate(LDPCCode.available_rates()):
        r = [row for row in rows if row["rate"] == rate]
        snr = [row["snr_db"] for row in r]
        for ax, key in zip(axes, ("ber", "bler")):
            values = [row[key] if row[key] > 0 else np.nan for row in r]
            ax.semilogy(snr, values, "o-", color=colors[i], ms=3, label=f"rate {rate}")
            ax.axvline(r[0]["shannon_limit_db"], color=colors[i], ls="--", lw=0.8)
    for ax, title in zip(axes, ("BER (information bits)", "BLER (codewords)")):
        ax.set_xlabel("SNR = P/σ² (dB)")
        ax.set_title(f"{title}, QPSK, AWGN, 802.11n LDPC n=1944")
        ax.grid(True, which="both", alpha=0.3)
        ax.set_ylim(1e-6 if "BER" in title else 1e-4, 1.0)
    axes[0].axhline(BER_TARGET, color="grey", lw=0.6)
    axes[1].axhline(1e-2, color="grey", lw=0.6)
    axes[0].legend(title="dashed: Shannon limit", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def time_bitpipe(name: str, snr_db: float, repeats: int) -> dict:
    mcs = MCS.parse(name)
    cap = payload_capacity_bytes(KODAK_SYMBOLS, mcs)
    payload = np.random.default_rng(0).integers(0, 256, cap, dtype=np.uint8).tobytes()
    spec = ChannelSpec.parse("awgn")
    gen = torch.Generator().manual_seed(0)
    send_bytes(payload, KODAK_SYMBOLS, mcs, snr_db, spec, gen)  # warm-up (code construction)
    times, errors, blocks = [], 0, 0
    for _ in range(repeats):
        start = time.perf_counter()
        res = send_bytes(payload, KODAK_SYMBOLS, mcs, snr_db, spec, gen)
        times.append(time.perf_counter() - start)
        errors += res.block_errors
        blocks = res.blocks
    return dict(mcs=name, snr_db=snr_db, symbols=KODAK_SYMBOLS, payload_bytes=cap, blocks=blocks,
                block_errors_total=errors, repeats=repeats, median_s=round(statistics.median(times), 3),
                max_s=round(max(times), 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out"))
    parser.add_argument("--max-blocks", type=int, default=400)
    parser.add_argument("--ber-blocks", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)

    rows = []
    for rate in LDPCCode.available_rates():
        rows += sweep_rate(rate, args)
    with open(args.out / "ldpc_curves.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, args.out / "ldpc_curves.png")

    print("\nrate  SNR(dB)  blocks  BLER      BER       Shannon(dB)")
    for r in rows:
        print(f"{r['rate']:>4}  {r['snr_db']:7.2f}  {r['blocks']:6d}  {r['bler']:.2e}  {r['ber']:.2e}  "
              f"{r['shannon_limit_db']:6.2f}")
    grid, interp = ber_crossing([r for r in rows if r["rate"] == "1/2"])
    if grid is None:
        print("\nrate 1/2: BER < 1e-4 not reached in the sweep")
    else:
        extra = f" (log-interpolated crossing {interp:.2f} dB)" if interp is not None else ""
        print(f"\nrate 1/2: BER < 1e-4 first at {grid:.2f} dB on the 0.25 dB grid{extra}; "
              f"gap to the Shannon limit (0 dB): {grid:.2f} dB")

    table = load_mcs_table()
    timing = []
    for name in ("qpsk-1/2", "16qam-3/4"):
        for offset in (3.0, 0.5):
            timing.append(time_bitpipe(name, table.threshold(name) + offset, args.repeats))
    with open(args.out / "bitpipe_timing.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(timing[0]))
        writer.writeheader()
        writer.writerows(timing)
    print("\nsend_bytes, Kodak-sized payload (rho = 1/12, 98,304 channel uses), AWGN:")
    for t in timing:
        print(f"  {t['mcs']:>9} at {t['snr_db']:5.2f} dB: {t['payload_bytes']} bytes in {t['blocks']} "
              f"codewords, median {t['median_s']:.3f} s, max {t['max_s']:.3f} s, "
              f"block errors {t['block_errors_total']}/{t['blocks'] * t['repeats']}")
    names = ("ldpc_curves.csv", "ldpc_curves.png", "bitpipe_timing.csv")
    written = ", ".join(str(args.out / n) for n in names)
    print(f"\nwrote {written}")


if __name__ == "__main__":
    main()
