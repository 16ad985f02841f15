"""Speed of the JSCC baselines: encode+decode images/s on a 768×512 image and training images/s.

Usage: python benchmarks/jscc_speed.py [--threads 2] [--repeats 5] [--json out.json]
Uses the shipped zoo weights when present (else freshly initialised models of the shipped configs: the
speed does not depend on the weights). fp32 and bf16 autocast; prints a table, asserts nothing.
"""

from __future__ import annotations

import torch
from timing import cpu_description, median_seconds, parse_common_args, write_json

from semcom.models.jscc import JSCCAutoencoder, JSCCConfig

MODELS = {
    "deepjscc rho 1/12": JSCCConfig("deepjscc", 8, 64), "deepjscc rho 1/48": JSCCConfig("deepjscc", 2, 64),
    "adjscc rho 1/12": JSCCConfig("adjscc", 8, 64), "adjscc rho 1/48": JSCCConfig("adjscc", 2, 64),
}


def codec_images_per_s(model: JSCCAutoencoder, bf16: bool, repeats: int) -> float:
    image, snr = torch.rand(1, 3, 512, 768), torch.full((1,), 10.0)

    def once():
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            model.decode(model.encode(image, snr), snr, 512, 768)

    return 1 / median_seconds(once, repeats)


def training_step(config: JSCCConfig, bf16: bool, compiled: bool = False, batch: int = 8, crop: int = 128):
    """A zero-argument function running one Adam step of a fresh model on fixed random crops at 10 dB
    (``compiled``: the model compiled in place, as ``semcom train --compile`` does)."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = JSCCAutoencoder(config)
        images = torch.rand(batch, 3, crop, crop)
    if compiled:
        model.compile(dynamic=False)
    optimizer = torch.optim.Adam(model.parameters())
    snr = torch.full((batch,), 10.0)

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = (model(images, snr, torch.Generator().manual_seed(0)).float() - images).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def train_images_per_s(config: JSCCConfig, bf16: bool, repeats: int, batch: int = 8, crop: int = 128) -> float:
    return batch / median_seconds(training_step(config, bf16, batch=batch, crop=crop), repeats)


def main() -> None:
    args = parse_common_args(__doc__, repeats=5)
    cpu = cpu_description()
    print(f"CPU: {cpu}")
    rows = []
    for name, config in MODELS.items():
        with torch.random.fork_rng():
            torch.manual_seed(0)
            model = JSCCAutoencoder(config).eval()
        for bf16 in (False, True):
            rows.append({
                "model": name, "dtype": "bf16" if bf16 else "fp32", "threads": args.threads, "cpu": cpu,
                "codec_images_per_s_768x512": codec_images_per_s(model, bf16, args.repeats),
                "train_images_per_s_128px": train_images_per_s(config, bf16, max(2, args.repeats // 2)),
            })
            r = rows[-1]
            print(f"{r['model']:<20} {r['dtype']:<5} enc+dec {r['codec_images_per_s_768x512']:7.2f} img/s   "
                  f"train {r['train_images_per_s_128px']:7.1f} img/s (128×128 crops, batch 8)", flush=True)
    write_json(rows, args.json)


if __name__ == "__main__":
    main()
