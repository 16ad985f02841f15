"""Cross-check semcom's 5G NR code blocks against Sionna's own coded NR link.

semcom: ``nr-qpsk-1/2`` (1896 payload bits + CRC-24B, 5G LDPC rate matched to 3840 bits, NR QPSK) through
semcom's AWGN link and demapper (:func:`semcom.digital.measure_mcs.measure_point`).
Sionna: ``sionna.phy.nr.utils.CodedAWGNChannelNR`` with the same modulation, payload and target rate (its
transport-block chain: CRC-24A, LDPC5G with rate matching, its mapper, AWGN, its demapper and decoder).
Both run 20 decoder iterations. Sionna's Eb/N0 is turned into semcom's SNR per complex symbol with its own
rate: ``snr_db = ebno_db + 10 log10(m · k / n_coded)``. The 1e-2 crossing of each curve is interpolated on
log10(BLER) between grid points.

Usage: python scripts/check_nr_bler.py [--blocks 1000] [--out docs/results/links/nr_bler_check.json]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch

from semcom.digital.mcs import MCS
from semcom.digital.measure_mcs import measure_point

TARGET = 1e-2


def crossing(snrs, blers, target=TARGET):
    """Interpolated SNR where the BLER curve falls through ``target`` (None if it does not on the grid)."""
    for (s0, b0), (s1, b1) in zip(zip(snrs, blers), zip(snrs[1:], blers[1:])):
        if b0 >= target > b1:
            l0, l1 = math.log10(max(b0, 1e-9)), math.log10(max(b1, 0.5 / 1e9))
            return s0 + (math.log10(target) - l0) * (s1 - s0) / (l1 - l0)
    return None


def sionna_bler(snr_db, blocks, batch, channel, rate_db):
    errors = done = 0
    while done < blocks:
        b = min(batch, blocks - done)
        bits, bits_hat = channel(b, torch.tensor(snr_db - rate_db))
        errors += int((bits != bits_hat).any(dim=1).sum())
        done += b
    return errors / done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blocks", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--snr-db", default="0.75,1.0,1.25,1.5,1.75,2.0")
    parser.add_argument("--out", type=Path, default=Path("docs/results/links/nr_bler_check.json"))
    args = parser.parse_args()
    torch.manual_seed(0)
    from sionna.phy.nr.utils import CodedAWGNChannelNR

    mcs = MCS.parse("nr-qpsk-1/2")
    code = mcs.code
    reference = CodedAWGNChannelNR(num_bits_per_symbol=2, num_info_bits=code.k, target_coderate=0.5,
                                   num_iter_decoder=20, device="cpu")
    rate_db = 10 * math.log10(2 * code.k / int(reference.num_coded_bits))
    grid = [float(s) for s in args.snr_db.split(",")]
    rows = []
    started = time.perf_counter()
    for snr in grid:
        ours = measure_point(mcs, snr, max_blocks=args.blocks, min_errors=10**9, batch=args.batch, max_iter=20)
        theirs = sionna_bler(snr, args.blocks, args.batch, reference, rate_db)
        rows.append({"snr_db": snr, "semcom_bler": ours.bler, "sionna_bler": theirs, "blocks": args.blocks})
        print(f"{snr:5.2f} dB  semcom {ours.bler:.4f}  sionna {theirs:.4f}", flush=True)
    ours_x = crossing(grid, [r["semcom_bler"] for r in rows])
    theirs_x = crossing(grid, [r["sionna_bler"] for r in rows])
    doc = {
        "settings": {"modulation": "qpsk", "payload_bits": code.k, "semcom_coded_bits": code.n,
                     "sionna_coded_bits": int(reference.num_coded_bits), "decoder_iterations": 20,
                     "channel": "awgn", "blocks_per_point": args.blocks},
        "points": rows,
        "crossing_1e-2_db": {"semcom": ours_x, "sionna": theirs_x,
                             "difference": None if None in (ours_x, theirs_x) else ours_x - theirs_x},
        "command": "python scripts/check_nr_bler.py " + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if k != "out") + f" --out {args.out}",
        "seconds": round(time.perf_counter() - started, 1),
        "torch_threads": torch.get_num_threads(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    print(json.dumps(doc["crossing_1e-2_db"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
