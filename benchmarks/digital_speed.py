"""Seconds per Kodak image for the digital separation schemes (codec search + LDPC link + decoding).

Usage: python benchmarks/digital_speed.py --data DIR [--schemes jpeg+ldpc,heif+ldpc] [--snr-db 10] [--images 6]
       [--threads 2] [--json out.json]
Each scheme gets a fresh instance per image, so the codec's quality search is timed in full (a sweep over
SNR reuses encoded files and is faster). Prints a table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

from semcom.channels import ChannelSpec
from semcom.data import get_dataset
from semcom.schemes import create_scheme


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="data root holding kodak/")
    parser.add_argument("--schemes", default="jpeg+ldpc,heif+ldpc,jpeg+capacity,heif+capacity")
    parser.add_argument("--rho", default="1/12")
    parser.add_argument("--snr-db", type=float, default=10.0)
    parser.add_argument("--images", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    dataset = get_dataset("kodak", data_dir=args.data, limit=args.images)
    rows = []
    for spec in args.schemes.split(","):
        seconds = []
        for index in range(len(dataset)):
            scheme = create_scheme(f"{spec}:rho={args.rho}")
            image = dataset[index].image[None]
            start = time.perf_counter()
            scheme.transmit(image, args.snr_db, ChannelSpec(), torch.Generator().manual_seed(index))
            seconds.append(time.perf_counter() - start)
        seconds.sort()
        rows.append({"scheme": spec, "rho": args.rho, "snr_db": args.snr_db, "images": len(seconds),
                     "median_s": statistics.median(seconds), "max_s": seconds[-1], "threads": args.threads})
    print(f"{'scheme':<16} {'rho':>6} {'SNR dB':>7} {'images':>6} {'median s':>9} {'max s':>7}")
    for r in rows:
        print(f"{r['scheme']:<16} {r['rho']:>6} {r['snr_db']:>7g} {r['images']:>6} {r['median_s']:>9.2f} {r['max_s']:>7.2f}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1)


if __name__ == "__main__":
    main()
