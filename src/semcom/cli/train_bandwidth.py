"""``semcom train bandwidth-diff``: paper B's downsampler and SNR-conditioned VAE upsampler with the hybrid
loss, on a frozen codec's cached latents."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import torch
import typer

from semcom.cli.train import (_invocation, _snr_range, compile_option, dataset_option, device_option, export_final,
                              log_every_option, provenance, train_app, workers_option)
from semcom.cli.train_latent import _fresh, encode_training, latents_description
from semcom.models.bandwidth import BandwidthCompressor, BandwidthConfig
from semcom.schemes.latent_diff import load_codec
from semcom.training.bandwidth_tasks import BandwidthTask, HybridLossConfig
from semcom.training.latent_data import LatentCropLoader
from semcom.training.loop import TrainConfig, train


@train_app.command("bandwidth-diff")
def train_bandwidth(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="Run folder: checkpoint.pt, log.csv, final/."),
    channels: int = typer.Option(..., help="k latent channels sent; rho = k / (6 f²) (TAEF2: 16 → 1/24, 8 → 1/48, 4 → 1/96)."),
    codec: str = typer.Option("taef2", help="The frozen codec whose latents are compressed."),
    width: int = typer.Option(96, help="Hidden channels of both networks."),
    blocks: int = typer.Option(2, help="Residual blocks of each network."),
    kl_weight: float = typer.Option(1e-3, help="lambda: KL of the restored latent to N(0, I)."),
    guidance_weight: float = typer.Option(0.1, help="gamma: the guidance KL (0: the no-guidance ablation)."),
    reparameterize: bool = typer.Option(True, help="Sample mu + sigma·eps (--no-reparameterize: deterministic ablation)."),
    snr_db: str = typer.Option("-5:30", "--snr-db", help="Training SNRs lo:hi, drawn uniformly per crop."),
    steps: int = typer.Option(3000, help="Optimizer steps."),
    batch_size: int = typer.Option(16, help="Latent crops per step."),
    crop: int = typer.Option(16, help="Latent crop side (latent pixels)."),
    lr: float = typer.Option(1e-3, help="Initial learning rate (cosine decay to lr/10)."),
    data: Optional[str] = typer.Option(None, "--data", help="Data root with bsds500/ (else $SEMCOM_DATA)."),
    seed: int = typer.Option(0, help="Seed of crops, SNRs and noise."),
    init_seed: int = typer.Option(0, help="Seed of the initial weights."),
    checkpoint_every: int = typer.Option(200, help="Steps between atomic checkpoints."),
    validate_every: int = typer.Option(500, help="Steps between validations."),
    bf16: bool = typer.Option(False, help="bfloat16 autocast."),
    limit: Optional[int] = typer.Option(None, help="Use only the first N training and validation images."),
    latent_cache: Optional[Path] = typer.Option(
        None, help="Folder of cached codec latents shared between runs (default: the run folder)."),
    compile: bool = compile_option(),
    device: str = device_option(),
    workers: int = workers_option(),
    dataset: str = dataset_option(),
    log_every: int = log_every_option(),
) -> None:
    """Paper B's bandwidth compression pair: one set of weights over the whole SNR range."""
    frozen = load_codec(codec).eval()
    train_items, val_items = encode_training(frozen, dataset, data, limit, latent_cache or out)
    model_config = BandwidthConfig(latent_channels=frozen.latent_channels, channels=channels,
                                   downsampling=frozen.downsampling, width=width, blocks=blocks,
                                   reparameterize=reparameterize)
    weights = HybridLossConfig(kl_weight=kl_weight, guidance_weight=guidance_weight)
    low, high = _snr_range(snr_db)
    config = TrainConfig(steps=steps, batch_size=batch_size, crop_size=crop, lr=lr, lr_final=lr / 10, seed=seed,
                         bf16=bf16,
                         snr_db_min=low, snr_db_max=high, checkpoint_every=checkpoint_every,
                         validate_every=validate_every, validation_crop=2 * crop)
    model = _fresh(lambda: BandwidthCompressor(model_config), init_seed)
    loader = LatentCropLoader(train_items, crop, batch_size, torch.Generator())
    result = train(BandwidthTask(model, weights), None, val_items, config, out, loader=loader,
                   compile_model=compile, device=device, data_workers=workers,
                   log_every=log_every)
    if result.steps == config.steps and result.is_main:  # finished; rank 0 alone exports
        extra = provenance("bandwidth-diff", model_config.rho, config, result, _invocation(ctx), None,
                           latents_description(dataset, limit))
        folder = export_final(out, BandwidthCompressor(model_config), model_config,
                              {**extra, "codec": codec, "loss_weights": weights.__dict__})
        typer.echo(f"exported {folder}")
