"""Rich tables for summaries printed at the end of sweeps and by ``semcom summary``."""

from __future__ import annotations

import math
import sys
from typing import Sequence

from rich.console import Console
from rich.table import Table

from semcom.evaluation import SummaryRow
from semcom.evaluation.summary import MIN_INTERVAL_COUNT, outage_probability


def _console(console: Console | None) -> Console:
    # Without a terminal rich assumes 80 columns, which folds every number; logs and pipes get a wide table.
    return console or Console(width=None if sys.stdout.isatty() else 160)


def _point(row: SummaryRow) -> list[str]:
    return [row.group["scheme"], row.group["channel"], f"{row.group['rho']:.4g}", f"{row.group['snr_db']:g}"]


def print_summary(summary: Sequence[SummaryRow], metrics: Sequence[str], console: Console | None = None) -> None:
    """One line per operating point: mean ± 95% CI over images of each metric (each image's channel
    realizations averaged first), the image and realization counts, and the channel draws' share of the
    interval of the first metric. Warns below :data:`MIN_INTERVAL_COUNT` images."""
    console = _console(console)
    table = Table(title="mean ± 95% CI over images (each image's realizations averaged first)", show_lines=False)
    first = metrics[0]
    for column in ("scheme", "channel", "rho", "SNR dB", "images", "draws", *metrics, f"{first} ± channel"):
        table.add_column(column, justify="left" if column in ("scheme", "channel") else "right")
    for row in summary:
        lead = row.metrics[first]
        channel = "" if math.isnan(lead.channel_half_width) else f"{lead.channel_half_width:.3f}"
        table.add_row(*_point(row), str(lead.count), str(lead.realizations), *(str(row.metrics[m]) for m in metrics),
                      channel)
    console.print(table)
    few = sorted({row.metrics[first].count for row in summary if row.metrics[first].count < MIN_INTERVAL_COUNT})
    if few:
        console.print(f"warning: {', '.join(map(str, few))} image(s) per operating point: with fewer than "
                      f"{MIN_INTERVAL_COUNT} the ± interval says little (plots and reports leave it out); evaluate "
                      "more images", style="yellow")


def print_per_image(summary: Sequence[SummaryRow], metric: str, console: Console | None = None) -> None:
    """Each image's mean of ``metric`` over its realizations, one line per operating point."""
    images = sorted({image for row in summary for image in row.per_image})
    table = Table(title=f"{metric}: each image's mean over its channel realizations")
    for column in ("scheme", "channel", "rho", "SNR dB", *images):
        table.add_column(column, justify="left" if column in ("scheme", "channel") else "right")
    for row in summary:
        values = [row.per_image.get(image, {}).get(metric, math.nan) for image in images]
        table.add_row(*_point(row), *("" if math.isnan(v) else f"{v:.3f}" for v in values))
    _console(console).print(table)


def print_outage(summary: Sequence[SummaryRow], targets: Sequence[float], metric: str = "psnr",
                 console: Console | None = None) -> None:
    """P(metric < target) per operating point and target, over every (image, realization) row."""
    table = Table(title=f"outage: P({metric} < target) over images × channel realizations (95% Wilson interval)")
    for column in ("scheme", "channel", "rho", "SNR dB", "rows", *(f"< {t:g}" for t in targets)):
        table.add_column(column, justify="left" if column in ("scheme", "channel") else "right")
    for row in summary:
        estimates = [outage_probability(row, t, metric) for t in targets]
        table.add_row(*_point(row), str(estimates[0].count),
                      *(f"{e.mean:.3f} [{e.low:.3f}, {e.high:.3f}]" for e in estimates))
    _console(console).print(table)
