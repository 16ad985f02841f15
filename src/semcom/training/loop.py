"""The training loop shared by the learned schemes: random crops, SNR drawn per sample, bf16 autocast on
CPU, accelerate for multi-device runs, atomic checkpoints with resume, a CSV log and a final export.

A *task* supplies the model and its loss; the loop owns everything else::

    class Task(Protocol):
        model: torch.nn.Module
        def loss(self, images, snr_db, generator, step) -> tuple[torch.Tensor, dict[str, torch.Tensor]]: ...
        def validate(self, images, snr_db, generator) -> dict[str, float]: ...

The logged values are scalar tensors (or floats), left on the device: the loop reads them back once per log
row (:mod:`semcom.training.monitor`), so a step does not wait for the accelerator.

A task may also have ``record``, a dict of its own settings (e.g. the loss) that is stored in the checkpoint
and must match on resume.

A task with a ``discriminator`` module (adversarial training, paper A eq. 7) also has
``discriminator_loss(images, step) -> (loss, logs)``, run after each model step with its own optimizer.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Protocol

import torch
from tqdm import tqdm

from semcom.data import RandomCropLoader
from semcom.device import resolve_device
from semcom.errors import SemcomError
from semcom.files import atomic_write_bytes
from semcom.training.batches import batch_stream
from semcom.training.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from semcom.training.monitor import StepMonitor, weights_finite

CHECKPOINT = "checkpoint.pt"
LOG = "log.csv"
#: Steps per log row (besides checkpoint, validation and final steps). A row holds the means over its steps;
#: reading them back is the loop's only wait for the device between rows.
LOG_EVERY = 10


class Task(Protocol):
    model: torch.nn.Module

    def loss(self, images: torch.Tensor, snr_db: torch.Tensor, generator: torch.Generator, step: int): ...

    def validate(self, images: torch.Tensor, snr_db: torch.Tensor, generator: torch.Generator) -> dict: ...


@dataclass(frozen=True)
class TrainConfig:
    """Optimization settings. SNRs (dB) are drawn uniformly from [snr_db_min, snr_db_max] per sample."""

    steps: int = 10_000
    batch_size: int = 16
    crop_size: int = 128
    lr: float = 1e-3
    lr_final: float = 1e-4
    #: Linear warm-up from 0 to ``lr`` over the first steps. From scratch at lr 1e-3 without it, an ADJSCC run
    #: collapsed within ~100 steps to an input-independent latent and had not recovered after 2,000 steps
    #: (jscc.md, "ADJSCC, retrained").
    warmup_steps: int = 0
    snr_db_min: float = 10.0
    snr_db_max: float = 10.0
    seed: int = 0
    checkpoint_every: int = 200
    validate_every: int = 1000
    validation_images: int = 8
    validation_crop: int = 256
    bf16: bool = True

    def __post_init__(self):
        """Refuse settings that cannot train, before anything is created or computed."""
        positive = {"steps": self.steps, "batch_size": self.batch_size, "checkpoint_every": self.checkpoint_every,
                    "validate_every": self.validate_every, "validation_images": self.validation_images}
        for name, value in positive.items():
            if value < 1:
                raise TrainConfigError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
        if not 8 <= self.crop_size <= MAX_CROP:
            raise TrainConfigError(f"--crop must be between 8 and {MAX_CROP} pixels, got {self.crop_size}")
        needed = activation_bytes(self.batch_size, self.crop_size)
        if needed > available_memory():
            raise TrainConfigError(f"--crop {self.crop_size} with --batch-size {self.batch_size} needs about "
                                   f"{needed / 2**30:.0f} GiB, more than the {available_memory() / 2**30:.0f} GiB "
                                   "of memory here")
        if not (math.isfinite(self.lr) and self.lr > 0) or not (math.isfinite(self.lr_final) and self.lr_final >= 0):
            raise TrainConfigError(f"--lr must be a finite positive number, got {self.lr}")
        if self.warmup_steps < 0:
            raise TrainConfigError(f"--warmup must be at least 0, got {self.warmup_steps}")
        if not (math.isfinite(self.snr_db_min) and math.isfinite(self.snr_db_max)) or self.snr_db_min > self.snr_db_max:
            raise TrainConfigError(f"the training SNR range {self.snr_db_min}..{self.snr_db_max} dB is not valid")


class TrainConfigError(SemcomError, ValueError):
    """Training settings that cannot work (zero steps, a crop larger than memory, a non-finite rate)."""


#: Largest training crop side; larger crops are refused (a typo like --crop 100000 would ask for terabytes).
MAX_CROP = 2048
#: Bytes of activations per input pixel and channel, roughly, for the project's models (a generous bound).
_ACTIVATION_FACTOR = 400


def activation_bytes(batch: int, crop: int) -> int:
    return batch * 3 * crop * crop * 4 * _ACTIVATION_FACTOR


def available_memory() -> int:
    """Physical memory of this machine in bytes (the bound a training run can use)."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


