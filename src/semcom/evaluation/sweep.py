"""The sweep runner: schemes × channels × SNR grid × images × channel realizations → one results row each
(DESIGN.md §4).

Every row draws its randomness from a generator seeded by a hash of the row's identity, so a resumed or
re-ordered sweep produces exactly the rows an uninterrupted one would. An image's realizations at one
operating point are sent as batches of the same image, each with its own generator: the image is loaded and
the scheme built once, and only the channel (and what depends on it) differs between them.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import torch
from tqdm import tqdm

from semcom.channels import ChannelSpec, bandwidth_ratio, parse_channel
from semcom.channels.snr import validate_snr_db
from semcom.data import get_dataset
from semcom.device import hardware_name, resolve_device
from semcom.errors import SemcomError
from semcom.evaluation.results import ResultRow, ResultsFile, row_key
from semcom.evaluation.shard import Shard, merge_parts, part_files, process_group
from semcom.provenance import git_commit
from semcom.metrics import DEFAULT_METRICS, compute_metrics
from semcom.metrics.registry import get_metric
from semcom.schemes import Scheme, canonical_spec, create_scheme


#: Metric columns of the results schema that are computed per image (FID is a set-level statistic).
PER_IMAGE_COLUMNS = ("psnr", "ssim", "ms_ssim", "lpips", "clip", "vif")
#: Channel draws per image and operating point over a fading channel, unless ``--realizations`` says
#: otherwise. Over AWGN the default is 1: only the noise changes, and averaging over images covers it. With
#: 20 on Kodak-24 (docs/results/fading.md), the channel's share of the 95% interval of a mean PSNR is under
#: 0.3 dB from 10 dB up for the analog schemes and at every SNR for latent-diff, but 0.39-0.44 dB at 0 dB
#: (ADJSCC, DeepJSCC) and for HEIF + LDPC at 20-30 dB, whose outages make PSNR bimodal; those need about 45.
FADING_REALIZATIONS = 20
#: Realizations sent through a scheme in one batch (fixed blocks 0-3, 4-7, ...: a resumed sweep recomputes
#: whole blocks, so its rows equal an uninterrupted sweep's bit for bit).
REALIZATION_BATCH = 4


def default_realizations(channel: ChannelSpec, fading: int = FADING_REALIZATIONS) -> int:
    """1 over AWGN, ``fading`` over any fading channel."""
    return fading if channel.fading else 1


@dataclass(frozen=True)
class SweepConfig:
    """What to evaluate. ``dataset`` is a registered name or an image directory."""

    schemes: Sequence[str]
    snr_db: Sequence[float]
    channels: Sequence[str] = ("awgn",)
    dataset: str = "kodak"
    data_dir: Optional[str] = None
    seed: int = 0
    metrics: Sequence[str] = DEFAULT_METRICS
    limit: Optional[int] = None
    #: where schemes run (:func:`semcom.device.resolve_device`); rows do not depend on it (DESIGN.md §1)
    device: Optional[str] = None
    #: precision of learned schemes (``fp32``/``bf16``); a bf16 row's scheme spec says ``precision=bf16``
    precision: Optional[str] = None
    #: channel draws per image and operating point on every channel; None: 1 over AWGN and
    #: ``fading_realizations`` over fading channels (:func:`default_realizations`)
    realizations: Optional[int] = None
    fading_realizations: int = FADING_REALIZATIONS

    def realizations_for(self, channel: ChannelSpec) -> int:
        if self.realizations is not None:
            return self.realizations
        return default_realizations(channel, self.fading_realizations)

    @functools.cached_property
    def _realization_counts(self) -> dict[str, int]:
        return {spec.label: self.realizations_for(spec) for spec in map(parse_channel, self.channels)}

    def covers(self, row) -> bool:
        """Whether a results row belongs to this sweep's seed and channels, and its realization to the draws
        this sweep asks for (a file can hold more draws from an earlier, larger sweep)."""
        return row.seed == self.seed and row.realization < self._realization_counts.get(row.channel, 0)

    def with_every_draw(self, rows: Sequence) -> list:
        """The rows of ``rows`` this sweep covers whose image has every draw at its operating point: a run
        stopped inside a block of fading draws leaves that image out of the point instead of weighting it by
        fewer draws."""
        mine = [r for r in rows if self.covers(r)]
        draws: dict[tuple, set[int]] = {}
        for r in mine:
            draws.setdefault((r.scheme, r.channel, r.snr_db, r.image_id), set()).add(r.realization)
        return [r for r in mine
                if len(draws[(r.scheme, r.channel, r.snr_db, r.image_id)]) == self._realization_counts[r.channel]]


@dataclass
class SweepReport:
    """What one call did: rows it evaluated and wrote, rows it found already done, and (rank 0 of a
    multi-process sweep, or after an interrupted one) rows it moved from part files into the results file."""

    written: int = 0
    skipped: int = 0
    merged: int = 0
    rows: list = field(default_factory=list)
    image_ids: tuple = ()  # the images the sweep covers (a results file may hold others)


def row_seed(seed: int, *identity) -> int:
    """A 63-bit seed from the sweep seed and a row's identity (stable across runs and platforms)."""
    digest = hashlib.sha256(repr((seed,) + identity).encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def run_sweep(
    config: SweepConfig,
    results: ResultsFile,
    progress: bool = True,
    on_row: Optional[Callable[[ResultRow], None]] = None,
    shard: Optional[Shard] = None,
) -> SweepReport:
    """Evaluate every missing row of ``config`` and append it to ``results``.

    Everything that can be wrong with the inputs (scheme names and options, channel specs, SNR values,
    unreadable or too-small images) is checked before the first row is written.

    With a ``shard`` of several processes (one call per rank), each rank evaluates its share into its own part
    file; once all are done, rank 0 appends the rows to ``results`` in the order one process would have, and
    every rank returns only after that. Rows already in ``results`` or in any part file are skipped.
    """
    shard = shard or Shard()
    results.check()  # before any work: a file that is not a results file is never touched
    for metric in config.metrics:
        get_metric(metric)  # an unknown name fails here, not after the first row
    with process_group(shard) as barrier:
        device = resolve_device(config.device) if config.device is not None else None
        schemes = [create_scheme(spec, device=device, precision=config.precision) for spec in config.schemes]
        specs = {id(s): canonical_spec(s) for s in schemes}  # computed once, used in every row key
        channels = [parse_channel(c) for c in config.channels]
        for snr in config.snr_db:
            validate_snr_db(snr)
        for count in (config.realizations, config.fading_realizations):
            if count is not None and count < 1:
                raise SweepConfigError(f"--realizations must be at least 1, got {count}")
        dataset = get_dataset(config.dataset, data_dir=config.data_dir, limit=config.limit)
        dataset.validate()
        # learned from the whole set, never from the --limit subset: a row's identity does not name the limit,
        # so its value must not depend on it (a resumed run with a larger limit keeps the earlier rows)
        whole = dataset if config.limit is None else get_dataset(config.dataset, data_dir=config.data_dir)
        for scheme in schemes:
            scheme.prepare(whole)

        # one work item per block of an operating point's realizations (sent as one batch); channels with the
        # fewest draws first (AWGN before fading), then image by image, so that a run stopped early holds
        # whole images and its cheap channels complete (a row's result does not depend on this order)
        by_draws = sorted(channels, key=config.realizations_for)
        work = [
            (i, s, c, snr, tuple(row_key(specs[id(s)], s.weights_id, dataset.name, dataset.image_ids[i], c.label,
                                         snr, config.seed, r) for r in block))
            for c in by_draws for i in range(len(dataset)) for s in schemes for snr in config.snr_db
            for block in realization_blocks(config.realizations_for(c))
        ]
        target = results if shard.world_size == 1 else ResultsFile(shard.part_path(results.path))
        report = _evaluate(config, dataset, shard.select(work), target, known_keys(results), progress, on_row)
        barrier()
        if shard.is_main:
            report.merged = merge_parts(results, [key for w in work for key in w[-1]])
        barrier()
        report.image_ids = tuple(dataset.image_ids)
    return report


def realization_blocks(count: int, size: int = REALIZATION_BATCH) -> list[range]:
    """``range(0, 4), range(4, 8), ...`` covering ``count`` realizations."""
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


class SweepConfigError(SemcomError, ValueError):
    """A sweep setting that cannot work (zero realizations)."""


def known_keys(results: ResultsFile) -> dict[tuple, frozenset[str]]:
    """``{key: metrics held}`` of the rows in ``results`` and in any part file of an earlier multi-process
    sweep into it."""
    done = {key: results.metrics_of(key) for key in results.keys()}
    for part in part_files(results.path):
        other = ResultsFile(part)
        for key in other.keys():
            done[key] = done.get(key, frozenset()) | other.metrics_of(key)
    return done


def _evaluate(config, dataset, work, target: ResultsFile, done: set, progress: bool, on_row) -> SweepReport:
    """Evaluate the ``(image index, scheme, channel, snr_db, keys)`` blocks of ``work`` into ``target``, one
    fsynced row at a time. A block with every row in ``done`` is skipped; otherwise it is computed whole (its
    batch is the same as in an uninterrupted sweep) and only its missing rows are written. A row that another
    process sharing ``target`` has written in the meantime is skipped (at the append)."""
    commit = git_commit()
    report = SweepReport()
    bar = tqdm(total=sum(len(w[-1]) for w in work), disable=not progress, desc="evaluate", unit="row")
    loaded: tuple[int, object] = (-1, None)
    wanted = set(config.metrics)
    for index, scheme, channel, snr, keys in work:
        bar.update(len(keys))
        held = [done.get(key, frozenset()) | target.metrics_of(key) for key in keys]  # also other processes' rows
        if all(wanted <= h for h in held):
            report.skipped += len(keys)
            continue
        if loaded[0] != index:
            loaded = (index, dataset[index].image)
        # a row lacking some metric is computed again with the union (the row is seeded by its identity, so
        # the reconstruction is the same); the newer row replaces the older one when the file is read
        metrics = sorted(wanted.union(*held)) if any(held) else list(config.metrics)
        rows = evaluate_realizations(scheme, loaded[1], snr, channel, dataclasses.replace(config, metrics=metrics),
                                     dataset.name, dataset.image_ids[index], commit, [key[-1] for key in keys])
        for row, has in zip(rows, held):
            if wanted <= has or not target.append_new(row):
                report.skipped += 1
                continue
            report.written += 1
            report.rows.append(row)
            if on_row:
                on_row(row)
    bar.close()
    return report


def realization_seed(config: SweepConfig, spec: str, weights_id: str, dataset: str, image_id: str,
                     channel: ChannelSpec, snr_db: float, realization: int) -> int:
    """The row's seed; realization 0 keeps the identity rows had before the realization axis."""
    identity = (spec, weights_id, dataset, image_id, channel.label, float(snr_db))
    return row_seed(config.seed, *identity, *((realization,) if realization else ()))


def evaluate_realizations(
    scheme: Scheme, image: torch.Tensor, snr_db: float, channel: ChannelSpec, config: SweepConfig,
    dataset: str, image_id: str, commit: str, realizations: Sequence[int] = (0,),
) -> list[ResultRow]:
    """Send one ``float32 [3, H, W]`` image through ``scheme`` once per realization, as one batch with a
    generator per realization, and measure each; ``seconds`` is the batch's time over its size."""
    spec = canonical_spec(scheme)
    generators = [torch.Generator().manual_seed(realization_seed(config, spec, scheme.weights_id, dataset, image_id,
                                                                 channel, snr_db, r)) for r in realizations]
    batch = image[None].repeat(len(generators), 1, 1, 1)
    start = time.perf_counter()
    sent = scheme(batch, snr_db, channel, generator=generators)
    recon = sent.reconstruction.cpu()
    seconds = (time.perf_counter() - start) / len(generators)
    hardware = hardware_name(sent.reconstruction.device)  # rows from CPU and GPU runs may share a file
    scores = compute_metrics(batch, recon, list(config.metrics))
    n = 3 * image.shape[-2] * image.shape[-1]
    rho = float(bandwidth_ratio(sent.channel_uses, image.shape))
    return [ResultRow(
        scheme=spec, weights_id=scheme.weights_id, dataset=dataset, image_id=image_id,
        channel=channel.label, snr_db=float(snr_db), rho=rho, k=sent.channel_uses, n=n,
        **{m: float(scores[m][j]) if m in scores else float("nan") for m in PER_IMAGE_COLUMNS},
        denoise_steps=sent.denoise_steps, seed=config.seed, seconds=seconds, git_commit=commit,
        snr_db_est=float(sent.snr_db_estimate[j]) if sent.snr_db_estimate is not None else float("nan"),
        bpp=sent.per_image_bpp(j), outage=int(sent.per_image_outage(j)),
        info={**sent.row_info(j), "rho_nominal": str(sent.nominal_rho.limit_denominator(100000)),
              "metrics": sorted(config.metrics), "hardware": hardware},
        realization=r,
    ) for j, r in enumerate(realizations)]


def evaluate_one(scheme: Scheme, image: torch.Tensor, snr_db: float, channel: ChannelSpec, config: SweepConfig,
                 dataset: str, image_id: str, commit: str, realization: int = 0) -> ResultRow:
    """One row: :func:`evaluate_realizations` of a single realization."""
    return evaluate_realizations(scheme, image, snr_db, channel, config, dataset, image_id, commit, [realization])[0]
