"""``latent-diff-vae`` and ``latent-diff-denoiser``: paper A's two training stages (Algorithm 1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import torch

from semcom.codecs.latent_vae import LatentVAE, LatentVAEConfig
from semcom.data import get_dataset, training_images
from semcom.diffusion import DenoiserConfig, LatentDenoiser
from semcom.nn.patch_discriminator import PatchDiscriminator
from semcom.schemes.latent_diff import load_codec
from semcom.training.export import export_final
from semcom.training.latent_data import LatentCropLoader, encode_training_latents
from semcom.training.latent_tasks import DenoiserTask, VAELossConfig, VAETask
from semcom.training.loop import train
from semcom.training.options import TrainingOptions, option, snr_range
from semcom.training.provenance import crops_description, latents_description, provenance
from semcom.training.registry import register_trainer
from semcom.training.warm_start import apply_warm_start, initial_weights

LIMIT_HELP = "Use only the first N training and validation images."


@dataclass(frozen=True, kw_only=True)
class LatentRunOptions(TrainingOptions):
    """The training loop's options for a model trained on a frozen codec's cached latents."""

    batch_size: int = option(16, "Latent crops per step.")
    crop: int = option(16, "Latent crop side (latent pixels).")
    limit: Optional[int] = option(None, LIMIT_HELP)
    latent_cache: Optional[Path] = option(
        None, "Folder of cached codec latents shared between runs (default: the run folder).")


@dataclass(frozen=True, kw_only=True)
class VAERunOptions(TrainingOptions):
    batch_size: int = option(8, "Crops per step.")
    lr: float = option(2e-4, "Initial learning rate (cosine decay to lr/10); also the discriminator's.")
    seed: int = option(0, "Seed of crops and sampling noise.")
    limit: Optional[int] = option(None, LIMIT_HELP)


@dataclass(frozen=True, kw_only=True)
class VAEOptions:
    latent_channels: int = option(4, "c: rho = c / (6 f²); f8 c4 is rho 1/96 (paper A's '1/48').")
    widths: tuple[int, ...] = option((32, 64, 64, 128), "Channels per level; len-1 downsamplings (4 levels: f8).")
    adv_weight: float = option(0.05, "lambda_adv of eq. 5.")
    kl_weight: float = option(1e-4, "lambda_reg of eq. 5 (KL per source value).")
    adv_start: int = option(2000, "Step at which the adversarial term starts.")
    init_from: Optional[str] = option(
        None, "Warm start: copy matching tensors from latent-VAE weights NAME|PATH.")
    run: VAERunOptions = field(default_factory=VAERunOptions)


@register_trainer("latent-diff-vae")
class VAETrainer:
    """Stage 1 (eqs. 5–8): the Table I autoencoder with reconstruction, adversarial and KL losses."""

    options = VAEOptions

    def run(self, options: VAEOptions, out: Path, command: str) -> None:
        run = options.run
        model_config = LatentVAEConfig(latent_channels=options.latent_channels, widths=options.widths)
        weights = VAELossConfig(adversarial_weight=options.adv_weight, kl_weight=options.kl_weight,
                                adversarial_start=options.adv_start)
        config = run.train_config()
        model = initial_weights(lambda: LatentVAE(model_config), run.init_seed)
        critic = initial_weights(PatchDiscriminator, run.init_seed + 1)
        apply_warm_start(model, options.init_from, out)
        train_set = training_images(run.dataset, data_dir=run.data, limit=run.limit)
        val_set = get_dataset("bsds500-val", data_dir=run.data, limit=run.limit)
        result = train(VAETask(model, critic, weights), train_set, val_set, config, out, **run.loop_arguments())
        if result.steps == config.steps and result.is_main:  # finished; rank 0 alone exports
            record = provenance("latent-diff-vae", model_config.rho, config, result, command, options.init_from,
                                crops_description(run.dataset, run.limit))
            folder = export_final(out, LatentVAE(model_config), model_config,
                                  {**record, "loss_weights": weights.__dict__})
            print(f"exported {folder}")


@dataclass(frozen=True, kw_only=True)
class DenoiserRunOptions(LatentRunOptions):
    lr: float = option(2e-4, "Initial learning rate (cosine decay to lr/10).")
    seed: int = option(0, "Seed of crops, steps and noise.")


@dataclass(frozen=True, kw_only=True)
class DenoiserOptions:
    codec: str = option("taef2", "taef2, or a trained latent-diff-vae (zoo NAME or folder).")
    widths: tuple[int, ...] = option((64, 128, 128), "U-Net channels per level.")
    attention_levels: tuple[int, ...] = option((2,), "Levels with self-attention (0-based).")
    val_snr_db: str = option("0:20", "Validation SNRs lo:hi (lo, mid, hi).")
    init_from: Optional[str] = option(
        None, "Warm start: copy matching tensors from de-noiser weights NAME|PATH.")
    run: DenoiserRunOptions = field(default_factory=DenoiserRunOptions)


@register_trainer("latent-diff-denoiser")
class DenoiserTrainer:
    """Stage 2 (eq. 15): the epsilon-predicting latent U-Net on the codec's unit-power latents."""

    options = DenoiserOptions
    out_help = "Run folder: checkpoint.pt, log.csv, latents, final/."

    def run(self, options: DenoiserOptions, out: Path, command: str) -> None:
        run = options.run
        frozen = load_codec(options.codec).eval()
        train_items, val_items = encode_training_latents(frozen, run.dataset, run.data, run.limit,
                                                         run.latent_cache or out)
        model_config = DenoiserConfig(latent_channels=frozen.latent_channels, widths=options.widths,
                                      attention_levels=options.attention_levels)
        low, high = snr_range(options.val_snr_db)
        config = run.train_config(snr_db_min=low, snr_db_max=high, validation_crop=2 * run.crop)
        model = initial_weights(lambda: LatentDenoiser(model_config), run.init_seed)
        apply_warm_start(model, options.init_from, out)
        loader = LatentCropLoader(train_items, run.crop, run.batch_size, torch.Generator())
        result = train(DenoiserTask(model), None, val_items, config, out, loader=loader, **run.loop_arguments())
        if result.steps == config.steps and result.is_main:  # finished; rank 0 alone exports
            record = provenance("latent-diff-denoiser", "any (set by the codec)", config, result, command,
                                options.init_from, latents_description(run.dataset, run.limit))
            folder = export_final(out, LatentDenoiser(model_config), model_config, {**record, "codec": options.codec})
            print(f"exported {folder}")
