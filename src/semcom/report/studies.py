"""A *study* is one sweep of the evaluation protocol (DESIGN.md §4) and the figure it feeds: schemes ×
channels × SNRs over a dataset, written to ``<folder>/<name>.csv`` (resumable) and turned into report blocks.

The demo and ``semcom reproduce`` are lists of studies (:mod:`semcom.report.protocols`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Optional, Sequence

from semcom.channels import parse_channel
from semcom.data import get_dataset
from semcom.evaluation import ResultsFile, SummaryRow, SweepConfig, run_sweep, summarize
from semcom.evaluation.sweep import FADING_REALIZATIONS
from semcom.evaluation.labels import short_channel, short_scheme
from semcom.evaluation.markdown import count_range, metric_table
from semcom.evaluation.plots import Styles, interval_note, legend_entries, plot_results
from semcom.evaluation.rho import nominal_rho
from semcom.report.document import Block, Figure, Heading, Link, Paragraph, Table
from semcom.schemes import canonical_text, with_precision


@dataclass(frozen=True)
class Study:
    """``schemes`` maps a short label (tables and legends) to a scheme spec. ``plot`` is a kind of
    :func:`semcom.evaluation.plots.plot_results`; step plots keep the specs as labels because they read the
    sampler options from them."""

    name: str
    title: str
    schemes: dict[str, str]
    snr_db: Sequence[float]
    channels: Sequence[str] = ("awgn",)
    plot: str = "snr"
    metrics: Sequence[str] = ("psnr", "ssim")
    limit: Optional[int] = None  # images; None = the whole dataset
    note: str = ""
    skipped: dict[str, str] = field(default_factory=dict)  # label -> why it is not run here
    results: str = ""  # CSV stem when the rows are shared with another study (default: ``name``)
    #: channel draws per image and operating point (None: 1 over AWGN, ``fading_realizations`` over fading)
    realizations: Optional[int] = None
    fading_realizations: int = FADING_REALIZATIONS

    def sweep_config(self, dataset: str, data_dir: Optional[str], seed: int, device=None) -> SweepConfig:
        return SweepConfig(schemes=list(self.schemes.values()), snr_db=list(self.snr_db),
                           channels=list(self.channels), dataset=dataset, data_dir=data_dir, seed=seed,
                           metrics=list(self.metrics), limit=self.limit, device=device,
                           realizations=self.realizations, fading_realizations=self.fading_realizations)

    @property
    def csv(self) -> str:
        return f"{self.results or self.name}.csv"


def run_study(study: Study, folder: Path, dataset: str, data_dir: Optional[str], seed: int,
              progress: bool = True, device=None, compute: bool = True) -> list[SummaryRow]:
    """Evaluate the missing rows of ``study`` into ``folder/<study.csv>`` (schemes on ``device``) and
    summarize the study's rows. With ``compute`` False nothing is evaluated: the summary is of the rows the
    CSV holds so far (the report of a run still in progress); an image enters a point only with all its
    channel draws there."""
    config = study.sweep_config(dataset, data_dir, seed, device)
    results = ResultsFile(folder / study.csv)
    if compute:
        images = set(run_sweep(config, results, progress=progress).image_ids)
    else:
        images = set(get_dataset(dataset, data_dir=data_dir, limit=study.limit).image_ids)
    wanted = {canonical_text(spec) for spec in study.schemes.values()}
    snrs = {round(float(s), 6) for s in study.snr_db}
    rows = [r for r in results.read() if r.scheme in wanted and r.image_id in images and round(r.snr_db, 6) in snrs]
    return summarize(config.with_every_draw(rows), list(study.metrics))


def study_rows(study: Study) -> int:
    """How many results rows ``study`` has per image (schemes × SNRs × draws summed over channels)."""
    config = study.sweep_config("", None, 0)  # the draws do not depend on the seed
    draws = sum(config.realizations_for(parse_channel(c)) for c in study.channels)
    return len(study.schemes) * len(study.snr_db) * draws


def at_precision(study: Study, precision: Optional[str]) -> Study:
    """The study with its learned schemes at ``precision`` (their specs say so, hence their rows too)."""
    if precision is None:
        return study
    return dataclasses.replace(study, schemes={label: with_precision(spec, precision)
                                               for label, spec in study.schemes.items()})


def with_realizations(study: Study, realizations: Optional[int], fading: Optional[int] = None) -> Study:
    """The study with ``realizations`` channel draws per image on every channel, or ``fading`` draws on its
    fading channels only (AWGN keeps one); None leaves that setting as it is."""
    if realizations is not None:
        study = dataclasses.replace(study, realizations=realizations)
    return study if fading is None else dataclasses.replace(study, fading_realizations=fading)


def relabel(summary: Sequence[SummaryRow], schemes: dict[str, str]) -> list[SummaryRow]:
    """Replace canonical scheme specs by the study's short labels."""
    labels = {canonical_text(spec): label for label, spec in schemes.items()}
    return [dataclasses.replace(row, group={**row.group, "scheme": labels.get(row.group["scheme"],
                                                                              row.group["scheme"])})
            for row in summary]


