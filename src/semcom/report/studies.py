"""A *study* is one sweep of the evaluation protocol (DESIGN.md §4) and the figure it feeds: schemes ×
channels × SNRs over a dataset, written to ``<folder>/<name>.csv`` (resumable) and turned into report blocks.

The demo and ``semcom reproduce`` are lists of studies (:mod:`semcom.report.protocols`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from semcom.channels import ChannelSpec
from semcom.evaluation import ResultsFile, SummaryRow, SweepConfig, run_sweep, summarize
from semcom.evaluation.markdown import metric_table, nominal_rho
from semcom.evaluation.plots import plot_results
from semcom.report.document import Block, Figure, Heading, Link, Paragraph, Table
from semcom.schemes import canonical_spec, create_scheme


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

    @property
    def csv(self) -> str:
        return f"{self.results or self.name}.csv"


def run_study(study: Study, folder: Path, dataset: str, data_dir: Optional[str], seed: int,
              progress: bool = True) -> list[SummaryRow]:
    """Evaluate the missing rows of ``study`` into ``folder/<study.csv>`` and summarize the study's rows."""
    config = SweepConfig(schemes=list(study.schemes.values()), snr_db=list(study.snr_db),
                         channels=list(study.channels), dataset=dataset, data_dir=data_dir, seed=seed,
                         metrics=list(study.metrics), limit=study.limit)
    results = ResultsFile(folder / study.csv)
    run_sweep(config, results, progress=progress)
    labels = {ChannelSpec.parse(c).label for c in study.channels}
    wanted = {canonical_spec(create_scheme(spec)) for spec in study.schemes.values()}
    snrs = {round(float(s), 6) for s in study.snr_db}
    return summarize([r for r in results.read() if r.scheme in wanted and r.seed == seed
                      and r.channel in labels and round(r.snr_db, 6) in snrs], list(study.metrics))


def relabel(summary: Sequence[SummaryRow], schemes: dict[str, str]) -> list[SummaryRow]:
    """Replace canonical scheme specs by the study's short labels."""
    labels = {canonical_spec(create_scheme(spec)): label for label, spec in schemes.items()}
    return [dataclasses.replace(row, group={**row.group, "scheme": labels.get(row.group["scheme"],
                                                                              row.group["scheme"])})
            for row in summary]


def study_blocks(study: Study, summary: Sequence[SummaryRow], folder: Path) -> list[Block]:
    """Heading, note, one table per (rho, metric), the figure(s) and a link to the CSV."""
    shown = list(summary) if study.plot == "steps" else relabel(summary, study.schemes)
    blocks: list[Block] = [Heading(study.title)]
    if study.note:
        blocks.append(Paragraph(study.note))
    if study.skipped:
        blocks.append(Paragraph("Not run here: " + "; ".join(f"{k} ({why})" for k, why in study.skipped.items())))
    rhos = sorted({nominal_rho(r.group["rho"]) for r in shown}, reverse=True)
    if study.plot == "rho":
        path = plot_results(shown, list(study.metrics), folder / f"{study.name}.png", "rho")[0]
        blocks.append(Figure(path.name, f"{study.title}: {', '.join(study.metrics)} against rho (mean and 95% "
                                        f"interval over images)"))
    for rho in rhos:
        at_rho = [r for r in shown if nominal_rho(r.group["rho"]) == rho]
        if study.plot != "rho":
            suffix = "" if len(rhos) == 1 else f"_rho{rho.numerator}_{rho.denominator}"
            path = plot_results(at_rho, list(study.metrics), folder / f"{study.name}{suffix}.png", study.plot)[0]
            blocks.append(Figure(path.name, f"rho = {rho}: {', '.join(study.metrics)} (mean and 95% interval "
                                            f"over images)"))
        for metric in study.metrics:
            header, rows = metric_table(at_rho, metric, digits=2 if metric == "psnr" else 4)
            blocks.append(Table(header, rows, caption=f"{metric}, rho = {rho}"))
    blocks.append(Link(study.csv, f"all rows: {study.csv}"))
    return blocks
