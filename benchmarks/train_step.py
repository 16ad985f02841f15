"""Seconds per training step of the JSCC models, fp32 vs bf16 autocast on this CPU.

Usage: python benchmarks/train_step.py [--threads 2] [--batch 16] [--crop 128] [--repeats 3]
       python benchmarks/train_step.py --data-wait [--data DIR] [--workers 0,2] [--steps 30] [--device cpu]
Prints a table; nothing is asserted.

``--data-wait`` times whole training steps of DeepJSCC and ADJSCC on BSDS500 crops (the scikit-image photos
without --data). The batches come from the loop's pipeline (semcom.training.batches): made in the training
process (``--workers 0``, as before issue 24) or by N DataLoader processes. It reports steps/s and the share
of each step spent waiting for the batch, after 3 warm-up steps, every setting in one run. (On the 2-core Xeon used here, bf16 autocast was far slower than
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


def data_wait(config: JSCCConfig, dataset, workers: int, batch: int, crop: int, steps: int,
              device: torch.device) -> tuple[float, float]:
    """``(steps per second, share of the step spent waiting for data)`` over ``steps`` timed steps."""
    from semcom.data import RandomCropLoader
    from semcom.training.batches import batch_stream
    from semcom.training.loop import DataGenerators
    from semcom.training.tasks import JSCCTask

    with torch.random.fork_rng():
        torch.manual_seed(0)
        task = JSCCTask(JSCCAutoencoder(config).to(device))
    optimizer = torch.optim.Adam(task.model.parameters())
    loader = RandomCropLoader(dataset, crop, batch, torch.Generator(), num_batches=1)
    warmup = 3
    stream = batch_stream(loader, range(warmup + steps), DataGenerators(0), workers=workers,
                          pin_memory=device.type == "cuda")
    waited = total = 0.0
    for step in range(warmup + steps):
        began = time.perf_counter()
        images = next(stream).to(device, non_blocking=True)
        got = time.perf_counter()
        snr = torch.full((batch,), 10.0, device=device)
        loss, _ = task.loss(images, snr, torch.Generator().manual_seed(step), step)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        if step >= warmup:
            waited, total = waited + got - began, total + time.perf_counter() - began
    return steps / total, waited / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--crop", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data-wait", action="store_true", help="steps/s and data-wait share per --workers")
    parser.add_argument("--data", default=None, help="data root with bsds500/ (default: the sample photos)")
    parser.add_argument("--workers", default="0,2")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.data_wait:
        from timing import cpu_description

        from semcom.data import get_dataset

        dataset = get_dataset("bsds500-train", data_dir=args.data) if args.data else get_dataset("samples")
        device = torch.device(args.device)
        print(f"| model | workers | steps/s | data wait share |   (batch {args.batch}, crop {args.crop}, "
              f"{args.steps} steps, {len(dataset)} images, device {device}, {args.threads} threads, "
              f"CPU: {cpu_description()})")
        print("| --- | --- | --- | --- |")
        for config in (JSCCConfig("deepjscc", 8, 32), JSCCConfig("adjscc", 8, 128)):
            for workers in (int(w) for w in args.workers.split(",")):
                rate, share = data_wait(config, dataset, workers, args.batch, args.crop, args.steps, device)
                print(f"| {config.arch} width {config.width} | {workers} | {rate:.2f} | {100 * share:.1f}% |")
        return
    print(f"{'model':<28} {'fp32 s/step':>12} {'bf16 s/step':>12}   (batch {args.batch}, crop {args.crop})")
    for config in (JSCCConfig("deepjscc", 8, 32), JSCCConfig("adjscc", 8, 128)):
        fp32 = step_seconds(config, False, args.batch, args.crop, args.repeats)
        bf16 = step_seconds(config, True, args.batch, args.crop, args.repeats)
        print(f"{config.arch + ' width ' + str(config.width):<28} {fp32:>12.3f} {bf16:>12.3f}")


if __name__ == "__main__":
    main()
