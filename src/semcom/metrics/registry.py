"""The metric registry. Optional metrics (LPIPS, FID, CLIP score) register with an availability check that
explains what is missing instead of failing deep inside a sweep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import torch

from semcom.errors import MetricUnavailableError, UnknownNameError
from semcom.specs import parse_spec

MetricFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Metric:
    """A per-image quality metric.

    ``fn(reference, reconstruction)`` takes two ``float32 [B, 3, H, W]`` tensors in [0, 1] and returns
    ``float64 [B]``. ``availability()`` returns None when usable, else a sentence saying what is missing.
    """

    name: str
    fn: MetricFn
    higher_is_better: bool = True
    availability: Callable[[], Optional[str]] = lambda: None

    def __call__(self, reference: torch.Tensor, reconstruction: torch.Tensor) -> torch.Tensor:
        reason = self.availability()
        if reason:
            raise MetricUnavailableError(f"metric {self.name!r} is unavailable: {reason}")
        return self.fn(reference, reconstruction)


_METRICS: dict[str, Metric] = {}


def register_metric(
    name: str, higher_is_better: bool = True, availability: Callable[[], Optional[str]] = lambda: None
) -> Callable[[MetricFn], MetricFn]:
    """Function decorator that registers ``fn(reference, reconstruction) -> [B]`` under ``name``."""

    def decorator(fn: MetricFn) -> MetricFn:
        if name in _METRICS:
            raise ValueError(f"metric {name!r} is already registered")
        _METRICS[name] = Metric(name, fn, higher_is_better, availability)
        return fn

    return decorator


def get_metric(name: str) -> Metric:
    """The metric ``name`` (the spec grammar of :mod:`semcom.specs`; no metric takes options yet)."""
    base, options = parse_spec(name, "metric", UnknownNameError)
    if options:
        raise UnknownNameError(f"metric {base!r} takes no options, got {name!r}")
    try:
        return _METRICS[base]
    except KeyError:
        raise UnknownNameError(f"unknown metric {name!r}; available: {', '.join(sorted(_METRICS))}") from None


def list_metrics(available_only: bool = False) -> list[str]:
    return sorted(n for n, m in _METRICS.items() if not available_only or m.availability() is None)


def compute_metrics(
    reference: torch.Tensor, reconstruction: torch.Tensor, names: list[str]
) -> dict[str, torch.Tensor]:
    """Evaluate several metrics on one batch: ``{name: float64 [B]}``."""
    return {name: get_metric(name)(reference, reconstruction) for name in names}
