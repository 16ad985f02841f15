"""Mean and 95% confidence interval per operating point (DESIGN.md §4)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from scipy.special import stdtrit

from semcom.evaluation.rho import row_rho
from semcom.evaluation.results import ResultRow

GROUP_BY = ("scheme", "weights_id", "dataset", "channel", "rho", "snr_db", "denoise_steps")


#: The values a metric can take; intervals are clipped to them.
METRIC_RANGES = {"psnr": (0.0, math.inf), "ssim": (0.0, 1.0), "ms_ssim": (0.0, 1.0), "lpips": (0.0, math.inf),
                 "clip": (-1.0, 1.0), "fid": (0.0, math.inf), "outage": (0.0, 1.0)}
#: Fewer images than this give no interval in plots and reports (a t interval on 3 photos says little).
MIN_INTERVAL_COUNT = 8


@dataclass(frozen=True)
class Estimate:
    """Sample mean with the half-width of its two-sided 95% Student-t interval (NaN for n < 2), and the
    interval's ends ``low``/``high`` clipped to the metric's range (NaN where there is no interval)."""

    mean: float
    half_width: float
    count: int
    low: float = math.nan
    high: float = math.nan

    @property
    def has_interval(self) -> bool:
        """Whether plots and reports show the interval: n ≥ :data:`MIN_INTERVAL_COUNT` and finite ends."""
        return self.count >= MIN_INTERVAL_COUNT and math.isfinite(self.low) and math.isfinite(self.high)

    def __str__(self) -> str:
        if math.isnan(self.mean):
            return "n/a"
        return f"{self.mean:.3f}" + ("" if math.isnan(self.half_width) else f" ± {self.half_width:.3f}")


def mean_ci(values: Sequence[float], confidence: float = 0.95,
            bounds: tuple[float, float] = (-math.inf, math.inf)) -> Estimate:
    """Mean and CI of the finite values (infinite/NaN values are left out and not counted); the interval's
    ends are clipped to ``bounds``."""
    data = np.asarray([v for v in values if math.isfinite(v)], dtype=np.float64)
    if data.size == 0:
        return Estimate(math.nan, math.nan, 0)
    if data.size == 1:
        return Estimate(float(data[0]), math.nan, 1)
    sem = data.std(ddof=1) / math.sqrt(data.size)
    half = float(stdtrit(data.size - 1, 0.5 + confidence / 2) * sem)
    mean = float(data.mean())
    return Estimate(mean, half, int(data.size), max(bounds[0], mean - half), min(bounds[1], mean + half))


@dataclass(frozen=True)
class SummaryRow:
    group: dict
    metrics: dict[str, Estimate]


def summarize(rows: Iterable[ResultRow], metrics: Sequence[str] = ("psnr", "ssim", "ms_ssim")) -> list[SummaryRow]:
    """Group rows by operating point and estimate each metric; sorted by scheme, channel, SNR.

    The ``rho`` of a group is the nominal (configured) ratio; ``rho_exact`` lists the measured k/n values of
    its rows, which pilots and image sizes move slightly."""
    groups: dict[tuple, list[ResultRow]] = {}
    for row in rows:
        groups.setdefault(tuple(row_rho(row) if g == "rho" else getattr(row, g) for g in GROUP_BY), []).append(row)
    summary = [
        SummaryRow({**dict(zip(GROUP_BY, key)), "rho_exact": sorted({r.rho for r in members})},
                   {m: mean_ci([getattr(r, m) for r in members], bounds=METRIC_RANGES.get(m, (-math.inf, math.inf)))
                    for m in metrics})
        for key, members in groups.items()
    ]
    return sorted(summary, key=lambda s: (s.group["scheme"], s.group["channel"], s.group["rho"], s.group["snr_db"]))
