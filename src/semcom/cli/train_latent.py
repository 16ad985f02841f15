"""``semcom train latent-diff-vae | latent-diff-denoiser``: paper A's two training stages (Algorithm 1);
``semcom train latent-projection``: the PCA that sets a pretrained codec's bandwidth ratio."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Optional

import torch
import typer

from semcom.cli.train import (_invocation, _snr_range, apply_warm_start, compile_option,
                              crops_description, dataset_option, device_option, export_final, hardware_description,
                              log_every_option, provenance, train_app, workers_option)
from semcom.codecs.latent_vae import LatentVAE, LatentVAEConfig
from semcom.codecs.projection import LatentProjectionConfig, ProjectedCodec, fit_projection
from semcom.data import crop_back, get_dataset, pad_to_multiple, training_images
from semcom.diffusion import DenoiserConfig, LatentDenoiser
from semcom.evaluation.sweep import git_commit
from semcom.metrics.fidelity import psnr as psnr_db
from semcom.nn.patch_discriminator import PatchDiscriminator
from semcom.schemes.latent_diff import load_codec
from semcom.training.latent_data import LatentCropLoader, encode_dataset
from semcom.training.latent_tasks import DenoiserTask, VAELossConfig, VAETask
from semcom.training.loop import TrainConfig, train
from semcom.zoo import save_pretrained

def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in text.split(",") if v.strip())


def encode_training(codec, dataset: str, data: Optional[str], limit: Optional[int], cache: Path):
    """Unit-power latents of the training images ``dataset`` (a ``--dataset`` value) and of bsds500-val (the
    first ``limit`` images of each), cached in ``cache``."""
    name = dataset if dataset == "bsds500-train" else "train-" + hashlib.sha256(dataset.encode()).hexdigest()[:12]
    suffix = f"-first{limit}" if limit else ""
    train = encode_dataset(codec, training_images(dataset, data_dir=data, limit=limit), cache, name + suffix)
    val = encode_dataset(codec, get_dataset("bsds500-val", data_dir=data, limit=limit), cache, "bsds500-val" + suffix)
    return train, val


def latents_description(dataset: str, limit: Optional[int]) -> str:
    """The ``data`` field of the manifest for runs on cached codec latents of ``dataset``."""
    return (f"{dataset} (codec latents, random crops{f', first {limit} images of each' if limit else ''}), "
            "validated on bsds500-val")


def _fresh(build, seed: int):
    with torch.random.fork_rng():  # initial weights only; a resumed run takes them from the checkpoint
        torch.manual_seed(seed)
        return build()


@train_app.command("latent-diff-vae")
def train_vae(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="Run folder: checkpoint.pt, log.csv, final/."),
    latent_channels: int = typer.Option(4, help="c: rho = c / (6 f²); f8 c4 is rho 1/96 (paper A's '1/48')."),
    widths: str = typer.Option("32,64,64,128", help="Channels per level; len-1 downsamplings (4 levels: f8)."),
    steps: int = typer.Option(20_000, help="Optimizer steps."),
    batch_size: int = typer.Option(8, help="Crops per step."),
    crop: int = typer.Option(128, help="Crop side in pixels."),
    lr: float = typer.Option(2e-4, help="Initial learning rate (cosine decay to lr/10); also the discriminator's."),
    adv_weight: float = typer.Option(0.05, help="lambda_adv of eq. 5."),
    kl_weight: float = typer.Option(1e-4, help="lambda_reg of eq. 5 (KL per source value)."),
    adv_start: int = typer.Option(2000, help="Step at which the adversarial term starts."),
    data: Optional[str] = typer.Option(None, "--data", help="Data root with bsds500/ (else $SEMCOM_DATA)."),
    seed: int = typer.Option(0, help="Seed of crops and sampling noise."),
    init_seed: int = typer.Option(0, help="Seed of the initial weights."),
    checkpoint_every: int = typer.Option(200, help="Steps between atomic checkpoints."),
    validate_every: int = typer.Option(1000, help="Steps between validations."),
    bf16: bool = typer.Option(False, help="bfloat16 autocast."),
    limit: Optional[int] = typer.Option(None, help="Use only the first N training and validation images."),
    init_from: Optional[str] = typer.Option(
        None, "--init-from", help="Warm start: copy matching tensors from latent-VAE weights NAME|PATH."),
    compile: bool = compile_option(),
    device: str = device_option(),
    workers: int = workers_option(),
    dataset: str = dataset_option(),
    log_every: int = log_every_option(),
) -> None:
    """Stage 1 (eqs. 5–8): the Table I autoencoder with reconstruction, adversarial and KL losses."""
    model_config = LatentVAEConfig(latent_channels=latent_channels, widths=_ints(widths))
    weights = VAELossConfig(adversarial_weight=adv_weight, kl_weight=kl_weight, adversarial_start=adv_start)
    config = TrainConfig(steps=steps, batch_size=batch_size, crop_size=crop, lr=lr, lr_final=lr / 10, seed=seed,
                         bf16=bf16, checkpoint_every=checkpoint_every, validate_every=validate_every)
    model = _fresh(lambda: LatentVAE(model_config), init_seed)
    critic = _fresh(PatchDiscriminator, init_seed + 1)
    apply_warm_start(model, init_from, out)
    result = train(VAETask(model, critic, weights), training_images(dataset, data_dir=data, limit=limit),
                   get_dataset("bsds500-val", data_dir=data, limit=limit), config, out, compile_model=compile,
                   device=device, data_workers=workers, log_every=log_every)
    if result.steps == config.steps and result.is_main:  # finished; rank 0 alone exports
        extra = provenance("latent-diff-vae", model_config.rho, config, result, _invocation(ctx), init_from,
                           crops_description(dataset, limit))
        folder = export_final(out, LatentVAE(model_config), model_config, {**extra, "loss_weights": weights.__dict__})
        typer.echo(f"exported {folder}")


@train_app.command("latent-diff-denoiser")
def train_denoiser(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="Run folder: checkpoint.pt, log.csv, latents, final/."),
    codec: str = typer.Option("taef2", help="taef2, or a trained latent-diff-vae (zoo NAME or folder)."),
    widths: str = typer.Option("64,128,128", help="U-Net channels per level."),
    attention_levels: str = typer.Option("2", help="Levels with self-attention (0-based)."),
    steps: int = typer.Option(20_000, help="Optimizer steps."),
    batch_size: int = typer.Option(16, help="Latent crops per step."),
    crop: int = typer.Option(16, help="Latent crop side (latent pixels)."),
    lr: float = typer.Option(2e-4, help="Initial learning rate (cosine decay to lr/10)."),
    val_snr_db: str = typer.Option("0:20", "--val-snr-db", help="Validation SNRs lo:hi (lo, mid, hi)."),
    data: Optional[str] = typer.Option(None, "--data", help="Data root with bsds500/ (else $SEMCOM_DATA)."),
    seed: int = typer.Option(0, help="Seed of crops, steps and noise."),
    init_seed: int = typer.Option(0, help="Seed of the initial weights."),
    checkpoint_every: int = typer.Option(200, help="Steps between atomic checkpoints."),
    validate_every: int = typer.Option(1000, help="Steps between validations."),
    bf16: bool = typer.Option(False, help="bfloat16 autocast."),
    limit: Optional[int] = typer.Option(None, help="Use only the first N training and validation images."),
    latent_cache: Optional[Path] = typer.Option(
        None, help="Folder of cached codec latents shared between runs (default: the run folder)."),
    init_from: Optional[str] = typer.Option(
        None, "--init-from", help="Warm start: copy matching tensors from de-noiser weights NAME|PATH."),
    compile: bool = compile_option(),
    device: str = device_option(),
    workers: int = workers_option(),
    dataset: str = dataset_option(),
    log_every: int = log_every_option(),
) -> None:
    """Stage 2 (eq. 15): the epsilon-predicting latent U-Net on the codec's unit-power latents."""
    frozen = load_codec(codec).eval()
    train_items, val_items = encode_training(frozen, dataset, data, limit, latent_cache or out)
    model_config = DenoiserConfig(latent_channels=frozen.latent_channels, widths=_ints(widths),
                                  attention_levels=_ints(attention_levels))
    low, high = _snr_range(val_snr_db)
    config = TrainConfig(steps=steps, batch_size=batch_size, crop_size=crop, lr=lr, lr_final=lr / 10, seed=seed,
                         bf16=bf16, snr_db_min=low, snr_db_max=high, checkpoint_every=checkpoint_every,
                         validate_every=validate_every, validation_crop=2 * crop)
    model = _fresh(lambda: LatentDenoiser(model_config), init_seed)
    apply_warm_start(model, init_from, out)
    loader = LatentCropLoader(train_items, crop, batch_size, torch.Generator())
    result = train(DenoiserTask(model), None, val_items, config, out, loader=loader, compile_model=compile,
                   device=device, data_workers=workers, log_every=log_every)
    if result.steps == config.steps and result.is_main:  # finished; rank 0 alone exports
        rho = "any (set by the codec)"
        extra = provenance("latent-diff-denoiser", rho, config, result, _invocation(ctx), init_from,
                           latents_description(dataset, limit))
        folder = export_final(out, LatentDenoiser(model_config), model_config, {**extra, "codec": codec})
        typer.echo(f"exported {folder}")


