"""Compact tables for docs/results/links.md from the Kodak link sweeps (scripts/eval_links_kodak.sh).

One table per metric: a row per scheme (family name) and link, a column per SNR, each cell the mean over
images with its 95 % interval half-width, and the outage rate where there is one.

Usage: python scripts/links_tables.py docs/results/links/kodak_*.csv > docs/results/links/tables.md
"""

from __future__ import annotations

import sys

from semcom.evaluation.labels import short_channel, short_scheme
from semcom.evaluation.results import load_results
from semcom.evaluation.summary import summarize
from semcom.specs import parse_spec


def scheme_names(specs) -> dict[str, str]:
    """Each spec's family name; specs sharing one get the options in which they differ appended."""
    by_name: dict[str, list[str]] = {}
    for spec in specs:
        by_name.setdefault(short_scheme(spec), []).append(spec)
    names = {}
    for name, group in by_name.items():
        options = [parse_spec(spec)[1] for spec in group]
        keys = sorted({k for o in options for k in o if len({o.get(k) for o in options}) > 1})
        for spec, option in zip(group, options):
            extra = ", ".join(f"{k}={option.get(k, 'default')}" for k in keys)
            names[spec] = f"{name} ({extra})" if extra else name
    return names


def main(paths: list[str]) -> int:
    rows = [row for path in paths for row in load_results(path)]
    summary = summarize(rows, ["psnr", "ssim"])
    snrs = sorted({s.group["snr_db"] for s in summary})
    names = scheme_names({s.group["scheme"] for s in summary})
    for metric, digits in (("psnr", 2), ("ssim", 3)):
        print(f"\n**{metric.upper()}** (mean over images ± 95 % half-width; outage rate in brackets)\n")
        print("| link | scheme | k/n on air | " + " | ".join(f"{s:g} dB" for s in snrs) + " |")
        print("|---" * (3 + len(snrs)) + "|")
        lines = {}
        for point in summary:
            key = (short_channel(point.group["channel"]), names[point.group["scheme"]])
            estimate = point.metrics[metric]
            outages = [r.outage for r in point.rows]
            cell = f"{estimate.mean:.{digits}f} ± {estimate.half_width:.{digits}f}"
            if any(outages):
                cell += f" ({sum(outages) / len(outages):.0%})"
            line = lines.setdefault(key, {"rho": point.group["rho_exact"], "cells": {}})
            line["cells"][point.group["snr_db"]] = cell
        for (link, scheme), line in sorted(lines.items()):
            rho = "/".join(f"{r:.4f}" for r in line["rho"])
            print(f"| {link} | {scheme} | {rho} | " + " | ".join(line["cells"].get(s, "") for s in snrs) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
