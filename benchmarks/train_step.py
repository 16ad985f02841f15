"""Seconds per training step of the JSCC models, fp32 vs bf16 autocast on this CPU.

Usage: python benchmarks/train_step.py [--threads 2] [--batch 16] [--crop 128] [--repeats 3]
Prints a table; nothing is asserted. (On the 2-core Xeon used here, bf16 autocast was far slower than
fp32 for these narrow convolutions, so `semcom train deepjscc|adjscc` defaults to --no-bf16.)
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from semcom.models.jscc import JSCCAutoencoder, JSCCConfig


def step_seconds(config: JSCCConfig, bf16: bool, batch: int, crop: int, repeats: int) -> float:
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = JSCCAutoencoder(config)
        images = torch.rand(batch, 3, crop, crop)
    optimizer = torch.optim.Adam(model.parameters())
    snr = torch.full((batch,), 10.0)
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = (model(images, snr, torch.Generator().manual_seed(0)).float() - images).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--crop", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{'model':<28} {'fp32 s/step':>12} {'bf16 s/step':>12}   (batch {args.batch}, crop {args.crop})")
    for config in (JSCCConfig("deepjscc", 8, 32), JSCCConfig("adjscc", 8, 128)):
        fp32 = step_seconds(config, False, args.batch, args.crop, args.repeats)
        bf16 = step_seconds(config, True, args.batch, args.crop, args.repeats)
        print(f"{config.arch + ' width ' + str(config.width):<28} {fp32:>12.3f} {bf16:>12.3f}")


if __name__ == "__main__":
    main()
