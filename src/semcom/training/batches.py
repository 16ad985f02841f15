"""Training batches made ahead of the step that uses them, in ``DataLoader`` worker processes.

A step's batch depends only on (seed, step, rank): its crop loader draws from the step's own generator
(:func:`semcom.training.loop.step_generator`). Batches can therefore be made in any process, in any order,
ahead of time, and be the ones the training loop would have made itself. :class:`StepBatches` is that
function as a map-style dataset indexed by step. :func:`batch_stream` runs it in ``workers`` processes
(each decodes and caches the images it needs), with pinned memory for a CUDA device. With
``workers=0`` the batches are made in the loop's own process, as before.
"""

from __future__ import annotations

from typing import Callable, Iterator

import torch
from torch.utils.data import DataLoader, Dataset


class StepBatches(Dataset):
    """``batches[step]``: the batch of ``step``, drawn by ``loader`` from ``generator_of(step)``."""

    def __init__(self, loader, steps: range, generator_of: Callable[[int], torch.Generator]):
        self.loader, self.steps, self.generator_of = loader, steps, generator_of

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index: int) -> torch.Tensor:
        self.loader.generator = self.generator_of(self.steps[index])
        return next(iter(self.loader))


def batch_stream(loader, steps: range, generator_of: Callable[[int], torch.Generator], workers: int = 0,
                 pin_memory: bool = False, prefetch: int = 4) -> Iterator[torch.Tensor]:
    """The batches of ``steps`` in order: made here (``workers=0``), or by ``workers`` processes, each
    ``prefetch`` batches ahead."""
    batches = StepBatches(loader, steps, generator_of)
    if workers == 0:
        return (batches[i] for i in range(len(batches)))
    return iter(DataLoader(batches, batch_size=None, shuffle=False, num_workers=workers, pin_memory=pin_memory,
                           prefetch_factor=prefetch, persistent_workers=False))
