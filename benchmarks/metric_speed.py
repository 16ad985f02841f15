"""Seconds per batch of SSIM and MS-SSIM (pytorch-msssim) with the inputs in the default (NCHW) layout and in
channels-last, the layout ``semcom.metrics`` uses on the CPU, and the largest difference between the two.

Usage: python benchmarks/metric_speed.py [--batch 4] [--height 512] [--width 768] [--threads 2] [--repeats 3]
Random images at Kodak's size by default; a sweep row batch over fading is 4 images. Prints a table; nothing
is asserted.
"""

from __future__ import annotations

import functools

import torch
from pytorch_msssim import ms_ssim, ssim

from timing import cpu_description, layout_arguments, print_layout_table


def main() -> None:
    args = layout_arguments(__doc__.splitlines()[0])
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(args.batch, 3, args.height, args.width, generator=generator)
    y = (x + 0.1 * torch.randn(x.shape, generator=generator)).clamp(0, 1)
    print(f"batch {args.batch}x3x{args.height}x{args.width}, float32, {args.threads} thread(s), "
          f"{cpu_description()}, torch {torch.__version__}")
    options = dict(data_range=1.0, size_average=False, win_size=11, win_sigma=1.5)
    print_layout_table([(name, functools.partial(fn, **options), (x, y))
                        for name, fn in (("ssim", ssim), ("ms_ssim", ms_ssim))], args.repeats)


if __name__ == "__main__":
    main()