@dataclass
class TrainResult:
    steps: int
    resumed_from: int
    validation: dict
    seconds: float  # training wall time over all (resumed) calls
    world_size: int = 1  # processes that trained together (torchrun / accelerate launch)
    global_batch_size: int = 0  # images per optimizer step over all processes
    is_main: bool = True  # whether this process is the one that writes (rank 0)


@dataclass(frozen=True)
class Ranks:
    """This process's place in a multi-process run (``torchrun``/``accelerate launch``; gloo on CPU, NCCL on
    GPUs): rank 0 writes, every rank draws its own data and noise, gradients are averaged over ranks."""

    rank: int = 0
    world: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def broadcast_parameters(self, module: torch.nn.Module) -> None:
        """Start every rank from rank 0's weights (a resumed or warm-started model included)."""
        if self.world > 1:
            for tensor in [*module.parameters(), *module.buffers()]:
                torch.distributed.broadcast(tensor.data, src=0)

    def average_gradients(self, module: torch.nn.Module) -> None:
        """Replace each gradient by its mean over the ranks: one all-reduce of all gradients, flattened."""
        if self.world == 1:
            return
        params = [p for p in module.parameters() if p.grad is not None]
        if not params:
            return
        flat = torch.cat([p.grad.reshape(-1) for p in params])
        torch.distributed.all_reduce(flat)
        flat /= self.world
        offset = 0
        for p in params:
            p.grad.copy_(flat[offset:offset + p.grad.numel()].view_as(p.grad))
            offset += p.grad.numel()


def draw_snr(batch: int, config: TrainConfig, generator: torch.Generator) -> torch.Tensor:
    """``float32 [B]`` SNRs in dB, uniform over the configured range."""
    u = torch.rand(batch, generator=generator)
    return config.snr_db_min + (config.snr_db_max - config.snr_db_min) * u


def learning_rate(step: int, config: TrainConfig) -> float:
    """Linear warm-up over ``warmup_steps``, then cosine decay from ``lr`` to ``lr_final``."""
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    progress = min(step / max(config.steps, 1), 1.0)
    return config.lr_final + 0.5 * (config.lr - config.lr_final) * (1 + math.cos(math.pi * progress))


def validation_batch(dataset, config: TrainConfig) -> torch.Tensor:
    """Fixed centre crops of the first ``validation_images`` images: ``float32 [N, 3, c, c]``."""
    crops = []
    for i in range(min(config.validation_images, len(dataset))):
        image = dataset[i].image
        c = min(config.validation_crop, image.shape[1], image.shape[2]) // 16 * 16
        top, left = (image.shape[1] - c) // 2, (image.shape[2] - c) // 2
        crops.append(image[:, top:top + c, left:left + c])
    side = min(c.shape[-1] for c in crops)
    return torch.stack([c[:, :side, :side] for c in crops])


