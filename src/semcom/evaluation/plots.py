"""Figures from results files: metric against SNR per scheme, with 95% intervals."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

from semcom.evaluation.summary import SummaryRow

LABELS = {"psnr": "PSNR (dB)", "ssim": "SSIM", "ms_ssim": "MS-SSIM"}


def plot_metric_vs_snr(summary: Sequence[SummaryRow], metrics: Sequence[str], path: str | Path) -> Path:
    """One panel per metric, one line per (scheme, channel), error bars = 95% CI. Writes PNG/PDF/SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 4), squeeze=False)
    lines: dict[str, list[SummaryRow]] = {}
    for row in summary:
        label = f"{row.group['scheme']} | {row.group['channel']} | rho={row.group['rho']:.4g}"
        lines.setdefault(label, []).append(row)
    for ax, metric in zip(axes[0], metrics):
        for label, rows in sorted(lines.items()):
            rows = sorted(rows, key=lambda r: r.group["snr_db"])
            x = [r.group["snr_db"] for r in rows]
            y = [r.metrics[metric].mean for r in rows]
            err = [0.0 if math.isnan(r.metrics[metric].half_width) else r.metrics[metric].half_width for r in rows]
            ax.errorbar(x, y, yerr=err, marker="o", ms=3, capsize=2, label=label)
        ax.set_xlabel("SNR (dB)")
        ax.set_ylabel(LABELS.get(metric, metric))
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
