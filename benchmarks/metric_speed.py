"""Seconds per batch of SSIM and MS-SSIM (pytorch-msssim) with the inputs in the default (NCHW) layout and in
channels-last, the layout ``semcom.metrics`` uses on the CPU, and the largest difference between the two.

Usage: python benchmarks/metric_speed.py [--batch 4] [--height 512] [--width 768] [--threads 2] [--repeats 3]
Random images at Kodak's size by default; a sweep row batch over fading is 4 images. Prints a table; nothing
is asserted.
"""

from __future__ import annotations

import argparse

import torch
from pytorch_msssim import ms_ssim, ssim

from timing import cpu_description, median_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--height", type=int, default=512)
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(args.batch, 3, args.height, args.width, generator=generator)
    y = (x + 0.1 * torch.randn(x.shape, generator=generator)).clamp(0, 1)
    print(f"batch {args.batch}x3x{args.height}x{args.width}, float32, {args.threads} thread(s), "
          f"{cpu_description()}, torch {torch.__version__}")
    print(f"{'metric':<8} {'NCHW s':>8} {'channels-last s':>16} {'speed-up':>9} {'max |diff|':>11}")
    xl, yl = (t.contiguous(memory_format=torch.channels_last) for t in (x, y))
    for name, fn in (("ssim", ssim), ("ms_ssim", ms_ssim)):
        def call(a, b):
            return fn(a, b, data_range=1.0, size_average=False, win_size=11, win_sigma=1.5)
        plain = median_seconds(lambda: call(x, y), args.repeats)
        last = median_seconds(lambda: call(xl, yl), args.repeats)
        diff = (call(x, y) - call(xl, yl)).abs().max().item()
        print(f"{name:<8} {plain:>8.3f} {last:>16.3f} {plain / last:>8.1f}x {diff:>11.1e}")


if __name__ == "__main__":
    main()
