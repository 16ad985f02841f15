"""Splitting a sweep over processes (``torchrun`` / ``accelerate launch``) and merging what they wrote.

Each rank evaluates its share of the work items (dealt round-robin in a fixed shuffled order, so that slow
schemes and SNRs spread evenly) and appends them to its own part file beside the results file. Rank 0 then
folds every part file into the results file in the order a one-process sweep would have written, and deletes
the parts. Rows are keyed by their identity, so a sweep interrupted at any point (even with a different number
of processes) resumes without duplicates.
"""

from __future__ import annotations

import os
import random
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional, Sequence, TypeVar

from semcom.errors import ShardError
from semcom.evaluation.results import ResultsFile, row_metrics

T = TypeVar("T")

#: How long a finished rank waits at a barrier for the slowest one (ranks can differ by hours on big sweeps).
BARRIER_TIMEOUT = timedelta(days=2)


@dataclass(frozen=True)
class Shard:
    """This process's share of a sweep: rank ``rank`` of ``world_size`` processes (rank 0 merges)."""

    rank: int = 0
    world_size: int = 1

    def __post_init__(self):
        if self.world_size < 1 or not 0 <= self.rank < self.world_size:
            raise ShardError(f"rank {self.rank} of world size {self.world_size}: need 0 <= rank < world size")

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Shard":
        """The shard named by ``RANK`` and ``WORLD_SIZE`` (torchrun and accelerate set both); neither: 0 of 1."""
        env = os.environ if environ is None else environ
        rank, world = env.get("RANK"), env.get("WORLD_SIZE")
        if rank is None and world is None:
            return cls()
        if rank is None or world is None:
            raise ShardError(f"RANK={rank} WORLD_SIZE={world}: a multi-process launch sets both or neither")
        try:
            return cls(int(rank), int(world))
        except (ValueError, ShardError):
            raise ShardError(f"RANK={rank!r} WORLD_SIZE={world!r}: need integers, 0 <= RANK < WORLD_SIZE") from None

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def owns(self, slot: int) -> bool:
        """Whether work slot ``slot`` (0, 1, 2, ...) is this rank's: round-robin, so shares differ by <= 1."""
        return slot % self.world_size == self.rank

    def select(self, items: Sequence[T]) -> list[T]:
        """This rank's share of ``items``, in their given order.

        Items are dealt round-robin in a fixed shuffled order (the same on every rank), not the given one: a
        sweep's grid is nested (image, scheme, channel, SNR), and dealing it in that order would hand each
        rank the same few SNRs or schemes whenever the world size divides an axis, piling slow ones on one.
        """
        slots = list(range(len(items)))
        random.Random(len(items)).shuffle(slots)
        return [item for item, slot in zip(items, slots) if self.owns(slot)]

    def part_path(self, path: str | Path) -> Path:
        """This rank's part file beside ``path``: ``results.csv`` → ``results.rank1-of-2.csv``."""
        path = Path(path)
        return path.with_name(f"{path.stem}.rank{self.rank}-of-{self.world_size}{path.suffix}")


def part_files(path: str | Path) -> list[Path]:
    """Every part file of results file ``path`` now on disk, of any world size, sorted by (world, rank)."""
    path = Path(path)
    pattern = re.compile(rf"{re.escape(path.stem)}\.rank(\d+)-of-(\d+){re.escape(path.suffix)}")
    found = []
    if path.parent.is_dir():
        for candidate in path.parent.iterdir():
            match = pattern.fullmatch(candidate.name)
            if match and candidate.is_file():
                found.append(((int(match[2]), int(match[1])), candidate))
    return [p for _, p in sorted(found)]


def merge_parts(results: ResultsFile, order: Sequence[tuple]) -> int:
    """Append to ``results`` each row of its part files whose key it lacks, then delete the parts.

    ``order`` is the sweep's row keys in canonical order; rows are written in that order, and any rows with
    keys outside it (left by a sweep of another configuration) follow in the order read. A key in several
    parts is written once. Returns the number of rows appended. Safe to repeat after a crash at any point.
    """
    parts = part_files(results.path)
    if not parts:
        return 0
    pending: dict[tuple, object] = {}
    for part in parts:
        for row in ResultsFile(part).read():
            if not results.has(row.key, row_metrics(row)):  # new, or holding metrics the file's row lacks
                pending.setdefault(row.key, row)
    rows = [pending.pop(key) for key in order if key in pending] + list(pending.values())
    if rows:
        results.append(rows)
    for part in parts:
        part.unlink()
    return len(rows)


@contextmanager
def process_group(shard: Shard) -> Iterator[Callable[[], None]]:
    """Yield ``barrier()``, which returns once every rank has called it.

    One process: a no-op. Several: joins a gloo process group from the launcher's ``MASTER_ADDR`` and
    ``MASTER_PORT`` (unless one is already up, which must match ``shard``), and leaves the group on exit if
    it made it.
    """
    if shard.world_size == 1:
        yield lambda: None
        return
    import torch.distributed as dist

    if not dist.is_available():
        raise ShardError("this torch build has no torch.distributed; run the sweep in one process")
    made = not dist.is_initialized()
    if made:
        missing = [name for name in ("MASTER_ADDR", "MASTER_PORT") if not os.environ.get(name)]
        if missing:
            raise ShardError(f"WORLD_SIZE={shard.world_size} but {' and '.join(missing)} unset; "
                             "launch with torchrun or accelerate launch")
        dist.init_process_group("gloo", rank=shard.rank, world_size=shard.world_size, timeout=BARRIER_TIMEOUT)
    elif dist.get_world_size() != shard.world_size or dist.get_rank() != shard.rank:
        raise ShardError(f"process group is rank {dist.get_rank()} of {dist.get_world_size()}, "
                         f"but the sweep was given rank {shard.rank} of {shard.world_size}")
    try:
        yield dist.barrier
    finally:
        if made:
            dist.destroy_process_group()
