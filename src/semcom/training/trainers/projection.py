"""``latent-projection``: the PCA that sets a pretrained codec's bandwidth ratio (a closed-form fit)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import torch

from semcom.codecs.projection import LatentProjectionConfig, ProjectedCodec, fit_projection
from semcom.data import crop_back, get_dataset, pad_to_multiple
from semcom.metrics.fidelity import psnr as psnr_db
from semcom.provenance import git_commit, hardware_description
from semcom.schemes.latent_diff import load_codec
from semcom.training.latent_data import encode_dataset
from semcom.training.options import OptionError, option
from semcom.training.registry import register_trainer
from semcom.zoo import save_pretrained


@dataclass(frozen=True, kw_only=True)
class ProjectionOptions:
    channels: int = option(help="k latent channels kept; rho = k / (6 f²) (TAEF2: 8 → 1/48, 4 → 1/96).")
    codec: str = option("taef2", "The base codec (taef2 or a zoo NAME).")
    data: Optional[str] = option(None, "Data root with bsds500/ (else $SEMCOM_DATA).")
    limit: Optional[int] = option(None, "Fit on the first N training images only.")
    val_images: int = option(20, "bsds500-val images for the round-trip PSNR.")
    latent_cache: Optional[Path] = option(
        None, "Folder of cached codec latents shared between runs (default: the run folder).")


@register_trainer("latent-projection")
class ProjectionTrainer:
    """PCA of the codec's latents over BSDS500 train: a closed-form fit, no optimizer. Validation is the
    codec round trip through the projection (no channel) on bsds500-val."""

    options = ProjectionOptions
    out_help = "Run folder: latents cache, final/."

    def run(self, options: ProjectionOptions, out: Path, command: str) -> None:
        started = time.perf_counter()
        base = load_codec(options.codec).eval()
        if not 0 < options.channels <= base.latent_channels:
            raise OptionError("--channels", f"must be in 1..{base.latent_channels} (the codec's latent channels), "
                              f"got {options.channels}")
        out.mkdir(parents=True, exist_ok=True)
        limit = options.limit
        items = encode_dataset(base, get_dataset("bsds500-train", data_dir=options.data, limit=limit),
                               options.latent_cache or out, "bsds500-train" + (f"-first{limit}" if limit else ""),
                               normalize=False)
        config = LatentProjectionConfig(base=options.codec, source_channels=base.latent_channels,
                                        channels=options.channels, downsampling=base.downsampling)
        projection = fit_projection([i.image for i in items], config)
        val_set = get_dataset("bsds500-val", data_dir=options.data, limit=options.val_images)
        psnr = round_trip_psnr(ProjectedCodec(base, projection), val_set)
        extra = {"scheme": "latent-projection", "rho": str(config.rho), "command": command, "init_from": None,
                 "data": f"bsds500-train (all latent pixels){f' (first {limit} images)' if limit else ''}, "
                 f"validated on the first {options.val_images} bsds500-val images", "steps": 0,
                 "commit": git_commit(), "validation": {"round_trip_psnr_db": round(psnr, 3)},
                 "wall_seconds": round(time.perf_counter() - started, 1), "hardware": hardware_description()}
        folder = save_pretrained(projection, config, out / "final", extra=extra)
        print(f"round-trip PSNR on bsds500-val: {psnr:.2f} dB; exported {folder}")


def round_trip_psnr(codec, dataset) -> float:
    """Mean PSNR (dB) of ``dataset`` through ``codec.encode`` and ``decode``, without a channel."""
    values = []
    with torch.no_grad():
        for item in dataset:
            padded, pad = pad_to_multiple(item.image[None], codec.downsampling)
            recon = crop_back(codec.decode(codec.encode(padded)).clamp(0, 1), pad)
            values.append(float(psnr_db(item.image[None], recon).mean()))
    return sum(values) / len(values)
