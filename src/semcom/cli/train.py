"""``semcom train deepjscc|adjscc``: train a JSCC baseline on BSDS500 crops, resumable, then export."""

from __future__ import annotations

import platform
import shlex
from pathlib import Path
from typing import Optional

import click
import torch
import typer

from semcom.cli.app import app
from semcom.data import get_dataset, training_images
from semcom.device import DEVICE_HELP
from semcom.errors import SemcomError
from semcom.evaluation.grid import parse_snr_grid
from semcom.evaluation.sweep import git_commit
from semcom.models.jscc import JSCCAutoencoder, JSCCConfig
from semcom.training.loop import CHECKPOINT, LOG_EVERY, TrainConfig, train
from semcom.training.tasks import LOSSES, JSCCTask
from semcom.training.warm_start import warm_start
from semcom.zoo import load_weights, save_pretrained

train_app = typer.Typer(no_args_is_help=True, help="Train a learned scheme (checkpoints atomically, resumes).")
app.add_typer(train_app, name="train")


def _snr_range(text: str) -> tuple[float, float]:
    """``"10"`` → (10, 10); ``"0:28"`` → (0, 28) (uniform per sample)."""
    if ":" in text:
        low, high = (parse_snr_grid(p)[0] for p in text.split(":", 1))
        return low, high
    value = parse_snr_grid(text)[0]
    return value, value


def _train_jscc(arch: str, channels: int, width: int, snr_db: str, steps: int, batch_size: int, crop: int,
                lr: float, data: Optional[str], out: Path, seed: int, bf16: bool, seed_init: int,
                init_from: Optional[str], every: tuple[int, int], loss: str, warmup: int,
                af_gate_bias: Optional[float], compile_model: bool, command: str, device: str = "auto",
                workers: int = 0, dataset: str = "bsds500-train", log_every: int = LOG_EVERY) -> None:
    low, high = _snr_range(snr_db)
    if channels < 1 or width < 1:
        raise SemcomError(f"--channels and --width must be at least 1, got {channels} and {width}")
    if crop % JSCCAutoencoder.size_multiple:
        raise SemcomError(f"--crop must be a multiple of {JSCCAutoencoder.size_multiple} for {arch}, got {crop}")
    config = TrainConfig(steps=steps, batch_size=batch_size, crop_size=crop, lr=lr, lr_final=lr / 10,
                         snr_db_min=low, snr_db_max=high, seed=seed, bf16=bf16, warmup_steps=warmup,
                         checkpoint_every=every[0], validate_every=every[1])
    train_set = training_images(dataset, data_dir=data)
    val_set = get_dataset("bsds500-val", data_dir=data)
    model_config = JSCCConfig(arch=arch, channels=channels, width=width, af_gate_bias=af_gate_bias)
    with torch.random.fork_rng():  # initial weights only; a resumed run takes them from the checkpoint
        torch.manual_seed(seed_init)
        model = JSCCAutoencoder(model_config)
    apply_warm_start(model, init_from, out)
    result = train(JSCCTask(model, loss=loss), train_set, val_set, config, out, compile_model=compile_model,
                   device=device, data_workers=workers, log_every=log_every)
    if result.steps < config.steps or not result.is_main:  # unfinished, or not the rank that exports
        return
    folder = export_final(out, JSCCAutoencoder(model_config), model_config, {**provenance(
        model_config.arch, model_config.rho, config, result, command, init_from, crops_description(dataset)),
        "loss": loss})
    typer.echo(f"exported {folder}")


def _invocation(ctx: click.Context) -> str:
    """The command line that reproduces this run, rebuilt from the parsed options (not from sys.argv)."""
    parts = [ctx.command_path]
    for key, value in ctx.params.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            parts.append(flag if value else "--no-" + key.replace("_", "-"))
        elif value is not None:
            parts += [flag, shlex.quote(str(value))]
    return " ".join(parts)


def apply_warm_start(model: torch.nn.Module, init_from: Optional[str], out: Path) -> None:
    """Copy matching tensors of weights ``init_from`` into ``model`` for a fresh run (a resumed run takes
    everything from its checkpoint instead)."""
    if init_from and not (out / CHECKPOINT).exists():
        source, _ = load_weights(init_from)
        started = warm_start(model, source)
        typer.echo(f"warm start from {init_from}: {len(started.copied)} tensors copied, "
                   f"{len(started.kept)} freshly initialised")


def export_final(out: Path, model: torch.nn.Module, model_config, extra: dict) -> Path:
    """Load the finished checkpoint's weights into ``model`` and write ``OUT/final`` (safetensors + config)."""
    from semcom.training.checkpoint import load_checkpoint

    model.load_state_dict(load_checkpoint(out / CHECKPOINT)["model"])
    return save_pretrained(model.eval(), model_config, out / "final", extra=extra)


def crops_description(dataset: str, limit: Optional[int] = None) -> str:
    """The ``data`` field of the manifest for runs on random crops of ``dataset``."""
    if dataset == "bsds500-train":
        return bsds_description(limit)
    return (f"{dataset} (random crops{f', first {limit} images of each' if limit else ''}), validated on "
            f"bsds500-val")


def bsds_description(limit: Optional[int] = None) -> str:
    """The ``data`` field of the manifest for runs on BSDS500."""
    return "bsds500-train (random crops), validated on bsds500-val" + (f" (first {limit} images)" if limit else "")