def _tabled(study: Study, summary: Sequence[SummaryRow]) -> list[SummaryRow]:
    """Rows as the tables show them: the study's scheme labels and short channel names (keys below them)."""
    return [dataclasses.replace(row, group={**row.group, "channel": short_channel(row.group["channel"])})
            for row in relabel(summary, study.schemes)]


def _rhos(summary: Sequence[SummaryRow]) -> list[Fraction]:
    return sorted({nominal_rho(r.group["rho"]) for r in summary}, reverse=True)


def _skipped_note(study: Study) -> list[Block]:
    """One paragraph per reason, naming the schemes it leaves out."""
    by_reason: dict[str, list[str]] = {}
    for label, why in study.skipped.items():
        by_reason.setdefault(why, []).append(label)
    return [Paragraph(f"Not run here ({why}): {', '.join(labels)}.") for why, labels in by_reason.items()]


def same_images(summary: Sequence[SummaryRow], metrics: Sequence[str]) -> tuple[list[SummaryRow], str]:
    """The summary a figure draws: per channel, only the images present at every point of that channel, so
    a line of a run still in progress does not jump between image sets (the tables keep every image). Returns
    it and a caption note saying what was left out ("" when nothing was)."""
    by_channel: dict[str, list[SummaryRow]] = {}
    for row in summary:
        by_channel.setdefault(row.group["channel"], []).append(row)
    kept, notes = [], []
    for channel, points in by_channel.items():
        common = set.intersection(*(set(p.per_image) for p in points))
        if not common or all(len(p.per_image) == len(common) for p in points):
            kept += points
            continue
        kept += summarize([r for p in points for r in p.rows if r.image_id in common], metrics)
        notes.append(f"{short_channel(channel)}: the {len(common)} image{'s' * (len(common) != 1)} present at every "
                     "point")
    if not notes:
        return list(summary), ""
    return kept, f"drawn from {'; '.join(notes)} (the run is incomplete; the tables use every image so far)"


