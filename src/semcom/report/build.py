"""Run a list of studies into a report folder: one CSV and figure per study, a reconstruction grid, and
``report.md`` + ``report.html`` that tie them together with the setup needed to reproduce them."""

from __future__ import annotations

import dataclasses
import datetime
import math
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

import torch

from semcom.channels import parse_channel
from semcom.data import get_dataset
from semcom.evaluation import ResultsFile
from semcom.evaluation.reconstructions import save_reconstruction_grid
from semcom.provenance import git_commit
from semcom.report.document import Figure, Heading, Paragraph, Report, Table
from semcom.device import hardware_name, resolve_device
from semcom.evaluation.plots import Styles
from semcom.report.studies import (Study, at_precision, best_scheme_table, images_label, run_study, study_figures,
                                   study_rows, study_tables)
from semcom.schemes import with_precision


@dataclass(frozen=True)
class GridSpec:
    """A reconstruction grid (paper A Fig. 3): rows = ``schemes`` ({label: spec}), columns = ``snr_db``,
    on the dataset's first image over ``channel``."""

    schemes: Mapping[str, str]
    snr_db: Sequence[float]
    channel: str = "awgn"

    def at_precision(self, precision: Optional[str]) -> "GridSpec":
        """The grid with its learned schemes at ``precision`` (None: unchanged)."""
        if precision is None:
            return self
        return dataclasses.replace(self, schemes={label: with_precision(spec, precision)
                                                  for label, spec in self.schemes.items()})


def setup_blocks(command: str, dataset: str, data_dir: Optional[str], seed: int,
                 device: Optional[torch.device] = None, precision: Optional[str] = None,
                 timing: Optional[tuple[Optional[float], float, int]] = None) -> list:
    """The setup table; ``timing`` is (this invocation's wall seconds, or None when it computed no row; the
    rows' summed ``seconds``; rows)."""
    import semcom

    where = device if device is not None else torch.device("cpu")
    hardware = hardware_name(where)

    rows = [
        ["command", command],
        ["semcom", f"{semcom.__version__} (commit {git_commit()})"],
        ["python / torch", f"{sys.version.split()[0]} / {torch.__version__}, {torch.get_num_threads()} threads"],
        ["machine", f"{platform.machine()} {platform.processor() or ''}".strip()],
        ["dataset", dataset + (f" from {data_dir}" if data_dir else "")],
        ["device / precision", f"{where} ({hardware}) / {precision or 'fp32'}"],
        ["sweep seed", str(seed)],
        ["written", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")],
    ]
    if timing is not None:
        wall, rows_seconds, count = timing
        spent = ("none: this invocation only wrote the report (--report-only)" if wall is None else
                 f"{_duration(wall)} for this invocation on {hardware} (a resumed run counts only what it computed)")
        rows.append(["wall time", f"{spent}; {_duration(rows_seconds)} summed over the {count} rows' own times "
                                  "(the `seconds` column: the scheme's time per row, metrics not included, "
                                  "over every invocation)"])
    return [Heading("Setup"), Table(["", ""], rows),
            Paragraph("Conventions (docs/DESIGN.md): SNR = P/sigma² per complex symbol; rho = k/n with n = 3HW "
                      "source values and k complex channel uses; PSNR on 8-bit images, per image, then averaged; "
                      "SSIM with an 11-pixel Gaussian window (sigma 1.5). Every row of every table is in the CSV "
                      "beside it, and re-running the command resumes from those files.")]


def _duration(seconds: float) -> str:
    minutes = seconds / 60
    return f"{seconds:.0f} s" if minutes < 2 else f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"


def build_report(title: str, studies: Sequence[Study], folder: str | Path, *, dataset: str,
                 data_dir: Optional[str] = None, seed: int = 0, command: str = "", grid: Optional[GridSpec] = None,
                 progress: bool = True, device=None, precision: Optional[str] = None,
                 compute: bool = True) -> Path:
    """Run (or resume) every study into ``folder`` and write the report; returns the HTML page's path.

    The studies run smallest first (fewest rows per image), so a long run that is stopped has finished its
    small tables; the page keeps the order of ``studies``. It opens with its message (the best scheme per SNR
    range and rho), then the figures of every study and the reconstruction grid, then the tables, then the
    setup needed to reproduce it. Schemes run on ``device`` (:func:`semcom.device.resolve_device`);
    ``precision`` applies to the learned ones. With ``compute`` False no row is evaluated: the report is of
    the rows the CSVs hold (each table says how many images it has)."""
    started = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    device = resolve_device(device) if device is not None else None
    studies = [at_precision(study, precision) for study in studies]
    grid = grid.at_precision(precision) if grid is not None else None
    summaries: list = [None] * len(studies)
    for i in sorted(range(len(studies)), key=lambda i: study_rows(studies[i])):
        summaries[i] = run_study(studies[i], folder, dataset, data_dir, seed, progress=progress, device=device,
                                 compute=compute)
    styles = Styles.covering([spec for study in studies for spec in study.schemes.values()],
                             [c for study in studies for c in study.channels])
    whole = get_dataset(dataset, data_dir=data_dir)
    size = len(whole)  # the whole set: tables say whether every point has it
    report = Report(title).add(*message_blocks(studies, summaries, dataset, size))
    for study, summary in zip(studies, summaries):
        report.add(*study_figures(study, summary, folder, styles))
    if grid is not None and grid.schemes:
        photos = get_dataset(dataset, data_dir=data_dir, limit=1)
        path = save_reconstruction_grid(
            photos[0].image, grid.schemes, grid.snr_db, parse_channel(grid.channel),
            folder / "reconstructions.jpg", torch.Generator().manual_seed(seed),
            dataset=whole, progress=progress, device=device)
        report.add(Heading("Reconstructions (paper A Fig. 3)"),
                   Figure(path.name, f"{photos.image_ids[0]} over {grid.channel}: rows = schemes, columns = SNR; "
                                     f"titles give the SNR and the PSNR of that reconstruction (figure stored as "
                                     f"JPEG, quality 90)"))
    report.add(Heading("Tables"))
    for study, summary in zip(studies, summaries):
        report.add(*study_tables(study, summary, dataset, size))
    rows = [row for name in dict.fromkeys(study.csv for study in studies) for row in ResultsFile(folder / name).read()]
    wall = time.perf_counter() - started if compute else None
    timing = (wall, sum(r.seconds for r in rows if math.isfinite(r.seconds)), len(rows))
    report.add(*setup_blocks(command, dataset, data_dir, seed, device, precision, timing))
    return report.write(folder)[1]


def message_blocks(studies: Sequence[Study], summaries: Sequence, dataset: str,
                   dataset_size: int | None = None) -> list:
    """The opening: what was run, on how many images (:func:`images_label`), and the best scheme per SNR range
    and rho of each metric-against-SNR study."""
    blocks: list = [Heading("Summary")]
    for study, summary in zip(studies, summaries):
        if study.plot != "snr" or not summary:
            continue
        blocks.append(Paragraph(f"{study.title}: {len(study.schemes)} schemes, {len(study.channels)} channel(s), "
                                f"SNR {min(study.snr_db):g} to {max(study.snr_db):g} dB; "
                                f"{images_label(summary, dataset, dataset_size, study.limit)}."))
        blocks.append(best_scheme_table(summary, sorted(study.snr_db)))
    return blocks
