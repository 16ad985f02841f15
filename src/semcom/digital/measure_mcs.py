"""Measure the AWGN SNR threshold (BLER < 1e-2) of every MCS and write the packaged table.

Usage::

    python -m semcom.digital.measure_mcs --out src/semcom/digital/mcs_table.json
    python -m semcom.digital.measure_mcs --family nr --max-blocks 500 --out src/semcom/digital/mcs_table_nr.json

For each MCS the sweep starts ``--start-margin`` dB above the Gaussian-input Shannon limit
``10 log10(2^SE - 1)`` (SE = spectral efficiency; no code can work below it) on a ``--step`` dB grid and walks
up until the measured BLER is below the target; that SNR is the threshold. One more point above it is measured
as a check. A point decodes batches of codewords until it has ``--min-errors`` block errors or
``--max-blocks`` blocks, or until its verdict is settled: once ``target · max_blocks`` blocks have failed, the
BLER over ``max_blocks`` could no longer be below the target, so the point stops there (its BLER is then the
running estimate, from at least that many errors). Each codeword carries fresh random information bits, goes
through the real link (:func:`semcom.channels.transmit_symbols`, AWGN, known SNR), is demapped with the link's
effective noise variance and decoded by BP; a block error is any information bit wrong. Every point has its
own seed derived from ``--seed``, the MCS name and the SNR, so a point's result does not depend on the search
path.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import shlex
import subprocess
import sys
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from semcom.channels.link import transmit_symbols
from semcom.channels.spec import ChannelSpec
from semcom.digital.mcs import FAMILIES, MCS, family_mcs
from semcom.digital.nr import DEFAULT_ITERATIONS, NR_BLOCK_BITS

TARGET_BLER = 1e-2


@dataclass(frozen=True)
class PointResult:
    """Measured error counts at one SNR.

    Attributes:
        snr_db: SNR (dB).
        blocks: codewords decoded.
        block_errors: codewords with any information bit wrong.
        bit_errors: information bits wrong, over ``blocks · k`` bits.
        info_bits: ``blocks · k``.
        seconds: wall time.
    """

    snr_db: float
    blocks: int
    block_errors: int
    bit_errors: int
    info_bits: int
    seconds: float

    @property
    def bler(self) -> float:
        return self.block_errors / self.blocks if self.blocks else float("nan")

    @property
    def ber(self) -> float:
        return self.bit_errors / self.info_bits if self.info_bits else float("nan")

    def as_dict(self) -> dict:
        d = asdict(self)
        d.update(bler=self.bler, ber=self.ber, seconds=round(self.seconds, 3))
        return d


def shannon_limit_db(spectral_efficiency: float) -> float:
    """Lowest SNR (dB) at which a complex AWGN channel carries ``spectral_efficiency`` bits per use."""
    return 10.0 * math.log10(2.0**spectral_efficiency - 1.0)


def point_seed(seed: int, mcs: MCS, snr_db: float) -> np.random.SeedSequence:
    """Seed of one measurement point, a function of (seed, MCS name, SNR) only."""
    return np.random.SeedSequence([seed, zlib.crc32(mcs.name.encode()), int(round(snr_db * 1000)) + 10**7])


def measure_point(
    mcs: MCS,
    snr_db: float,
    *,
    max_blocks: int,
    min_errors: int,
    batch: int = 100,
    seed: int = 0,
    channel: Optional[ChannelSpec] = None,
    max_iter: int = 50,
    fail_errors: Optional[int] = None,
    on_batch: Optional[Callable[[PointResult], None]] = None,
) -> PointResult:
    """Decode codewords at ``snr_db`` until ``min_errors`` block errors or ``max_blocks`` blocks.

    Args:
        mcs: the scheme.
        snr_db: SNR ``P/sigma²`` (dB).
        max_blocks, min_errors: stopping rule (checked after each batch of ``batch`` codewords).
        seed: base seed; the point's random sources come from :func:`point_seed`.
        channel: link spec (default AWGN with known SNR).
        max_iter: BP iteration limit.
        fail_errors: also stop once this many block errors are reached (a settled "fails the target").
        on_batch: called with the running totals after each batch (progress display).
    """
    channel = channel or ChannelSpec.parse("awgn")
    code, qam = mcs.code, mcs.modulation
    ss = point_seed(seed, mcs, snr_db)
    rng = np.random.default_rng(ss)
    gen = torch.Generator().manual_seed(int(ss.generate_state(1, dtype=np.uint64)[0] >> 1))
    blocks = block_errors = bit_errors = 0
    start = time.perf_counter()
    result = PointResult(snr_db, 0, 0, 0, 0, 0.0)
    stop_errors = min(min_errors, fail_errors) if fail_errors else min_errors
    while blocks < max_blocks and block_errors < stop_errors:
        b = min(batch, max_blocks - blocks)
        info = rng.integers(0, 2, size=(b, code.k), dtype=np.uint8)
        symbols = qam.modulate(torch.from_numpy(code.encode(info)))  # [b, n/m]: one codeword per row
        link = transmit_symbols(symbols, snr_db, channel, gen)
        llr = qam.demap(link.equalized.unbiased, link.equalized.effective_noise_var)
        decoded = code.decode(llr, max_iter=max_iter)
        wrong = decoded.info != info
        blocks += b
        block_errors += int(wrong.any(axis=1).sum())
        bit_errors += int(wrong.sum())
        elapsed = time.perf_counter() - start
        result = PointResult(snr_db, blocks, block_errors, bit_errors, blocks * code.k, elapsed)
        if on_batch:
            on_batch(result)
    return result


def find_threshold(
    mcs: MCS,
    *,
    step: float,
    start_margin: float,
    target_bler: float = TARGET_BLER,
    on_batch: Optional[Callable[[PointResult], None]] = None,
    **point_kwargs,
) -> tuple[float, list[PointResult]]:
    """Lowest SNR on the ``step`` grid whose BLER is below ``target_bler`` (walking up, or down if the first
    point already passes), plus one check point above it. Returns ``(threshold_db, points sorted by SNR)``."""
    grid = lambda x: round(round(x / step) * step, 6)  # noqa: E731
    measured: dict[float, PointResult] = {}

    fail_errors = math.ceil(target_bler * point_kwargs["max_blocks"])

    def passes(snr: float) -> bool:
        if snr not in measured:
            measured[snr] = measure_point(
                mcs, snr, on_batch=on_batch, fail_errors=fail_errors, **point_kwargs
            )
        return measured[snr].bler < target_bler

    snr = grid(math.ceil((shannon_limit_db(mcs.spectral_efficiency) + start_margin) / step) * step)
    if passes(snr):
        while passes(grid(snr - step)):
            snr = grid(snr - step)
    else:
        while not passes(snr):
            snr = grid(snr + step)
            if snr > 60:
                raise RuntimeError(f"{mcs.name}: BLER never fell below {target_bler} up to 60 dB")
    passes(grid(snr + step))  # check point
    return snr, [measured[k] for k in sorted(measured)]


def _git(*args: str) -> Optional[str]:
    root = Path(__file__).resolve().parents[3]
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m semcom.digital.measure_mcs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", required=True, type=Path, help="JSON file to write")
    parser.add_argument("--max-blocks", type=int, default=1500, help="codewords per point at most")
    parser.add_argument("--min-errors", type=int, default=50, help="stop a point at this many block errors")
    parser.add_argument("--batch", type=int, default=50, help="codewords per channel call")
    parser.add_argument("--step", type=float, default=0.25, help="SNR grid step (dB)")
    parser.add_argument("--start-margin", type=float, default=0.5, help="first point: Shannon limit + this")
    parser.add_argument("--family", choices=FAMILIES, default="80211n",
                        help="code family: IEEE 802.11n LDPC, or 5G NR LDPC with CRC-24B (Sionna)")
    parser.add_argument("--max-iter", type=int, default=None,
                        help=f"BP iterations (default: 50 for 80211n, {DEFAULT_ITERATIONS} for nr)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mcs", nargs="*", default=None, help="subset of MCS names (default: all)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (BP is single-threaded)")
    args = parser.parse_args(argv)
    if args.max_iter is None:
        args.max_iter = 50 if args.family == "80211n" else DEFAULT_ITERATIONS
    torch.set_num_threads(args.threads)

    from tqdm import tqdm

    schemes = [MCS.parse(n) for n in args.mcs] if args.mcs else list(family_mcs(args.family))
    given = sys.argv[1:] if argv is None else list(argv)
    command = "python -m semcom.digital.measure_mcs " + shlex.join(given)
    started = time.perf_counter()
    entries, thresholds = [], {}
    bar = tqdm(schemes, unit="mcs", dynamic_ncols=True)
    for mcs in bar:
        bar.set_description(mcs.name)
        show = lambda r: bar.set_postfix_str(  # noqa: E731
            f"{r.snr_db:.2f} dB  {r.block_errors}/{r.blocks} errors", refresh=True
        )
        threshold, points = find_threshold(
            mcs,
            step=args.step,
            start_margin=args.start_margin,
            max_blocks=args.max_blocks,
            min_errors=args.min_errors,
            batch=args.batch,
            seed=args.seed,
            max_iter=args.max_iter,
            on_batch=show,
        )
        thresholds[mcs.name] = threshold
        entries.append(
            dict(
                name=mcs.name,
                bits_per_symbol=mcs.bits_per_symbol,
                rate=str(mcs.rate),
                spectral_efficiency=mcs.spectral_efficiency,
                threshold_db=threshold,
                shannon_limit_db=round(shannon_limit_db(mcs.spectral_efficiency), 4),
                gap_to_shannon_db=round(threshold - shannon_limit_db(mcs.spectral_efficiency), 4),
                points=[p.as_dict() for p in points],
            )
        )
        tqdm.write(f"{mcs.name:>10}: threshold {threshold:6.2f} dB "
                   f"(Shannon {shannon_limit_db(mcs.spectral_efficiency):6.2f} dB)")
    bar.close()

    if args.family == "80211n":
        import ldpc as ldpc_pkg

        codes = "Codes: IEEE 802.11n LDPC, n = 1944; Gray QAM; exact LLRs; product-sum BP."
        decoder = dict(library=f"ldpc {getattr(ldpc_pkg, '__version__', '?')}", method="product_sum",
                       schedule="parallel", max_iter=args.max_iter)
    else:
        import sionna

        codes = (f"Codes: 5G NR LDPC code blocks (TS 38.212) with CRC-24B, rate matched to n = {NR_BLOCK_BITS} "
                 "coded bits; NR Gray QAM; exact app demapping; a block error is any payload bit wrong.")
        decoder = dict(library=f"sionna-no-rt {sionna.__version__}", method="LDPC5GDecoder boxplus-phi",
                       schedule="flooding", max_iter=args.max_iter)
    doc = dict(
        description=(
            "Per MCS, the lowest AWGN SNR (dB, snr_db = 10 log10(P/sigma^2), complex noise) on a "
            f"{args.step} dB grid at which the measured block error rate is below {TARGET_BLER}. {codes}"
        ),
        family=args.family,
        target_bler=TARGET_BLER,
        channel="awgn",
        thresholds_db=thresholds,
        mcs=entries,
        metadata=dict(
            command=command,
            blocks_per_point=(
                f"batches of {args.batch} codewords until >= {args.min_errors} block errors, "
                f"{args.max_blocks} codewords, or >= ceil({TARGET_BLER} * {args.max_blocks}) block errors "
                "(the point then fails the target whatever the rest would give)"
            ),
            max_blocks_per_point=args.max_blocks,
            min_errors=args.min_errors,
            step_db=args.step,
            start_margin_db=args.start_margin,
            seed=args.seed,
            decoder=decoder,
            date=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            semcom_commit=_git("rev-parse", "HEAD"),
            worktree_dirty=bool(_git("status", "--porcelain")),
            seconds=round(time.perf_counter() - started, 1),
        ),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} in {doc['metadata']['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