def study_figures(study: Study, summary: Sequence[SummaryRow], folder: Path, styles: Styles) -> list[Block]:
    """Heading, note and the study's figure(s), one per nominal rho (one in all for a rho plot), each with its
    legend entries and a caption that says what the lines and bars are."""
    blocks: list[Block] = [Heading(study.title)]
    if study.note:
        blocks.append(Paragraph(study.note))
    if not summary:
        return blocks + [Paragraph(f"No rows yet: {study.csv} holds none of this study's points.")]
    metrics = list(study.metrics)

    def drawn(rows: Sequence[SummaryRow]) -> tuple[list[SummaryRow], str]:
        """A figure's rows (:func:`same_images`) and what its bars mean."""
        rows, partial = same_images(rows, metrics)
        return rows, interval_note(rows, metrics) + (f"; {partial}" if partial else "")

    if study.plot == "rho":
        rows, bars = drawn(summary)
        path = plot_results(rows, metrics, folder / f"{study.name}.png", "rho", styles)[0]
        blocks.append(Figure(path.name, f"{', '.join(metrics)} against the nominal rho; colour = scheme, line "
                                        f"style = channel; {bars}", legend_entries(rows, "rho")))
    else:
        rhos = _rhos(summary)
        for rho in rhos:
            at_rho, bars = drawn([r for r in summary if nominal_rho(r.group["rho"]) == rho])
            suffix = "" if len(rhos) == 1 else f"_rho{rho.numerator}_{rho.denominator}"
            path = plot_results(at_rho, metrics, folder / f"{study.name}{suffix}.png", study.plot, styles)[0]
            what = ("colour = receiver; x = 0 is the no-de-noiser point every receiver starts from"
                    if study.plot == "steps" else "colour = scheme, line style = channel")
            blocks.append(Figure(path.name, f"rho = {rho}: {', '.join(metrics)}; {what}; {bars}",
                                 legend_entries(at_rho, study.plot)))
    blocks += _skipped_note(study)
    return blocks


def images_label(rows: Sequence[SummaryRow], dataset: str, dataset_size: int | None, limit: int | None = None) -> str:
    """What a table says about the images behind it. ``"Kodak-24: all 24 images at every point"`` only when
    every point of ``rows`` (every metric) holds each of the ``dataset_size`` images of ``dataset``; otherwise
    the fewest and most images per point, ``of N`` and "incomplete", so a partial sweep is never labelled as
    the full set (``dataset_size`` None: the set's size is unknown, counts only). A study limited to its first
    ``limit`` images that has them all at every point says so instead of "incomplete"."""
    counts = [e.count for r in rows for e in r.metrics.values()]
    if not counts:
        return f"{dataset}: no rows"
    return _images_phrase(counts, dataset, dataset_size, limit) + _draws_phrase(
        [e.realizations for r in rows for e in r.metrics.values()])


def _images_phrase(counts: Sequence[int], dataset: str, dataset_size: int | None, limit: int | None) -> str:
    low, high = min(counts), max(counts)
    if dataset_size is None:
        return f"{dataset}: {count_range(counts)} image(s) per point"
    if low == dataset_size and high == dataset_size:
        whole = f"{dataset.capitalize()}-{dataset_size}" if dataset.isalpha() else dataset  # Kodak-24; samples-192
        return f"{whole}: all {dataset_size} images at every point"
    if limit is not None and low == high == min(limit, dataset_size):
        return f"{dataset}: the first {low} of its {dataset_size} images at every point (a limited run)"
    return f"{dataset}: {count_range(counts)} of {dataset_size} images per point (incomplete)"


def _draws_phrase(draws: Sequence[int]) -> str:
    """How many channel draws each image's mean holds, where any holds more than one (a fading channel)."""
    return f", {count_range(draws)} channel draws per image" if max(draws) > 1 else ""


def study_tables(study: Study, summary: Sequence[SummaryRow], dataset: str = "",
                 dataset_size: int | None = None) -> list[Block]:
    """One table per (nominal rho, metric) with the measured k/n and the images behind it
    (:func:`images_label`), the schemes' full specs, and the CSV link."""
    shown = _tabled(study, summary)
    blocks: list[Block] = [Heading(f"Tables: {study.title}", level=3)]
    for rho in _rhos(shown):
        at_rho = [r for r in shown if nominal_rho(r.group["rho"]) == rho]
        for metric in study.metrics:
            header, rows = metric_table(at_rho, metric, digits=2 if metric == "psnr" else 4)
            images = images_label([r for r in at_rho if metric in r.metrics], dataset or "dataset", dataset_size,
                                  study.limit)
            blocks.append(Table(header, rows, caption=f"{metric}, rho = {rho}, {images} (hover a cell for its 95% "
                                                      "interval)"))
    blocks.append(Table(["scheme", "legend name", "spec"],
                        [[label, short_scheme(spec), spec] for label, spec in study.schemes.items()],
                        caption="schemes of this study", numeric=False))
    blocks.append(Table(["channel", "spec"], [[short_channel(c), parse_channel(c).label] for c in study.channels],
                        caption="channels of this study", numeric=False))
    if summary:  # a study without rows (a report of a run still in progress) may have no CSV yet
        blocks.append(Link(study.csv, f"all rows: {study.csv}"))
    return blocks


