"""A/B of the SNR input scale of ADJSCC's attention modules (why ``af_snr_scale_db = 10``).

Usage: python benchmarks/adjscc_af_scale.py [--data ../shared/data]
400 steps each, 1 thread, 60 BSDS500 images, 64×64 crops, batch 8, SNR uniform in 0–28 dB, same seeds:
"raw" feeds the gates the SNR in dB (scale 1), "scaled" feeds SNR/10; DeepJSCC for reference. Prints the
mean training PSNR (dB) over each block of 100 steps.
"""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F

from semcom.data import RandomCropLoader, get_dataset
from semcom.models.adjscc import AttentionFeature
from semcom.models.jscc import JSCCAutoencoder, JSCCConfig


def run(variant: str, data: str, steps: int = 400) -> list[float]:
    torch.manual_seed(0)
    model = JSCCAutoencoder(JSCCConfig("deepjscc" if variant == "deepjscc" else "adjscc", 8, 64))
    if variant == "raw":
        for module in model.modules():
            if isinstance(module, AttentionFeature):
                module.snr_scale_db = 1.0
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = iter(RandomCropLoader(get_dataset("bsds500-train", data_dir=data, limit=60), 64, 8,
                                   torch.Generator().manual_seed(0)))
    g = torch.Generator().manual_seed(1)
    history = []
    for _ in range(steps):
        x = next(loader)
        mse = F.mse_loss(model(x, torch.rand(8, generator=g) * 28, g), x)
        optimizer.zero_grad()
        mse.backward()
        optimizer.step()
        history.append(float(-10 * torch.log10(mse.detach())))
    return [sum(history[i:i + 100]) / 100 for i in range(0, steps, 100)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for variant in ("raw", "scaled", "deepjscc"):
        print(f"{variant:<9}", " ".join(f"{v:6.2f}" for v in run(variant, args.data)), flush=True)


if __name__ == "__main__":
    main()
