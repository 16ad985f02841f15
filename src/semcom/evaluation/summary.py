"""Mean and 95% confidence interval per operating point (DESIGN.md §4), and outage against a quality target.

An operating point's rows are first averaged per image over its channel realizations; the mean and its
Student-t interval are then taken over the images, so n is the image count whatever the realizations. The
channel's own share of the uncertainty (from the spread between an image's realizations) is given apart.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
from scipy.special import stdtrit

from semcom.evaluation.rho import row_rho
from semcom.evaluation.results import ResultRow

#: An operating point. ``denoise_steps`` is not part of it: a matched-start receiver's U-Net evaluations
#: follow the draw over fading (a strong fade leaves fewer steps), so the group reports their most instead.
GROUP_BY = ("scheme", "weights_id", "dataset", "channel", "rho", "snr_db")
#: The two-sided 95 % quantile of the standard normal distribution.
Z95 = 1.959964


#: The values a metric can take; intervals are clipped to them.
METRIC_RANGES = {"psnr": (0.0, math.inf), "ssim": (0.0, 1.0), "ms_ssim": (0.0, 1.0), "lpips": (0.0, math.inf),
                 "clip": (-1.0, 1.0), "fid": (0.0, math.inf), "outage": (0.0, 1.0),
                 "vif": (0.0, math.inf)}
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
    #: the fewest channel realizations behind any image's mean (1: one draw per image)
    realizations: int = 1
    #: half-width of the 95% interval of ``mean`` that the channel draws alone leave (normal approximation
    #: from the within-image variances; NaN with one realization per image)
    channel_half_width: float = math.nan

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
    """One operating point: ``metrics`` over images, ``per_image`` each image's mean over its realizations
    (``{image_id: {metric: value}}``) and ``rows`` the results rows behind it."""

    group: dict
    metrics: dict[str, Estimate]
    per_image: dict = field(default_factory=dict)
    rows: tuple = ()


def _finite_mean(values: Sequence[float]) -> tuple[float, float, int]:
    """``(mean, sample variance, count)`` of the finite values (NaN mean when there are none)."""
    data = np.asarray([v for v in values if math.isfinite(v)], dtype=np.float64)
    if data.size == 0:
        return math.nan, math.nan, 0
    return float(data.mean()), float(data.var(ddof=1)) if data.size > 1 else math.nan, int(data.size)


def estimate_over_images(by_image: dict[str, list[float]], bounds=(-math.inf, math.inf)) -> tuple[Estimate, dict]:
    """The :class:`Estimate` over images of each image's mean over its realizations, and those means."""
    stats = {image: _finite_mean(values) for image, values in by_image.items()}
    means = {image: s[0] for image, s in stats.items()}
    estimate = mean_ci(list(means.values()), bounds=bounds)
    used = [s for s in stats.values() if math.isfinite(s[0])]
    draws = min((s[2] for s in used), default=1)
    channel = math.nan
    if used and draws > 1:
        channel = Z95 * math.sqrt(sum(s[1] / s[2] for s in used)) / len(used)
    return dataclasses.replace(estimate, realizations=draws, channel_half_width=channel), means


def summarize(rows: Iterable[ResultRow], metrics: Sequence[str] = ("psnr", "ssim", "ms_ssim")) -> list[SummaryRow]:
    """Group rows by operating point and estimate each metric over images (each image's realizations
    averaged first); sorted by scheme, channel, SNR.

    The ``rho`` of a group is the nominal (configured) ratio; ``rho_exact`` lists the measured k/n values of
    its rows, which pilots and image sizes move slightly."""
    groups: dict[tuple, list[ResultRow]] = {}
    for row in rows:
        groups.setdefault(tuple(row_rho(row) if g == "rho" else getattr(row, g) for g in GROUP_BY), []).append(row)
    summary = []
    for key, members in groups.items():
        estimates, per_image = {}, {}
        for m in metrics:
            by_image: dict[str, list[float]] = {}
            for r in members:
                by_image.setdefault(r.image_id, []).append(getattr(r, m))
            estimates[m], means = estimate_over_images(by_image, METRIC_RANGES.get(m, (-math.inf, math.inf)))
            for image, value in means.items():
                per_image.setdefault(image, {})[m] = value
        summary.append(SummaryRow({**dict(zip(GROUP_BY, key)), "denoise_steps": max(r.denoise_steps for r in members),
                                   "rho_exact": sorted({r.rho for r in members})},
                                  estimates, per_image, tuple(members)))
    return sorted(summary, key=lambda s: (s.group["scheme"], s.group["channel"], s.group["rho"], s.group["snr_db"]))


def outage_probability(summary: SummaryRow, target: float, metric: str = "psnr") -> Estimate:
    """P(metric < ``target``) over every (image, realization) row of an operating point: the share of rows
    below the target (a row whose metric is NaN, e.g. a failed decode, counts as below), with the 95%
    Wilson interval of that share; ``count`` is the number of rows."""
    values = [getattr(r, metric) for r in summary.rows]
    if not values:
        return Estimate(math.nan, math.nan, 0)
    below = sum(1 for v in values if not v >= target)  # NaN counts as below
    n, p, z = len(values), below / len(values), Z95
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Estimate(p, spread, n, max(0.0, centre - spread), min(1.0, centre + spread),
                    realizations=min(Counter(r.image_id for r in summary.rows).values()))