def provenance(scheme: str, rho, config: TrainConfig, result, command: str, init_from: Optional[str],
               data: str) -> dict:
    """What the manifest records about a training run (DESIGN.md §3)."""
    return {
        "scheme": scheme, "rho": str(rho), "train_config": config.__dict__, "command": command,
        "init_from": init_from, "data": data, "steps": result.steps, "commit": git_commit(),
        "validation": result.validation, "wall_seconds": round(result.seconds, 1),
        "hardware": hardware_description(), "world_size": result.world_size,
        "global_batch_size": result.global_batch_size,
    }


def hardware_description() -> str:
    return (f"{platform.processor() or platform.machine()}, torch {torch.__version__}, "
            f"{torch.get_num_threads()} threads" + (", CUDA" if torch.cuda.is_available() else ""))


def device_option():
    """The ``--device`` flag of every ``semcom train`` command (``train(..., device=...)``)."""
    return typer.Option("auto", help="Where to train: " + DEVICE_HELP)


DATASET_HELP = ("Training images: a dataset name, an image folder (DIV2K/CLIC-style photos are the recommended GPU "
                "training set), or several, comma-separated, read as one.")


def dataset_option():
    """The ``--dataset`` flag of the image-crop ``semcom train`` commands."""
    return typer.Option("bsds500-train", help=DATASET_HELP)


def workers_option():
    """The ``--workers`` flag of every ``semcom train`` command (``train(..., data_workers=...)``)."""
    return typer.Option(0, min=0, help="DataLoader processes that make the batches ahead of the steps (same "
                        "batches, same weights; 0: in the training process). 4-8 keep a GPU busy.")


def log_every_option():
    """The ``--log-every`` flag of every ``semcom train`` command (``train(..., log_every=...)``)."""
    return typer.Option(LOG_EVERY, min=1, help="Steps per log.csv row (their means); the only wait for the device "
                        "between rows.")


def compile_option():
    """The ``--compile`` flag of every ``semcom train`` command (``train(..., compile_model=...)``)."""
    return typer.Option(False, help="torch.compile the trained model (Inductor; the first step compiles): "
                        "1.8x the ADJSCC bf16 steps/s on 2 CPU threads, not faster for DeepJSCC (speed.md).")


def _options(arch: str, default_width: int, default_snr: str):
    def command(
        ctx: typer.Context,
        out: Path = typer.Option(..., "--out", "-o", help="Run folder: checkpoint.pt, log.csv, final/."),
        channels: int = typer.Option(8, help="Latent channels c: rho = c/96 (8: 1/12, 2: 1/48, 1: 1/96)."),
        width: int = typer.Option(default_width, help="Hidden channels."),
        snr_db: str = typer.Option(default_snr, "--snr-db", help="Training SNR in dB, or a range lo:hi drawn per sample."),
        steps: int = typer.Option(20_000, help="Optimizer steps."),
        batch_size: int = typer.Option(16, help="Crops per step."),
        crop: int = typer.Option(128, help="Crop side in pixels."),
        lr: float = typer.Option(1e-3, help="Initial learning rate (cosine decay to lr/10)."),
        data: Optional[str] = typer.Option(None, "--data", help="Data root with bsds500/ (else $SEMCOM_DATA)."),
        seed: int = typer.Option(0, help="Seed of crops and channel noise."),
        bf16: bool = typer.Option(
            False, help="bfloat16 autocast: faster on GPUs and CPUs with AMX, slower on CPUs without (speed.md)."),
        init_seed: int = typer.Option(0, help="Seed of the initial weights."),
        init_from: Optional[str] = typer.Option(
            None, "--init-from", help="Warm start: copy matching tensors from weights NAME|PATH (fine-tuning)."),
        checkpoint_every: int = typer.Option(200, help="Steps between atomic checkpoints."),
        validate_every: int = typer.Option(1000, help="Steps between validations on bsds500-val crops."),
        loss: str = typer.Option("mse", help="mse, or log-mse (mean PSNR: every SNR of a range counts equally)."),
        warmup: int = typer.Option(0, help="Steps of linear learning-rate warm-up (ADJSCC from scratch needs it)."),
        af_gate_bias: Optional[float] = typer.Option(
            None, help="ADJSCC: initial bias of the AF gates (3: gates start near 1; default: PyTorch's init)."),
        compile: bool = compile_option(),
        device: str = device_option(),
        workers: int = workers_option(),
        dataset: str = dataset_option(),
        log_every: int = log_every_option(),
    ) -> None:
        if loss not in LOSSES:
            raise typer.BadParameter(f"must be one of {', '.join(LOSSES)}", param_hint="--loss")
        if af_gate_bias is not None and arch != "adjscc":
            raise typer.BadParameter("applies to adjscc only", param_hint="--af-gate-bias")
        _train_jscc(arch, channels, width, snr_db, steps, batch_size, crop, lr, data, out, seed, bf16, init_seed,
                    init_from, (checkpoint_every, validate_every), loss, warmup, af_gate_bias, compile,
                    _invocation(ctx), device, workers, dataset, log_every)

    command.__doc__ = f"Train {arch} on BSDS500 crops; resumes from OUT/checkpoint.pt; exports OUT/final/."
    return command


train_app.command("deepjscc")(_options("deepjscc", 32, "10"))
train_app.command("adjscc")(_options("adjscc", 128, "0:28"))
