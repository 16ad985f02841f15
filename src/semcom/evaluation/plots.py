"""Figures from results files: metric against SNR per scheme (paper A Figs. 4–5), metric against the number
of de-noising U-Net evaluations per receiver (Figs. 6–7), and metric against the bandwidth ratio rho per
scheme family (paper B's compression-rate figures), and outage P(PSNR < target) against SNR.

Rules every figure follows: one colour per scheme (the same in every figure given the same
:class:`Styles`) and one line style per channel; legend entries are short (:mod:`semcom.evaluation.labels`);
the y-axis follows the means, not the intervals; intervals are drawn only for n ≥ 8 images and are clipped to
the metric's range (:class:`semcom.evaluation.summary.Estimate`). Figures are drawn on
:class:`matplotlib.figure.Figure` objects, so importing this module leaves matplotlib's backend alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from semcom.evaluation.labels import family_label, legend_label, short_channel, short_scheme
from semcom.evaluation.markdown import count_range
from semcom.evaluation.rho import nominal_rho
from semcom.evaluation.summary import MIN_INTERVAL_COUNT, Estimate, SummaryRow, outage_probability
from semcom.schemes import describe_spec
from semcom.schemes.description import remembered

LABELS = {"psnr": "PSNR (dB)", "ssim": "SSIM", "ms_ssim": "MS-SSIM", "lpips": "LPIPS", "clip": "CLIP score",
          "vif": "VIF-P"}
#: Smallest y-span a panel shows, so that flat curves are not blown up into noise.
MIN_SPAN = {"psnr": 2.0}
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd", "#e6550d", "#31a354")
_LINESTYLES = ("-", "--", ":", "-.")


@dataclass
class Styles:
    """Colours by scheme family (:func:`short_scheme`) and line styles by channel, fixed for a set of figures.

    Names first seen in :meth:`colour`/:meth:`linestyle` get the next free entry, so figures drawn with one
    ``Styles`` agree; build it from every scheme and channel of a report up front (:meth:`covering`) to make
    the assignment independent of the drawing order.
    """

    colours: dict[str, str] = field(default_factory=dict)
    linestyles: dict[str, str] = field(default_factory=dict)

    @classmethod
    @remembered()
    def covering(cls, schemes: Iterable[str], channels: Iterable[str] = ()) -> "Styles":
        styles = cls()
        for name in sorted({short_scheme(s) for s in schemes}):
            styles.colour(name)
        for channel in sorted({short_channel(c) for c in channels}, key=lambda c: (c != "AWGN", c)):
            styles.linestyle(channel)
        return styles

    def colour(self, family: str) -> str:
        return self.colours.setdefault(family, _PALETTE[len(self.colours) % len(_PALETTE)])

    def linestyle(self, channel: str) -> str:
        return self.linestyles.setdefault(channel, _LINESTYLES[len(self.linestyles) % len(_LINESTYLES)])


def _figure(rows: int, columns: int, width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * columns, height * rows))
    return fig, fig.subplots(rows, columns, squeeze=False)


def _save(fig, path: str | Path, legend_rows: int) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    handles, labels = [], []
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    columns = max(1, math.ceil(len(labels) / max(1, legend_rows)))
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=8, ncol=min(columns, 3),
               frameon=False)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def _draw(ax, x: Sequence[float], estimates: Sequence[Estimate], **style) -> None:
    """One line of means; asymmetric bars where the estimate has an interval."""
    y = [e.mean for e in estimates]
    ax.plot(x, y, marker="o", ms=3.5, lw=1.4, **style)
    bars = [(xi, e) for xi, e in zip(x, estimates) if e.has_interval]
    if bars:
        ax.errorbar([b[0] for b in bars], [b[1].mean for b in bars],
                    yerr=[[b[1].mean - b[1].low for b in bars], [b[1].high - b[1].mean for b in bars]],
                    fmt="none", ecolor=style.get("color"), elinewidth=0.9, capsize=2, alpha=0.7)


def _fit_y(ax, metric: str, means: Iterable[float]) -> None:
    """The y-limits follow the plotted means (intervals may run past them)."""
    values = [m for m in means if math.isfinite(m)]
    if not values:
        return
    low, high = min(values), max(values)
    span = max(high - low, MIN_SPAN.get(metric, 0.02))
    middle = (high + low) / 2
    ax.set_ylim(middle - 0.55 * span, middle + 0.55 * span)


def _axes_labels(ax, metric: str, xlabel: str, title: str = "") -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(LABELS.get(metric, metric))
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")


def _lines(summary: Sequence[SummaryRow], key) -> dict[tuple, list[SummaryRow]]:
    lines: dict[tuple, list[SummaryRow]] = {}
    for row in summary:
        lines.setdefault(key(row), []).append(row)
    return dict(sorted(lines.items()))


def _scheme_line(row: SummaryRow) -> tuple[str, str, float]:
    return row.group["scheme"], row.group["channel"], float(nominal_rho(row.group["rho"]))


@remembered()
def plot_metric_vs_snr(summary: Sequence[SummaryRow], metrics: Sequence[str], path: str | Path,
                       styles: Styles | None = None) -> Path:
    """One panel per metric, one line per (scheme, channel, rho). Writes PNG (or the suffix's format)."""
    styles = styles or Styles.covering([r.group["scheme"] for r in summary], [r.group["channel"] for r in summary])
    fig, axes = _figure(1, len(metrics), 5.4, 4.0)
    lines = _lines(summary, _scheme_line)
    for ax, metric in zip(axes[0], metrics):
        for (scheme, channel, rho), rows in lines.items():
            rows = sorted(rows, key=lambda r: r.group["snr_db"])
            _draw(ax, [r.group["snr_db"] for r in rows], [r.metrics[metric] for r in rows],
                  color=styles.colour(short_scheme(scheme)), ls=styles.linestyle(short_channel(channel)),
                  label=legend_label(scheme, channel, rho))
        _fit_y(ax, metric, (r.metrics[metric].mean for r in summary))
        _axes_labels(ax, metric, "SNR (dB)")
    return _save(fig, path, legend_rows=6)


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


_STARTS = {"matched": "from the SNR-matched step", "fixed": "from t = N (Algorithm 2)", "T": "from t = T"}


def receiver_label(family: str) -> str:
    """``"latent-diff:codec=x,sampler=ddpm,start=fixed"`` → ``"DDPM from t = N (Algorithm 2)"``."""
    options = dict(p.partition("=")[::2] for p in family.partition(":")[2].split(",") if p)
    sampler = options.get("sampler", "ddim").upper()
    return f"{sampler} {_STARTS.get(options.get('start', 'matched'), 'from ' + options.get('start', '?'))}"


def plot_metric_vs_steps(summary: Sequence[SummaryRow], metrics: Sequence[str], path: str | Path,
                         styles: Styles | None = None) -> Path:
    """Rows = metrics, columns = SNRs; one line per receiver family (sampler, start), x = U-Net evaluations
    per image (the ``denoise_steps`` column); the ``steps=0`` rows are the x = 0 point of every line."""
    styles = styles or Styles()
    snrs = sorted({r.group["snr_db"] for r in summary})
    families = sorted({receiver_family(r.group["scheme"]) for r in summary} - {None})
    fig, axes = _figure(len(metrics), len(snrs), 4.6, 3.6)
    for i, metric in enumerate(metrics):
        for j, snr in enumerate(snrs):
            ax = axes[i][j]
            at_snr = [r for r in summary if r.group["snr_db"] == snr]
            for family in families:
                rows = sorted((r for r in at_snr if receiver_family(r.group["scheme"]) in (family, None)),
                              key=lambda r: r.group["denoise_steps"])
                label = receiver_label(family)
                _draw(ax, [r.group["denoise_steps"] for r in rows], [r.metrics[metric] for r in rows],
                      color=styles.colour(label), label=label)
            ax.set_xscale("symlog", linthresh=1)
            _fit_y(ax, metric, (r.metrics[metric].mean for r in at_snr))
            _axes_labels(ax, metric, "U-Net evaluations per image", f"SNR {snr:g} dB")
    return _save(fig, path, legend_rows=2)


@remembered()
def family_lines(summary: Sequence[SummaryRow]) -> dict[tuple[str, str], list[SummaryRow]]:
    """The rows of a rho figure by line: ``(spec, channel)`` → rows, one line per scheme family and setting
    (:meth:`semcom.schemes.SchemeDescription.family_key`) and channel, named by the line's first spec (the
    smallest in text order, which orders the legend)."""
    keys = {spec: describe_spec(spec).family_key for spec in {r.group["scheme"] for r in summary}}
    first: dict[tuple, str] = {}
    for spec, key in sorted(keys.items()):
        first.setdefault(key, spec)
    return _lines(summary, lambda r: (first[keys[r.group["scheme"]]], r.group["channel"]))


@remembered()
def plot_metric_vs_rho(summary: Sequence[SummaryRow], metrics: Sequence[str], path: str | Path,
                       styles: Styles | None = None) -> Path:
    """Rows = metrics, columns = SNRs; one line per (scheme family, channel), x = nominal rho (log scale)."""
    styles = styles or Styles.covering([r.group["scheme"] for r in summary], [r.group["channel"] for r in summary])
    snrs = sorted({r.group["snr_db"] for r in summary})
    fig, axes = _figure(len(metrics), len(snrs), 4.2, 3.4)
    lines = family_lines(summary)
    for i, metric in enumerate(metrics):
        for j, snr in enumerate(snrs):
            ax = axes[i][j]
            for (spec, channel), rows in lines.items():
                rows = sorted((r for r in rows if r.group["snr_db"] == snr), key=lambda r: r.group["rho"])
                if rows:
                    _draw(ax, [float(nominal_rho(r.group["rho"])) for r in rows], [r.metrics[metric] for r in rows],
                          color=styles.colour(describe_spec(spec).family),
                          ls=styles.linestyle(short_channel(channel)), label=family_label(spec, channel))
            ax.set_xscale("log")
            _fit_y(ax, metric, (r.metrics[metric].mean for r in summary if r.group["snr_db"] == snr))
            _axes_labels(ax, metric, "bandwidth ratio rho = k/n", f"SNR {snr:g} dB")
    return _save(fig, path, legend_rows=6)


def outage_target(metric: str) -> float:
    """``"psnr<25"`` → 25.0: the target of an outage panel's name."""
    name, _, target = metric.partition("<")
    if name != "psnr" or not target:
        raise ValueError(f"an outage panel is named psnr<TARGET, got {metric!r}")
    return float(target)


@remembered()
def plot_outage(summary: Sequence[SummaryRow], metrics: Sequence[str], path: str | Path,
                styles: Styles | None = None) -> Path:
    """One panel per target (``metrics`` named ``psnr<25``): P(PSNR < target) over every image and channel
    realization against SNR, one line per (scheme, channel, rho), log y-axis; bars: 95% Wilson intervals.
    A point with no outage among its rows is not drawn on the log axis (its table says 0)."""
    styles = styles or Styles.covering([r.group["scheme"] for r in summary], [r.group["channel"] for r in summary])
    fig, axes = _figure(1, len(metrics), 5.4, 4.0)
    lines = _lines(summary, _scheme_line)
    most = max((len(r.rows) for r in summary), default=1)
    for ax, metric in zip(axes[0], metrics):
        target = outage_target(metric)
        for (scheme, channel, rho), rows in lines.items():
            rows = sorted(rows, key=lambda r: r.group["snr_db"])
            _draw(ax, [r.group["snr_db"] for r in rows], [outage_probability(r, target) for r in rows],
                  color=styles.colour(short_scheme(scheme)), ls=styles.linestyle(short_channel(channel)),
                  label=legend_label(scheme, channel, rho))
        ax.set_yscale("log")
        ax.set_ylim(0.5 / most, 1.2)
        _axes_labels(ax, f"P(PSNR < {target:g} dB)", "SNR (dB)", f"outage, target {target:g} dB")
    return _save(fig, path, legend_rows=6)


PLOT_KINDS = {"snr": plot_metric_vs_snr, "steps": plot_metric_vs_steps, "rho": plot_metric_vs_rho,
              "outage": plot_outage}


@remembered()
def legend_entries(summary: Sequence[SummaryRow], kind: str = "snr") -> list[str]:
    """The legend entries the figure of ``kind`` draws for ``summary``, in legend order."""
    if kind == "steps":
        families = {receiver_family(r.group["scheme"]) for r in summary} - {None}
        return [receiver_label(f) for f in sorted(families)]
    if kind == "rho":
        return [family_label(spec, channel) for spec, channel in family_lines(summary)]
    return [legend_label(s, c, rho) for s, c, rho in _lines(summary, _scheme_line)]


def interval_note(summary: Sequence[SummaryRow], metrics: Sequence[str]) -> str:
    """What the bars of a figure over ``summary`` mean, with the number of images per point."""
    counts = sorted({r.metrics[m].count for r in summary for m in metrics if m in r.metrics})
    n = f"n = {count_range(counts)} images per point"
    draws = [r.metrics[m].realizations for r in summary for m in metrics if m in r.metrics]
    if draws and max(draws) > 1:  # each image's mean is over several channel draws
        n += f" (each averaged over {count_range(draws)} channel draws)"
    bars = "bars: 95% Student-t interval of the mean over images, clipped to the metric's range"
    if counts and counts[0] >= MIN_INTERVAL_COUNT:
        return f"{n}; {bars}"
    if counts and counts[-1] >= MIN_INTERVAL_COUNT:
        return f"{n}; {bars}, drawn only where a point has {MIN_INTERVAL_COUNT} images or more"
    return f"{n}: fewer than {MIN_INTERVAL_COUNT}, so no intervals are drawn"


@remembered()
def plot_results(summary: Sequence[SummaryRow], metrics: Sequence[str], path: str | Path,
                 kind: str = "snr", styles: Styles | None = None) -> list[Path]:
    """Draw ``kind`` (snr | steps | rho | outage). For snr, steps and outage, a summary holding several nominal rho values
    gives one file per rho with a ``_rho1_12``-style suffix; a rho plot puts every rho in one file."""
    if kind not in PLOT_KINDS:
        raise ValueError(f"plot kind must be one of {', '.join(PLOT_KINDS)}, got {kind!r}")
    path = Path(path)
    styles = styles or Styles.covering([r.group["scheme"] for r in summary], [r.group["channel"] for r in summary])
    rhos = sorted({nominal_rho(row.group["rho"]) for row in summary}, reverse=True)
    if kind == "rho" or len(rhos) == 1:
        return [PLOT_KINDS[kind](summary, metrics, path, styles)]
    return [PLOT_KINDS[kind]([r for r in summary if nominal_rho(r.group["rho"]) == rho], metrics,
                             path.with_name(f"{path.stem}_rho{rho.numerator}_{rho.denominator}{path.suffix}"), styles)
            for rho in rhos]
