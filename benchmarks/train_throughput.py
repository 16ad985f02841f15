"""Training steps per second of the GPU recipes (scripts/gpu_recipes.json), through the real training loop,
and the hours each recipe's step count takes at that rate.

Usage: python benchmarks/train_throughput.py [--device cuda] [--seconds 30] [--names a,b] [--precision recipe]
       [--scale 1] [--workers N] [--warmup 3] [--out FILE.json]

Each recipe's model, batch and crop are built as ``semcom train`` builds them, and ``train()`` runs in a
temporary folder: a warm-up call (the first steps allocate and, with ``--compile``, compile), a short probe
that sizes the timed call, then the timed call of about ``--seconds``. The timed call includes one resume
and one checkpoint write, as every call of a real run does. Images are the scikit-image sample photos and the
latent trainers get random latents of a Kodak-sized image's shape: throughput does not depend on the content.
``--scale s`` divides widths, batch and crop by s (a quick look on a CPU; the table says so). Nothing is
asserted; the table and the JSON (schema train_throughput/1) are the result.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch
from timing import cpu_description

from semcom.data import get_dataset
from semcom.training.latent_data import LatentCropLoader, LatentItem
from semcom.training.loop import TrainConfig, train

RECIPES = Path(__file__).resolve().parents[1] / "scripts" / "gpu_recipes.json"
KODAK_LATENT = (96, 64)  # a 768x512 image through an f8 codec


def _width(value: int, scale: int) -> int:
    """A width divided by ``scale``, kept a multiple of 16 (the models' group-norm groups)."""
    return max(16, int(value) // scale // 16 * 16)


def _widths(text: str, scale: int) -> tuple[int, ...]:
    return tuple(_width(v, scale) for v in str(text).split(","))


def build(recipe: dict, scale: int, bf16: bool):
    """``(task, train_set, val_set, loader, TrainConfig)`` for one recipe, as its ``semcom train`` command
    builds them (models from the options, random latents for the latent trainers)."""
    from semcom.models.jscc import JSCCAutoencoder, JSCCConfig

    o, command = recipe["options"], recipe["command"]
    batch, crop = max(2, o["batch-size"] // scale), max(16, o["crop"] // scale)
    config = TrainConfig(steps=recipe["steps"], batch_size=batch, crop_size=crop, lr=o["lr"], bf16=bf16,
                         checkpoint_every=10**9, validate_every=10**9, validation_images=1, validation_crop=crop)
    images = get_dataset("samples")
    generator = torch.Generator().manual_seed(0)
    if command in ("deepjscc", "adjscc"):
        from semcom.training.tasks import JSCCTask

        model = JSCCAutoencoder(JSCCConfig(arch=command, channels=o["channels"], width=_width(o["width"], scale),
                                           af_gate_bias=o.get("af-gate-bias")))
        return JSCCTask(model, loss=o.get("loss", "mse")), images, images, None, config
    if command == "latent-diff-vae":
        from semcom.codecs.latent_vae import LatentVAE, LatentVAEConfig
        from semcom.nn.patch_discriminator import PatchDiscriminator
        from semcom.training.latent_tasks import VAELossConfig, VAETask

        model = LatentVAE(LatentVAEConfig(latent_channels=o["latent-channels"], widths=_widths(o["widths"], scale)))
        weights = VAELossConfig(adversarial_weight=o.get("adv-weight", 0.05), adversarial_start=0)  # the costly phase
        return VAETask(model, PatchDiscriminator(), weights), images, images, None, config
    if command == "latent-diff-denoiser":
        from semcom.diffusion import DenoiserConfig, LatentDenoiser
        from semcom.training.latent_tasks import DenoiserTask

        channels = 4  # the f8 c4 VAE's latent
        model = LatentDenoiser(DenoiserConfig(latent_channels=channels, widths=_widths(o["widths"], scale),
                                              attention_levels=tuple(int(v) for v in o["attention-levels"].split(","))))
        task = DenoiserTask(model)
    elif command == "bandwidth-diff":
        from semcom.models.bandwidth import BandwidthCompressor, BandwidthConfig
        from semcom.training.bandwidth_tasks import BandwidthTask

        channels = 32  # TAEF2's latent
        model = BandwidthCompressor(BandwidthConfig(latent_channels=channels, channels=o["channels"],
                                                    width=_width(o["width"], scale), blocks=o["blocks"]))
        task = BandwidthTask(model)
    else:
        raise SystemExit(f"train_throughput.py: no builder for command {command!r}")
    latents = [LatentItem(f"{i}", torch.randn(channels, *KODAK_LATENT, generator=generator)) for i in range(24)]
    config = replace(config, validation_crop=2 * crop)
    loader = LatentCropLoader(latents, crop, batch, torch.Generator())
    return task, None, latents, loader, config


def measure(recipe: dict, device: str, seconds: float, scale: int, bf16: bool, workers=None, warmup: int = 3) -> dict:
    task, train_set, val_set, loader, config = build(recipe, scale, bf16)
    workers = recipe["options"].get("workers", 0) if workers is None else workers
    with tempfile.TemporaryDirectory() as folder:
        def run(steps: int) -> float:
            began = time.perf_counter()
            train(task, train_set, val_set, config, folder, progress=False, stop_after=steps, loader=loader,
                  device=device, data_workers=workers, log_every=recipe["options"].get("log-every", 10))
            if torch.cuda.is_available() and device.startswith("cuda"):
                torch.cuda.synchronize()
            return time.perf_counter() - began

        run(warmup)
        probe = run(3) / 3
        steps = max(3, int(seconds / probe))
        elapsed = run(steps)
    rate = steps / elapsed
    return {"command": recipe["command"], "batch_size": config.batch_size, "crop": config.crop_size,
            "bf16": bf16, "workers": workers, "timed_steps": steps, "steps_per_s": round(rate, 4),
            "images_per_s": round(rate * config.batch_size, 2), "recipe_steps": recipe["steps"],
            "expected_hours": round(recipe["steps"] / rate / 3600, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seconds", type=float, default=30.0, help="wall time of each timed call")
    parser.add_argument("--names", default=None, help="recipes to measure, comma-separated (default: all)")
    parser.add_argument("--precision", choices=["recipe", "fp32", "bf16"], default="recipe",
                        help="recipe: bf16 where the recipe says --bf16")
    parser.add_argument("--scale", type=int, default=1, help="divide widths, batch and crop by this")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    parser.add_argument("--workers", type=int, default=None, help="DataLoader processes (default: the recipe's)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    recipes = {k: v for k, v in json.loads(RECIPES.read_text()).items() if not k.startswith("_")}
    unknown = set(args.names.split(",")) - set(recipes) if args.names else set()
    if unknown:
        raise SystemExit(f"train_throughput.py: no recipe {', '.join(sorted(unknown))} (known: {', '.join(recipes)})")
    names = args.names.split(",") if args.names else list(recipes)
    hardware = (torch.cuda.get_device_name(0) if args.device.startswith("cuda") else
                f"CPU: {cpu_description()}, {torch.get_num_threads()} threads")
    print(f"| recipe | batch | crop | precision | steps/s | images/s | recipe steps | expected hours |   "
          f"(device {args.device}, {hardware}, scale 1/{args.scale}, ~{args.seconds:g} s timed per recipe)")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    results = {}
    out = Path(args.out) if args.out else None

    def write() -> None:  # after every recipe, so a killed run keeps what it measured
        if out is not None:
            summary = {"schema": "train_throughput/1", "device": args.device, "hardware": hardware,
                       "torch": torch.__version__, "scale": args.scale, "seconds": args.seconds, "recipes": results}
            out.write_text(json.dumps(summary, indent=1) + "\n")

    for name in names:
        recipe = recipes[name]
        bf16 = recipe["options"].get("bf16", False) if args.precision == "recipe" else args.precision == "bf16"
        row = measure(recipe, args.device, args.seconds, args.scale, bf16, args.workers, args.warmup)
        results[name] = row
        print(f"| {name} | {row['batch_size']} | {row['crop']} | {'bf16' if bf16 else 'fp32'} | "
              f"{row['steps_per_s']:.3g} | {row['images_per_s']:.3g} | {row['recipe_steps']} | "
              f"{row['expected_hours']:.3g} |", flush=True)
        write()


if __name__ == "__main__":
    main()