@train_app.command("latent-projection")
def fit_latent_projection(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="Run folder: latents cache, final/."),
    channels: int = typer.Option(..., help="k latent channels kept; rho = k / (6 f²) (TAEF2: 8 → 1/48, 4 → 1/96)."),
    codec: str = typer.Option("taef2", help="The base codec (taef2 or a zoo NAME)."),
    data: Optional[str] = typer.Option(None, "--data", help="Data root with bsds500/ (else $SEMCOM_DATA)."),
    limit: Optional[int] = typer.Option(None, help="Fit on the first N training images only."),
    val_images: int = typer.Option(20, help="bsds500-val images for the round-trip PSNR."),
    latent_cache: Optional[Path] = typer.Option(
        None, help="Folder of cached codec latents shared between runs (default: the run folder)."),
) -> None:
    """PCA of the codec's latents over BSDS500 train: a closed-form fit, no optimizer. Validation is the
    codec round trip through the projection (no channel) on bsds500-val."""
    started = time.perf_counter()
    base = load_codec(codec).eval()
    out.mkdir(parents=True, exist_ok=True)
    items = encode_dataset(base, get_dataset("bsds500-train", data_dir=data, limit=limit), latent_cache or out,
                           "bsds500-train" + (f"-first{limit}" if limit else ""), normalize=False)
    config = LatentProjectionConfig(base=codec, source_channels=base.latent_channels, channels=channels,
                                    downsampling=base.downsampling)
    projection = fit_projection([i.image for i in items], config)
    psnr = _round_trip_psnr(ProjectedCodec(base, projection), get_dataset("bsds500-val", data_dir=data,
                                                                          limit=val_images))
    extra = {"scheme": "latent-projection", "rho": str(config.rho), "command": _invocation(ctx),
             "init_from": None, "data": f"bsds500-train (all latent pixels){f' (first {limit} images)' if limit else ''}, "
             f"validated on the first {val_images} bsds500-val images", "steps": 0, "commit": git_commit(),
             "validation": {"round_trip_psnr_db": round(psnr, 3)},
             "wall_seconds": round(time.perf_counter() - started, 1), "hardware": hardware_description()}
    folder = save_pretrained(projection, config, out / "final", extra=extra)
    typer.echo(f"round-trip PSNR on bsds500-val: {psnr:.2f} dB; exported {folder}")


def _round_trip_psnr(codec, dataset) -> float:
    values = []
    with torch.no_grad():
        for item in dataset:
            padded, pad = pad_to_multiple(item.image[None], codec.downsampling)
            recon = crop_back(codec.decode(codec.encode(padded)).clamp(0, 1), pad)
            values.append(float(psnr_db(item.image[None], recon).mean()))
    return sum(values) / len(values)
