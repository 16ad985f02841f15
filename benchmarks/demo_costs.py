"""Per-scheme costs behind the time estimate that ``semcom demo`` and ``semcom reproduce`` print.

For every scheme of the demo (quick, default, full) and the paper reproductions, it times building the scheme
(weights loaded, ``prepare`` on the dataset) once, and a results row (``evaluate_one``: transmit and metrics)
on one 192x192 sample crop at 10 dB over AWGN and Rayleigh (LS, 8 pilots), the median of ``--repeats`` after a
warm-up. Prints a table and, with ``--write``, stores ``src/semcom/report/demo_costs.json`` with the CPU.

    python benchmarks/demo_costs.py --threads 2 --repeats 3 --write
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch
from timing import cpu_description

from semcom.channels import ChannelSpec
from semcom.data import get_dataset
from semcom.evaluation import SweepConfig
from semcom.evaluation.sweep import evaluate_one
from semcom.report import protocols
from semcom.report.estimate import COSTS_FILE
from semcom.schemes import canonical_spec, create_scheme

CHANNELS = ("awgn", protocols.RAYLEIGH_LS)


def all_specs() -> list[str]:
    plans = [protocols.demo(size) for size in protocols.DEMO_SIZES] + [p(None) for p in protocols.PAPERS.values()]
    specs = {spec for plan in plans for study in plan.studies for spec in study.schemes.values()}
    specs |= {spec for plan in plans for spec in plan.grid.schemes.values()}
    return sorted(specs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write", action="store_true", help=f"store the costs in {COSTS_FILE}")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    dataset = get_dataset("samples-192", limit=1)
    image = dataset[0].image
    config = SweepConfig(schemes=[], snr_db=[10.0], metrics=["psnr", "ssim"])
    rows, build = {}, {}
    print(f"{'scheme':<100} {'build s':>8} {'row s':>8}")
    for spec in all_specs():
        start = time.perf_counter()
        scheme = create_scheme(spec)
        scheme.prepare(dataset)
        canonical = canonical_spec(scheme)
        build[canonical] = time.perf_counter() - start
        samples = []
        for channel in CHANNELS:
            parsed = ChannelSpec.parse(channel)
            evaluate_one(scheme, image, 10.0, parsed, config, dataset.name, "warm-up", "bench")
            for repeat in range(args.repeats):
                begin = time.perf_counter()
                evaluate_one(scheme, image, 10.0, parsed, config, dataset.name, f"r{repeat}", "bench")
                samples.append(time.perf_counter() - begin)
        rows[canonical] = statistics.median(samples)
        print(f"{canonical[:100]:<100} {build[canonical]:>8.2f} {rows[canonical]:>8.3f}", flush=True)
    machine = f"{cpu_description()}, {platform.machine()}, torch {torch.__version__}, {args.threads} threads"
    print(f"machine: {machine}")
    if args.write:
        COSTS_FILE.write_text(json.dumps({"machine": machine, "pixels": int(image[0].numel()),
                                          "command": "python benchmarks/demo_costs.py --threads "
                                                     f"{args.threads} --repeats {args.repeats} --write",
                                          "row_seconds": rows, "build_seconds": build}, indent=1) + "\n")


if __name__ == "__main__":
    main()
