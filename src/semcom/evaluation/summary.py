"""Mean and 95% confidence interval per operating point (DESIGN.md §4)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from scipy.special import stdtrit

from semcom.evaluation.results import ResultRow

GROUP_BY = ("scheme", "weights_id", "dataset", "channel", "rho", "snr_db", "denoise_steps")


@dataclass(frozen=True)
class Estimate:
    """Sample mean with the half-width of its two-sided 95% Student-t interval (NaN for n < 2)."""

    mean: float
    half_width: float
    count: int

    def __str__(self) -> str:
        if math.isnan(self.mean):
            return "n/a"
        return f"{self.mean:.3f}" + ("" if math.isnan(self.half_width) else f" ± {self.half_width:.3f}")


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Mean and CI half-width of the finite values (infinite/NaN values are left out and not counted)."""
    data = np.asarray([v for v in values if math.isfinite(v)], dtype=np.float64)
    if data.size == 0:
        return Estimate(math.nan, math.nan, 0)
    if data.size == 1:
        return Estimate(float(data[0]), math.nan, 1)
    sem = data.std(ddof=1) / math.sqrt(data.size)
    half = float(stdtrit(data.size - 1, 0.5 + confidence / 2) * sem)
    return Estimate(float(data.mean()), half, int(data.size))


@dataclass(frozen=True)
class SummaryRow:
    group: dict
    metrics: dict[str, Estimate]


def summarize(rows: Iterable[ResultRow], metrics: Sequence[str] = ("psnr", "ssim", "ms_ssim")) -> list[SummaryRow]:
    """Group rows by operating point and estimate each metric; sorted by scheme, channel, SNR."""
    groups: dict[tuple, list[ResultRow]] = {}
    for row in rows:
        groups.setdefault(tuple(getattr(row, g) for g in GROUP_BY), []).append(row)
    summary = [
        SummaryRow(dict(zip(GROUP_BY, key)), {m: mean_ci([getattr(r, m) for r in members]) for m in metrics})
        for key, members in groups.items()
    ]
    return sorted(summary, key=lambda s: (s.group["scheme"], s.group["channel"], s.group["rho"], s.group["snr_db"]))
