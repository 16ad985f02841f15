"""Paper-style Markdown tables from summaries: one row per (scheme, channel, rho), one column per SNR."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

from semcom.evaluation.summary import SummaryRow


def nominal_rho(rho: float) -> Fraction:
    """The design ratio a measured rho belongs to: pilots and side information move k slightly above
    floor(rho·n), so 1/12 + 8/n still reads as 1/12."""
    return Fraction(rho).limit_denominator(200)


def metric_table(summary: Sequence[SummaryRow], metric: str, digits: int = 2) -> tuple[list[str], list[list[str]]]:
    """``(header, rows)``: one row per (scheme, channel, rho), one column per SNR, cells = mean of ``metric``;
    where the summary has ``outage``, cells with outages show its rate."""
    snrs = sorted({row.group["snr_db"] for row in summary})
    lines: dict[tuple, dict[float, str]] = {}
    for row in summary:
        key = (row.group["scheme"], row.group["channel"], row.group["rho"])
        estimate = row.metrics[metric]
        cell = "–" if math.isnan(estimate.mean) else f"{estimate.mean:.{digits}f}"
        outage = row.metrics.get("outage")
        if outage is not None and outage.mean > 0:
            cell += f" ({100 * outage.mean:.0f}% out)"
        lines.setdefault(key, {})[row.group["snr_db"]] = cell
    header = ["scheme", "channel", "rho", *[f"{s:g} dB" for s in snrs]]
    body = [[scheme, channel, f"{rho:.4g}", *[cells.get(s, "") for s in snrs]]
            for (scheme, channel, rho), cells in sorted(lines.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0]))]
    return header, body


def markdown_table(summary: Sequence[SummaryRow], metric: str, digits: int = 2) -> str:
    """:func:`metric_table` as a Markdown pipe table."""
    header, body = metric_table(summary, metric, digits)
    return pipe_table(header, body)


def pipe_table(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cells) + " |" for cells in body]
    return "\n".join(out) + "\n"
