"""Figures from results files, with 95% intervals: metric against SNR per scheme (paper A Figs. 4–5),
metric against the number of de-noising U-Net evaluations per receiver (Figs. 6–7), and metric against the
bandwidth ratio rho per scheme family (paper B's compression-rate figures)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Sequence

from semcom.evaluation.markdown import nominal_rho
from semcom.evaluation.summary import SummaryRow

LABELS = {"psnr": "PSNR (dB)", "ssim": "SSIM", "ms_ssim": "MS-SSIM"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    _pyplot().close(fig)
    return path


def _legend_below(fig, ax) -> None:
    """Scheme specs are long: one legend under the panels instead of one inside them."""
    fig.tight_layout()
    fig.legend(*ax.get_legend_handles_labels(), loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=7)


def _half_width(estimate) -> float:
    return 0.0 if math.isnan(estimate.half_width) else estimate.half_width


def plot_metric_vs_snr(summary: Sequence[SummaryRow], metrics: Sequence[str], path: str | Path) -> Path:
    """One panel per metric, one line per (scheme, channel), error bars = 95% CI. Writes PNG/PDF/SVG."""
    fig, axes = _pyplot().subplots(1, len(metrics), figsize=(5.2 * len(metrics), 4), squeeze=False)
    lines: dict[str, list[SummaryRow]] = {}
    for row in summary:
        label = f"{row.group['scheme']} | {row.group['channel']} | rho={row.group['rho']:.4g}"
        lines.setdefault(label, []).append(row)
    for ax, metric in zip(axes[0], metrics):
        for label, rows in sorted(lines.items()):
            rows = sorted(rows, key=lambda r: r.group["snr_db"])
            x = [r.group["snr_db"] for r in rows]
            y = [r.metrics[metric].mean for r in rows]
            err = [_half_width(r.metrics[metric]) for r in rows]
            ax.errorbar(x, y, yerr=err, marker="o", ms=3, capsize=2, label=label)
        ax.set_xlabel("SNR (dB)")
        ax.set_ylabel(LABELS.get(metric, metric))
        ax.grid(alpha=0.3)
    _legend_below(fig, axes[0][0])
    return _save(fig, path)


def receiver_family(scheme: str) -> str | None:
    """The receiver of a scheme spec without its step count (``None`` for ``steps=0``, the no-de-noiser
    point every family shares): ``"latent-diff:codec=x,sampler=ddpm,start=fixed,steps=30"`` →
    ``"latent-diff:codec=x,sampler=ddpm,start=fixed"``."""
    name, _, options = scheme.partition(":")
    parts = [p for p in options.split(",") if p]
    if "steps=0" in parts:
        return None
    kept = [p for p in parts if not p.startswith("steps=") and not p.startswith("denoiser=")]
    return name + (":" + ",".join(kept) if kept else "")


def plot_metric_vs_steps(summary: Sequence[SummaryRow], metrics: Sequence[str], path: str | Path) -> Path:
    """Rows = metrics, columns = SNRs; one line per receiver family (sampler, start), x = U-Net evaluations
    per image (the ``denoise_steps`` column); the ``steps=0`` rows are the x = 0 point of every line."""
    snrs = sorted({r.group["snr_db"] for r in summary})
    families = sorted({f for r in summary if (f := receiver_family(r.group["scheme"])) is not None})
    fig, axes = _pyplot().subplots(len(metrics), len(snrs), figsize=(4.6 * len(snrs), 3.6 * len(metrics)),
                                   squeeze=False)
    for i, metric in enumerate(metrics):
        for j, snr in enumerate(snrs):
            ax = axes[i][j]
            at_snr = [r for r in summary if r.group["snr_db"] == snr]
            for family in families:
                rows = sorted((r for r in at_snr if receiver_family(r.group["scheme"]) in (family, None)),
                              key=lambda r: r.group["denoise_steps"])
                x = [r.group["denoise_steps"] for r in rows]
                ax.errorbar(x, [r.metrics[metric].mean for r in rows],
                            yerr=[_half_width(r.metrics[metric]) for r in rows],
                            marker="o", ms=3, capsize=2, label=family.partition(":")[2] or family)
            ax.set_xscale("symlog", linthresh=1)
            ax.set_title(f"SNR {snr:g} dB")
            ax.set_xlabel("U-Net evaluations per image")
            ax.set_ylabel(LABELS.get(metric, metric))
            ax.grid(alpha=0.3)
    _legend_below(fig, axes[0][0])
    return _save(fig, path)


_RHO_TOKEN = re.compile(r"[-_,:@]?rho[=_]?1[/_]\d+|[-_,:@]?pca\d+|@1/\d+")


def rho_family(scheme: str) -> str:
    """A scheme name with its rho-specific parts removed, so that the same method at several rho draws one
    line: ``"deepjscc:weights=deepjscc-snr10-rho1_48"`` → ``"deepjscc:weights=deepjscc-snr10"``."""
    return _RHO_TOKEN.sub("", scheme)


def plot_metric_vs_rho(summary: Sequence[SummaryRow], metrics: Sequence[str], path: str | Path) -> Path:
    """Rows = metrics, columns = SNRs; one line per (scheme family, channel), x = nominal rho (log scale)."""
    snrs = sorted({r.group["snr_db"] for r in summary})
    fig, axes = _pyplot().subplots(len(metrics), len(snrs), figsize=(4.2 * len(snrs), 3.4 * len(metrics)),
                                   squeeze=False)
    lines: dict[str, list[SummaryRow]] = {}
    for row in summary:
        lines.setdefault(f"{rho_family(row.group['scheme'])} | {row.group['channel']}", []).append(row)
    for i, metric in enumerate(metrics):
        for j, snr in enumerate(snrs):
            ax = axes[i][j]
            for label, rows in sorted(lines.items()):
                rows = sorted((r for r in rows if r.group["snr_db"] == snr), key=lambda r: r.group["rho"])
                if rows:
                    ax.errorbar([float(nominal_rho(r.group["rho"])) for r in rows],
                                [r.metrics[metric].mean for r in rows],
                                yerr=[_half_width(r.metrics[metric]) for r in rows],
                                marker="o", ms=3, capsize=2, label=label)
            ax.set_xscale("log")
            ax.set_title(f"SNR {snr:g} dB")
            ax.set_xlabel("bandwidth ratio rho = k/n")
            ax.set_ylabel(LABELS.get(metric, metric))
            ax.grid(alpha=0.3, which="both")
    _legend_below(fig, axes[0][0])
    return _save(fig, path)


PLOT_KINDS = {"snr": plot_metric_vs_snr, "steps": plot_metric_vs_steps, "rho": plot_metric_vs_rho}


def plot_results(summary: Sequence[SummaryRow], metrics: Sequence[str], path: str | Path,
                 kind: str = "snr") -> list[Path]:
    """Draw ``kind`` (snr | steps | rho). For snr and steps, a summary holding several nominal rho values
    gives one file per rho with a ``_rho1_12``-style suffix; a rho plot puts every rho in one file."""
    if kind not in PLOT_KINDS:
        raise ValueError(f"plot kind must be one of {', '.join(PLOT_KINDS)}, got {kind!r}")
    path = Path(path)
    rhos = sorted({nominal_rho(row.group["rho"]) for row in summary}, reverse=True)
    if kind == "rho" or len(rhos) == 1:
        return [PLOT_KINDS[kind](summary, metrics, path)]
    return [PLOT_KINDS[kind]([r for r in summary if nominal_rho(r.group["rho"]) == rho], metrics,
                             path.with_name(f"{path.stem}_rho{rho.numerator}_{rho.denominator}{path.suffix}"))
            for rho in rhos]