def train(task: Task, train_set, val_set, config: TrainConfig, out_dir: str | Path, progress: bool = True,
          stop_after: Optional[int] = None, loader=None, compile_model: bool = False,
          device: Optional[str] = None, data_workers: int = 0, log_every: int = LOG_EVERY) -> TrainResult:
    """Train ``task.model`` until ``config.steps`` (or ``stop_after`` steps in this call), resuming from
    ``out_dir/checkpoint.pt`` when it exists and was made with the same config. ``loader`` replaces the
    image-crop loader (e.g. latent crops); it must draw only from its settable ``generator``.

    ``compile_model`` compiles ``task.model`` in place with ``torch.compile`` (Inductor): the same
    computation, fused kernels. On 2 CPU threads with AMX it gives ADJSCC 1.8x the bf16 training steps per
    second (benchmarks/train_compile.py; 2.4x in the wall times of the two zoo runs, jscc.md) but slows
    DeepJSCC in bf16 (0.92x); the first step compiles (speed.md). It is not part of the
    resume check: a run may be resumed with or without it.

    ``device`` (``auto``/``cpu``/``cuda``/``cuda:N``; default: CUDA when present) is where the model trains;
    data and noise are drawn on the CPU from the step's generators and moved there, so the draws do not
    depend on it. Under ``torchrun``/``accelerate launch`` each process trains on its own share: see
    :class:`Ranks`. A run resumes only with the world size it was started with.

    ``data_workers`` processes make the batches ahead of the steps (:mod:`semcom.training.batches`); the
    batches are the same as with 0 (in this process), so the weights are too, and a run may resume with
    another number.

    ``log_every`` steps make one row of ``log.csv`` (the means over them; checkpoint, validation and final
    steps end a row too). Non-finite losses and weights are detected when a row ends, before any checkpoint
    is written, and reported with the first bad step."""
    from accelerate import Accelerator

    if log_every < 1:
        raise TrainConfigError(f"--log-every must be at least 1, got {log_every}")
    out = Path(out_dir)
    where = resolve_device(device)
    if where.type == "cuda" and where.index is not None:
        torch.cuda.set_device(where)
    accelerator = Accelerator(mixed_precision="bf16" if config.bf16 else "no", cpu=where.type == "cpu")
    ranks = Ranks(accelerator.process_index, accelerator.num_processes)
    if ranks.is_main:
        out.mkdir(parents=True, exist_ok=True)
    model = task.model
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    critic = getattr(task, "discriminator", None)
    critic_optimizer = None if critic is None else torch.optim.Adam(critic.parameters(), lr=config.lr,
                                                                    betas=(0.5, 0.9))
    start, seconds_before = 0, 0.0
    config_record = dataclasses.asdict(config)
    expect = {"train_config": config_record}  # what a resume must find unchanged in the checkpoint
    if getattr(task, "record", None) is not None:  # the task's own settings (e.g. the loss)
        expect["task"] = task.record
    if (out / CHECKPOINT).exists():
        state = load_checkpoint(out / CHECKPOINT, expect=expect)
        saved_world = int(state.get("world_size", 1))
        if saved_world != ranks.world:
            # each rank's crops and noise depend on (rank, world size), and so does the global batch: another
            # world size cannot continue the same run
            raise CheckpointError(f"{out / CHECKPOINT}: made by {saved_world} process(es) (global batch "
                                  f"{saved_world * config.batch_size}); resume it with {saved_world} (torchrun "
                                  f"--nproc_per_node {saved_world}), not {ranks.world}, or start a new --out")
        try:
            model.load_state_dict(state["model"])
        except RuntimeError:  # shapes differ: the run was started with another model config (--width, ...)
            raise CheckpointError(f"{out / CHECKPOINT}: made for another model configuration (e.g. --width "
                                  "or --channels); resume with the original options or use a new --out") from None
        optimizer.load_state_dict(state["optimizer"])
        if critic is not None:
            critic.load_state_dict(state["discriminator"])
            critic_optimizer.load_state_dict(state["discriminator_optimizer"])
        start, seconds_before = int(state["step"]), float(state["seconds"])
    if compile_model:  # in place, after loading: the state-dict keys stay those of the plain module
        model.compile(dynamic=False)
    if ranks.world == 1:
        model, optimizer = accelerator.prepare(model, optimizer)
        if critic is not None:
            critic, critic_optimizer = accelerator.prepare(critic, critic_optimizer)
    else:
        # The task calls its own modules (task.model.encode, ...), not a DistributedDataParallel wrapper, so
        # the ranks' gradients are averaged explicitly (Ranks.average_gradients) and the models stay plain.
        for module in (model, critic):
            if module is not None:
                ranks.broadcast_parameters(module.to(accelerator.device))
    # One loader keeps the decoded-image cache; each step gets its own generators, so a step's batch and
    # noise depend only on (seed, step, rank) and a resumed run repeats the uninterrupted one exactly.
    if loader is None:
        loader = RandomCropLoader(train_set, config.crop_size, config.batch_size, torch.Generator(), num_batches=1)
    log = CSVLog(out / LOG) if ranks.is_main else None
    if log is not None:
        log.truncate_after(start)
    val_images = validation_batch(val_set, config) if ranks.is_main else None
    end = config.steps if stop_after is None else min(config.steps, start + stop_after)
    began, validation = time.perf_counter(), {}
    batches = batch_stream(loader, range(start, end), DataGenerators(config.seed, ranks), workers=data_workers,
                           pin_memory=accelerator.device.type == "cuda")
    bar = tqdm(range(start, end), initial=start, total=config.steps, disable=not (progress and ranks.is_main),
               desc="train" if ranks.world == 1 else f"train ({ranks.world} processes, global batch "
                                                     f"{ranks.world * config.batch_size})")
    monitor = StepMonitor()
    for step in bar:
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, config)
        noise_gen = step_generator(config.seed, step, "noise", ranks)
        images = next(batches).to(accelerator.device, non_blocking=True)
        snr = draw_snr(images.shape[0], config, noise_gen).to(accelerator.device)
        with accelerator.autocast():
            loss, logs = task.loss(images, snr, noise_gen, step)
        optimizer.zero_grad(set_to_none=True)
        accelerator.backward(loss)
        ranks.average_gradients(model)
        optimizer.step()
        if critic is not None:
            for group in critic_optimizer.param_groups:
                group["lr"] = learning_rate(step, config)
            with accelerator.autocast():
                critic_loss, critic_logs = task.discriminator_loss(images, step)
            critic_optimizer.zero_grad(set_to_none=True)
            accelerator.backward(critic_loss)
            ranks.average_gradients(critic)
            critic_optimizer.step()
            logs = {**logs, **critic_logs}
        monitor.add(step, loss, logs)
        done = step + 1
        validating = done % config.validate_every == 0 or done == config.steps
        saving = done % config.checkpoint_every == 0 or done == end
        if not (saving or validating or done % log_every == 0):
            continue
        means, first_bad = monitor.flush()  # every rank: the check below runs before any rank goes on
        if first_bad is not None:
            raise diverged(first_bad, "the loss is not finite", out)
        if not weights_finite(model):
            raise diverged(step, "the weights hold NaN or inf after the optimizer step", out)
        if not ranks.is_main:  # rank 0 alone logs, validates and writes (the weights are the same on all)
            continue
        bar.set_postfix(loss=f"{means['loss']:.4g}")
        row = {"step": done, "loss": means.pop("loss"), "lr": learning_rate(step, config), **means}
        if validating:
            validation = _validate(task, val_images, config)
            row.update({f"val_{k}": v for k, v in validation.items()})
        log.append(row)
        if saving:
            state = {
                "step": done, **expect, "world_size": ranks.world, "global_batch_size": ranks.world * config.batch_size,
                "model": accelerator.unwrap_model(model).state_dict(), "optimizer": optimizer.state_dict(),
                "seconds": seconds_before + time.perf_counter() - began,
            }
            if critic is not None:
                state["discriminator"] = accelerator.unwrap_model(critic).state_dict()
                state["discriminator_optimizer"] = critic_optimizer.state_dict()
            save_checkpoint(out / CHECKPOINT, state)
    bar.close()
    if ranks.is_main and not validation and end == config.steps:  # re-run on a finished checkpoint: export needs it
        validation = _validate(task, val_images, config)
    accelerator.wait_for_everyone()
    return TrainResult(steps=end, resumed_from=start, validation=validation,
                       seconds=seconds_before + time.perf_counter() - began, world_size=ranks.world,
                       global_batch_size=ranks.world * config.batch_size, is_main=ranks.is_main)


