"""What the training loop watches between two log rows, kept on the training device so that a step never
waits for the device (no ``.item()`` per step): the sums of the logged values and the first step whose loss
was not finite. :meth:`StepMonitor.flush` reads them back once per log row."""

from __future__ import annotations

from typing import Optional

import torch


class StepMonitor:
    """Running sums of a log interval's values (``float32 []`` tensors or floats) and its first bad step."""

    def __init__(self):
        self._reset()

    def _reset(self) -> None:
        self._sums: dict[str, torch.Tensor | float] = {}
        self._counts: dict[str, int] = {}
        self._first_bad: Optional[torch.Tensor] = None  # int64 [] on the device; -1 while every loss is finite

    def add(self, step: int, loss: torch.Tensor, logs: dict) -> None:
        """Record step ``step``'s loss (a scalar tensor) and its logged values, without a device sync."""
        loss = loss.detach().float()
        bad = ~torch.isfinite(loss)
        if self._first_bad is None:
            self._first_bad = torch.full((), -1, dtype=torch.int64, device=loss.device)
        self._first_bad = torch.where(bad & (self._first_bad < 0), step, self._first_bad)
        for key, value in {"loss": loss, **logs}.items():
            value = value.detach().float() if isinstance(value, torch.Tensor) else float(value)
            self._sums[key] = self._sums.get(key, 0.0) + value
            self._counts[key] = self._counts.get(key, 0) + 1

    def flush(self) -> tuple[dict[str, float], Optional[int]]:
        """``(means over the interval, first step with a non-finite loss or None)``; starts a new interval.
        One transfer from the device for all values."""
        device = self._first_bad.device if self._first_bad is not None else torch.device("cpu")
        first_bad = self._first_bad if self._first_bad is not None else torch.full((), -1, device=device)
        keys = list(self._sums)
        host = torch.stack([*(torch.as_tensor(self._sums[k], dtype=torch.float64, device=device) for k in keys),
                            first_bad.double()]).tolist()
        means = {k: host[i] / self._counts[k] for i, k in enumerate(keys)}
        bad = int(host[-1])
        self._reset()
        return means, (None if bad < 0 else bad)


def weights_finite(module: torch.nn.Module) -> bool:
    """Whether every parameter of ``module`` is finite: one device sync for all of them."""
    flags = [torch.isfinite(p.detach()).all() for p in module.parameters()]
    return bool(torch.stack(flags).all()) if flags else True
