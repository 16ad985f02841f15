"""What a report command will run, and how long it should take, printed before it starts.

Times come from per-scheme costs measured by ``benchmarks/demo_costs.py`` (seconds per results row on one
192×192 image, and seconds to build the scheme), stored in ``demo_costs.json`` beside this module with the
machine they were measured on. A row's cost is scaled by its image's pixel count; rows already in the report
folder's CSVs cost nothing. The estimate is for a machine like the one measured: it says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Optional, Sequence

from semcom.channels import parse_channel
from semcom.data import get_dataset
from semcom.evaluation import ResultsFile
from semcom.evaluation.results import row_key
from semcom.schemes import canonical_text

COSTS_FILE = Path(__file__).with_name("demo_costs.json")
FALLBACK_ROW_SECONDS = 0.5  # a scheme not in the cost table: about a latent scheme's row at 192x192


@dataclass(frozen=True)
class Costs:
    """Measured seconds per row at ``pixels`` pixels and per scheme build, keyed by canonical spec."""

    row: dict[str, float]
    build: dict[str, float]
    pixels: int
    machine: str

    @classmethod
    def load(cls, path: Path = COSTS_FILE) -> "Costs":
        if not path.is_file():
            return cls({}, {}, 192 * 192, "nowhere (no cost table)")
        data = json.loads(path.read_text())
        return cls(data["row_seconds"], data["build_seconds"], data["pixels"], data["machine"])

    def row_seconds(self, spec: str, pixels: int) -> float:
        per_row = self.row.get(spec, median(self.row.values()) if self.row else FALLBACK_ROW_SECONDS)
        return per_row * pixels / self.pixels

    def build_seconds(self, spec: str) -> float:
        return self.build.get(spec, median(self.build.values()) if self.build else 1.0)


@dataclass(frozen=True)
class StudyPlan:
    """One study's size: rows in all, rows still to compute, and their estimated seconds."""

    name: str
    schemes: int
    channels: int
    snrs: int
    images: int
    rows: int
    missing: int
    seconds: float
    draws: int = 1  # channel realizations per image and operating point (the most over the study's channels)


def plan_study(study, folder: Path, dataset: str, data_dir: Optional[str], seed: int, costs: Costs) -> StudyPlan:
    images = get_dataset(dataset, data_dir=data_dir, limit=study.limit)
    pixels = [int(images[i].image[0].numel()) for i in range(len(images))]
    keys = ResultsFile(folder / study.csv).keys() if (folder / study.csv).is_file() else set()
    done = {(key[0], *key[2:]) for key in keys}  # the weights id follows from the spec
    config = study.sweep_config(dataset, data_dir, seed)
    channels = {spec.label: config.realizations_for(spec) for spec in map(parse_channel, study.channels)}
    missing, seconds = 0, 0.0
    for spec in study.schemes.values():
        canonical, todo = canonical_text(spec), 0
        for image_id, size in zip(images.image_ids, pixels):
            for channel, count in channels.items():
                for snr in study.snr_db:
                    for realization in range(count):
                        key = row_key(canonical, "", images.name, image_id, channel, snr, seed, realization)
                        if (key[0], *key[2:]) not in done:
                            todo += 1
                            seconds += costs.row_seconds(canonical, size)
        missing += todo
        seconds += costs.build_seconds(canonical) if todo else 0.0
    rows = len(study.schemes) * sum(channels.values()) * len(study.snr_db) * len(images)
    return StudyPlan(study.name, len(study.schemes), len(channels), len(study.snr_db), len(images), rows, missing,
                     seconds, max(channels.values(), default=1))


def grid_seconds(grid, costs: Costs, dataset: str, data_dir: Optional[str]) -> float:
    """The reconstruction grid: every scheme at every SNR on the dataset's first image."""
    if grid is None or not grid.schemes:
        return 0.0
    pixels = int(get_dataset(dataset, data_dir=data_dir, limit=1)[0].image[0].numel())
    specs = [canonical_text(spec) for spec in grid.schemes.values()]
    return sum(costs.build_seconds(s) + len(grid.snr_db) * costs.row_seconds(s, pixels) for s in specs)


def describe(plans: Sequence[StudyPlan], grid: float, costs: Costs, threads: int) -> str:
    """The lines printed before a report command starts."""
    lines = [f"{'study':<18} {'schemes':>7} {'channels':>8} {'SNRs':>5} {'images':>6} {'draws':>5} {'rows':>6} "
             f"{'to run':>6} {'est.':>8}"]
    for p in plans:
        lines.append(f"{p.name:<18} {p.schemes:>7} {p.channels:>8} {p.snrs:>5} {p.images:>6} {p.draws:>5} {p.rows:>6} "
                     f"{p.missing:>6} {minutes(p.seconds):>8}")
    total = sum(p.seconds for p in plans) + grid
    lines.append(f"reconstruction grid: {minutes(grid)}; estimated total {minutes(total)} "
                 f"(costs measured on {costs.machine}; this machine: {threads} threads)")
    return "\n".join(lines)


def minutes(seconds: float) -> str:
    """``42 s`` below 90 s, else ``2.8 min``."""
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"
