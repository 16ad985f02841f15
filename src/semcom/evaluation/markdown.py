"""Paper-style Markdown tables from summaries: one row per (scheme, channel, rho), one column per SNR."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Iterable, Sequence

from semcom.evaluation.rho import nominal_rho
from semcom.evaluation.summary import SummaryRow, outage_probability


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, and the 95% interval of the mean it shows (NaN where there is none)."""

    text: str
    low: float = math.nan
    high: float = math.nan

    def __str__(self) -> str:
        return self.text


def exact_rho(values: Sequence[float]) -> str:
    """The measured k/n of a group: one value, or the range over image sizes and pilots."""
    if not values:
        return ""
    low, high = min(values), max(values)
    return f"{low:.5f}" if high - low < 5e-6 else f"{low:.5f}–{high:.5f}"


def metric_table(summary: Sequence[SummaryRow], metric: str, digits: int = 2) -> tuple[list[str], list[list]]:
    """``(header, rows)``: one row per (scheme, channel, nominal rho), with the measured k/n beside it, one
    column per SNR; cells are :class:`Cell` (mean of ``metric``, with its interval where n ≥ 8). Where the
    summary has ``outage``, cells with outages show its rate."""
    snrs = sorted({row.group["snr_db"] for row in summary})
    lines: dict[tuple, dict[float, Cell]] = {}
    exact: dict[tuple, set[float]] = {}
    for row in summary:
        key = (row.group["scheme"], row.group["channel"], row.group["rho"])
        estimate = row.metrics[metric]
        text = "–" if math.isnan(estimate.mean) else f"{estimate.mean:.{digits}f}"
        outage = row.metrics.get("outage")
        if outage is not None and outage.mean > 0:
            text += f" ({100 * outage.mean:.0f}% out)"
        interval = (estimate.low, estimate.high) if estimate.has_interval else (math.nan, math.nan)
        lines.setdefault(key, {})[row.group["snr_db"]] = Cell(text, *interval)
        exact.setdefault(key, set()).update(row.group.get("rho_exact", [row.group["rho"]]))
    header = ["scheme", "channel", "rho", "k/n", *[f"{s:g} dB" for s in snrs]]
    body = [[scheme, channel, str(nominal_rho(rho)), exact_rho(sorted(exact[(scheme, channel, rho)])),
             *[cells.get(s, "") for s in snrs]]
            for (scheme, channel, rho), cells in sorted(lines.items(), key=lambda kv: (-kv[0][2], kv[0][1], kv[0][0]))]
    return header, body


def markdown_table(summary: Sequence[SummaryRow], metric: str, digits: int = 2) -> str:
    """:func:`metric_table` as a Markdown pipe table."""
    header, body = metric_table(summary, metric, digits)
    return pipe_table(header, body)


def outage_markdown(summary: Sequence[SummaryRow], target: float, metric: str = "psnr") -> str:
    """P(``metric`` < ``target``) per operating point as a Markdown table like :func:`markdown_table`."""
    name = f"P({metric}<{target:g})"
    rows = [dataclasses.replace(row, metrics={name: outage_probability(row, target, metric)}) for row in summary]
    return markdown_table(rows, name, digits=3)


def count_range(values: Iterable[int]) -> str:
    """``"24"``, or ``"19–24"`` where the counts differ (``"0"`` for none)."""
    values = sorted(set(values))
    return "0" if not values else str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}"


def counts_note(summary: Sequence[SummaryRow], metric: str) -> str:
    """``"24 images, 20 channel draws each"``: what a table's means average (ranges where points differ)."""
    estimates = [row.metrics[metric] for row in summary if metric in row.metrics]
    return (f"{count_range(e.count for e in estimates)} images, {count_range(e.realizations for e in estimates)} "
            "channel draw(s) each")


def pipe_table(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(map(str, cells)) + " |" for cells in body]
    return "\n".join(out) + "\n"