#: SNR ranges of the opening summary: (name, lowest SNR included, first SNR excluded).
SNR_RANGES = (("low SNR", -math.inf, 5.0), ("mid SNR", 5.0, 15.0), ("high SNR", 15.0, math.inf))


def _best(rows: Sequence[SummaryRow], metric: str) -> tuple[str, float] | None:
    """The scheme with the highest mean of ``metric`` averaged over ``rows``' SNR points, and that average."""
    by_scheme: dict[str, list[float]] = {}
    for row in rows:
        by_scheme.setdefault(row.group["scheme"], []).append(row.metrics[metric].mean)
    scored = [(sum(v) / len(v), s) for s, v in by_scheme.items() if v and all(math.isfinite(x) for x in v)]
    return (max(scored)[1], max(scored)[0]) if scored else None


def _comparable(rows: Sequence[SummaryRow], schemes: set[str], points: Sequence[float]) -> bool:
    """Whether ``rows`` hold every scheme of ``schemes`` at every SNR of ``points``, all on the same images: a
    run in progress is not ranked on whichever schemes and images it has reached."""
    held = {(r.group["scheme"], r.group["snr_db"]) for r in rows}
    return (all((s, p) in held for s in schemes for p in points)
            and len({frozenset(r.per_image) for r in rows}) == 1)


def best_scheme_table(summary: Sequence[SummaryRow], snrs: Sequence[float]) -> Table:
    """The report's opening table: per (nominal rho, channel) and SNR range, the best scheme by mean PSNR over
    the range's SNR points, with its PSNR and SSIM. A cell ranks only when every scheme of that rho (on any
    channel) is there at each of the range's SNRs on the same images; otherwise it says "incomplete". A cell on
    fewer images than the study's best-covered point gives its image count."""
    ranges = [(name, [s for s in snrs if low <= s < high]) for name, low, high in SNR_RANGES]
    ranges = [(name, points) for name, points in ranges if points]
    header = ["rho", "channel", *[f"{name} ({_span(points)})" for name, points in ranges]]
    rows = []
    most = max((len(r.per_image) for r in summary), default=0)  # a cell on fewer images says how many
    for rho in _rhos(summary):
        schemes = {r.group["scheme"] for r in summary if nominal_rho(r.group["rho"]) == rho}
        for channel in sorted({r.group["channel"] for r in summary}, key=lambda c: (c != "awgn", c)):
            cells = [str(rho), short_channel(channel)]
            for _, points in ranges:
                rows_here = [r for r in summary if nominal_rho(r.group["rho"]) == rho and r.group["channel"] == channel
                             and r.group["snr_db"] in points]
                best = _best(rows_here, "psnr")
                if best is None:
                    cells.append("–")
                    continue
                if not _comparable(rows_here, schemes, points):
                    cells.append("– (incomplete)")
                    continue
                ssim = [r.metrics["ssim"].mean for r in rows_here if r.group["scheme"] == best[0] and "ssim" in r.metrics]
                images = len(rows_here[0].per_image)
                cells.append(f"{short_scheme(best[0])}: {best[1]:.2f} dB" +
                             (f", SSIM {sum(ssim) / len(ssim):.3f}" if ssim else "") +
                             (f" (n = {images})" if images < most else ""))
            rows.append(cells)
    return Table(header, rows, caption="best scheme by mean PSNR over each SNR range (its SSIM beside it)")


def _span(points: Sequence[float]) -> str:
    return f"{points[0]:g} dB" if len(points) == 1 else f"{points[0]:g}–{points[-1]:g} dB"