class TrainingDivergedError(SemcomError):
    """A non-finite loss or weight: the run stops before it can write a checkpoint or weights from it."""


def diverged(step: int, what: str, out: Path) -> TrainingDivergedError:
    """The error for a run that went non-finite at 0-based ``step``."""
    kept = out / CHECKPOINT
    last = f"the last good checkpoint {kept} is kept" if kept.exists() else "no checkpoint was written"
    return TrainingDivergedError(f"step {step + 1}: {what}; training stopped ({last}; try a lower --lr)")


def _validate(task: Task, images: torch.Tensor, config: TrainConfig) -> dict:
    """Validation at fixed SNRs spanning the training range, with a fixed noise seed (comparable runs)."""
    snrs = sorted({config.snr_db_min, (config.snr_db_min + config.snr_db_max) / 2, config.snr_db_max})
    results = {}
    task.model.eval()
    with torch.no_grad():
        for snr in snrs:
            gen = torch.Generator().manual_seed(12345)
            for key, value in task.validate(images, torch.full((images.shape[0],), snr), gen).items():
                results[f"{key}@{snr:g}dB"] = value
    task.model.train()
    return results


def step_generator(seed: int, step: int, purpose: str, ranks: Ranks = Ranks()) -> torch.Generator:
    """A generator determined by (seed, step, purpose) and, in a run of several processes, the rank and the
    world size (one process keeps the identity it always had, so its runs are unchanged)."""
    identity = f"{seed}:{step}:{purpose}" + (f":rank{ranks.rank}of{ranks.world}" if ranks.world > 1 else "")
    digest = hashlib.sha256(identity.encode()).digest()
    return torch.Generator().manual_seed(int.from_bytes(digest[:8], "little") >> 1)


