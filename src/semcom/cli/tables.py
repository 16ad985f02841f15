"""Rich tables for summaries printed at the end of sweeps."""

from __future__ import annotations

import sys
from typing import Sequence

from rich.console import Console
from rich.table import Table

from semcom.evaluation import SummaryRow


def print_summary(summary: Sequence[SummaryRow], metrics: Sequence[str], console: Console | None = None) -> None:
    """One line per operating point: mean ± 95% CI of each metric over images."""
    table = Table(title="mean ± 95% CI over images", show_lines=False)
    for column in ("scheme", "channel", "rho", "SNR dB", "images", *metrics):
        table.add_column(column, justify="left" if column in ("scheme", "channel") else "right")
    for row in summary:
        first = row.metrics[metrics[0]]
        table.add_row(
            row.group["scheme"], row.group["channel"], f"{row.group['rho']:.4g}", f"{row.group['snr_db']:g}",
            str(first.count), *(str(row.metrics[m]) for m in metrics),
        )
    # Without a terminal rich assumes 80 columns, which folds every number; logs and pipes get a wide table.
    (console or Console(width=None if sys.stdout.isatty() else 160)).print(table)
