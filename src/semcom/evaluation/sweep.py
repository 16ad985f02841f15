"""The sweep runner: schemes × channels × SNR grid × images → one results row each (DESIGN.md §4).

Every row draws its randomness from a generator seeded by a hash of the row's identity, so a resumed or
re-ordered sweep produces exactly the rows an uninterrupted one would.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

import torch
from tqdm import tqdm

from semcom.channels import ChannelSpec, bandwidth_ratio
from semcom.channels.snr import validate_snr_db
from semcom.data import crop_back, get_dataset, pad_to_multiple
from semcom.evaluation.results import ResultRow, ResultsFile, row_key
from semcom.metrics import DEFAULT_METRICS, compute_metrics
from semcom.schemes import Scheme, canonical_spec, create_scheme


#: Metric columns of the results schema that are computed per image (FID is a set-level statistic).
PER_IMAGE_COLUMNS = ("psnr", "ssim", "ms_ssim", "lpips", "clip")


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


@dataclass
class SweepReport:
    written: int = 0
    skipped: int = 0
    rows: list = field(default_factory=list)


def row_seed(seed: int, *identity) -> int:
    """A 63-bit seed from the sweep seed and a row's identity (stable across runs and platforms)."""
    digest = hashlib.sha256(repr((seed,) + identity).encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def git_commit() -> str:
    """The commit of the semcom source tree, or ``"unknown"`` outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=Path(__file__).parent,
            capture_output=True, text=True, timeout=10,
        )
        return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def run_sweep(
    config: SweepConfig,
    results: ResultsFile,
    progress: bool = True,
    on_row: Optional[Callable[[ResultRow], None]] = None,
) -> SweepReport:
    """Evaluate every missing row of ``config`` and append it to ``results``.

    Everything that can be wrong with the inputs (scheme names and options, channel specs, SNR values,
    unreadable or too-small images) is checked before the first row is written.
    """
    schemes = [create_scheme(spec) for spec in config.schemes]
    specs = {id(s): canonical_spec(s) for s in schemes}  # computed once, used in every row key
    channels = [ChannelSpec.parse(c) for c in config.channels]
    for snr in config.snr_db:
        validate_snr_db(snr)
    dataset = get_dataset(config.dataset, data_dir=config.data_dir, limit=config.limit)
    dataset.validate()
    for scheme in schemes:
        scheme.prepare(dataset)

    done = results.keys()
    commit = git_commit()
    report = SweepReport()
    work = [(i, s, c, snr) for i in range(len(dataset)) for s in schemes for c in channels for snr in config.snr_db]
    bar = tqdm(total=len(work), disable=not progress, desc="evaluate", unit="row")
    loaded: tuple[int, object] = (-1, None)
    for index, scheme, channel, snr in work:
        image_id = dataset.image_ids[index]
        key = row_key(specs[id(scheme)], scheme.weights_id, dataset.name, image_id, channel.label, snr, config.seed)
        bar.update()
        if key in done:
            report.skipped += 1
            continue
        if loaded[0] != index:
            loaded = (index, dataset[index].image)
        row = evaluate_one(scheme, loaded[1], snr, channel, config, dataset.name, image_id, commit)
        results.append([row])
        report.written += 1
        report.rows.append(row)
        if on_row:
            on_row(row)
    bar.close()
    return report


def evaluate_one(
    scheme: Scheme, image: torch.Tensor, snr_db: float, channel: ChannelSpec, config: SweepConfig,
    dataset: str, image_id: str, commit: str,
) -> ResultRow:
    """Send one ``float32 [3, H, W]`` image through ``scheme`` and measure it."""
    spec = canonical_spec(scheme)
    generator = torch.Generator().manual_seed(
        row_seed(config.seed, spec, scheme.weights_id, dataset, image_id, channel.label, float(snr_db))
    )
    start = time.perf_counter()
    padded, pad = pad_to_multiple(image[None], scheme.size_multiple)
    with torch.no_grad():
        sent = scheme.transmit(padded, snr_db, channel, generator)
    recon = crop_back(sent.reconstruction, pad)
    seconds = time.perf_counter() - start
    scores = compute_metrics(image[None], recon, list(config.metrics))
    n = 3 * image.shape[-2] * image.shape[-1]
    return ResultRow(
        scheme=spec, weights_id=scheme.weights_id, dataset=dataset, image_id=image_id,
        channel=channel.label, snr_db=float(snr_db), rho=float(bandwidth_ratio(sent.channel_uses, image.shape)),
        k=sent.channel_uses, n=n,
        **{m: float(scores[m][0]) if m in scores else float("nan") for m in PER_IMAGE_COLUMNS},
        denoise_steps=sent.denoise_steps, seed=config.seed, seconds=seconds, git_commit=commit,
        snr_db_est=float(sent.snr_db_estimate[0]) if sent.snr_db_estimate is not None else float("nan"),
        bpp=sent.per_image_bpp(0), outage=int(sent.per_image_outage(0)), info=sent.row_info(0),
    )