@dataclass(frozen=True)
class DataGenerators:
    """``step -> generator`` of a step's batch (picklable, for DataLoader workers)."""

    seed: int
    ranks: Ranks = Ranks()

    def __call__(self, step: int) -> torch.Generator:
        return step_generator(self.seed, step, "data", self.ranks)


class CSVLog:
    """Append-only CSV log whose columns can grow (validation columns appear later than training ones)."""

    def __init__(self, path: Path):
        self.path = path
        self.fields: list[str] = []
        if path.exists():
            with path.open(newline="") as handle:
                self.fields = list(csv.DictReader(handle).fieldnames or [])

    def truncate_after(self, step: int) -> None:
        """Drop rows past ``step`` (a resumed run rewrites them), so the log matches the weights."""
        self._rewrite([r for r in self._read() if int(r["step"]) <= step])

    def append(self, row: dict) -> None:
        new = [k for k in row if k not in self.fields]
        if new:
            rows = self._read()
            self.fields += new
            self._rewrite(rows)
        with self.path.open("a", newline="") as handle:
            csv.DictWriter(handle, fieldnames=self.fields).writerow(row)

    def _read(self) -> list[dict]:
        if not self.path.exists():
            return []
        with self.path.open(newline="") as handle:
            return list(csv.DictReader(handle))

    def _rewrite(self, rows: list[dict]) -> None:
        """Replace the log through a temporary file and a rename: a kill mid-write leaves the old log whole."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.fields)
        writer.writeheader()
        writer.writerows(rows)
        atomic_write_bytes(self.path, buffer.getvalue().encode())
