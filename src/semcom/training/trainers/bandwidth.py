"""``bandwidth-diff``: paper B's downsampler and SNR-conditioned VAE upsampler with the hybrid loss, on a
frozen codec's cached latents."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch

from semcom.models.bandwidth import BandwidthCompressor, BandwidthConfig
from semcom.schemes.latent_diff import load_codec
from semcom.training.bandwidth_tasks import BandwidthTask, HybridLossConfig
from semcom.training.export import export_final
from semcom.training.latent_data import LatentCropLoader, encode_training_latents
from semcom.training.loop import train
from semcom.training.options import OptionError, option, snr_range
from semcom.training.provenance import latents_description, provenance
from semcom.training.registry import register_trainer
from semcom.training.trainers.latent_diff import LatentRunOptions
from semcom.training.warm_start import initial_weights


@dataclass(frozen=True, kw_only=True)
class BandwidthRunOptions(LatentRunOptions):
    steps: int = option(3000, "Optimizer steps.")
    seed: int = option(0, "Seed of crops, SNRs and noise.")
    validate_every: int = option(500, "Steps between validations.")


@dataclass(frozen=True, kw_only=True)
class BandwidthOptions:
    channels: int = option(
        help="k latent channels sent; rho = k / (6 f²) (TAEF2: 16 → 1/24, 8 → 1/48, 4 → 1/96).")
    codec: str = option("taef2", "The frozen codec whose latents are compressed.")
    width: int = option(96, "Hidden channels of both networks.")
    blocks: int = option(2, "Residual blocks of each network.")
    kl_weight: float = option(1e-3, "lambda: KL of the restored latent to N(0, I).")
    guidance_weight: float = option(0.1, "gamma: the guidance KL (0: the no-guidance ablation).")
    reparameterize: bool = option(True, "Sample mu + sigma·eps (--no-reparameterize: deterministic ablation).")
    snr_db: str = option("-5:30", "Training SNRs lo:hi, drawn uniformly per crop.")
    run: BandwidthRunOptions = field(default_factory=BandwidthRunOptions)


@register_trainer("bandwidth-diff")
class BandwidthTrainer:
    """Paper B's bandwidth compression pair: one set of weights over the whole SNR range."""

    options = BandwidthOptions

    def run(self, options: BandwidthOptions, out: Path, command: str) -> None:
        run = options.run
        frozen = load_codec(options.codec).eval()
        if not 0 < options.channels <= frozen.latent_channels:
            raise OptionError("--channels", f"must be in 1..{frozen.latent_channels} (the codec's latent "
                              f"channels), got {options.channels}")
        train_items, val_items = encode_training_latents(frozen, run.dataset, run.data, run.limit,
                                                         run.latent_cache or out)
        model_config = BandwidthConfig(latent_channels=frozen.latent_channels, channels=options.channels,
                                       downsampling=frozen.downsampling, width=options.width, blocks=options.blocks,
                                       reparameterize=options.reparameterize)
        weights = HybridLossConfig(kl_weight=options.kl_weight, guidance_weight=options.guidance_weight)
        low, high = snr_range(options.snr_db)
        config = run.train_config(snr_db_min=low, snr_db_max=high, validation_crop=2 * run.crop)
        model = initial_weights(lambda: BandwidthCompressor(model_config), run.init_seed)
        loader = LatentCropLoader(train_items, run.crop, run.batch_size, torch.Generator())
        result = train(BandwidthTask(model, weights), None, val_items, config, out, loader=loader,
                       **run.loop_arguments())
        if result.steps == config.steps and result.is_main:  # finished; rank 0 alone exports
            record = provenance("bandwidth-diff", model_config.rho, config, result, command, None,
                                latents_description(run.dataset, run.limit))
            folder = export_final(out, BandwidthCompressor(model_config), model_config,
                                  {**record, "codec": options.codec, "loss_weights": weights.__dict__})
            print(f"exported {folder}")
