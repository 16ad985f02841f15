"""Seconds per batch of TAEF2's encoder and decoder with the input in the default (NCHW) layout and in
channels-last, the layout ``semcom.codecs.taef2`` uses on the CPU, and the largest difference between the two.

Usage: python benchmarks/taef2_layout.py [--batch 4] [--height 512] [--width 768] [--threads 2] [--repeats 3]
Needs the TAEF2 weights (``$SEMCOM_TAEF2``, ``../shared/weights/taef2`` or the cache; nothing is downloaded).
Random inputs at Kodak's size by default; a sweep row batch over fading is 4 images. Prints a table; nothing
is asserted.
"""

from __future__ import annotations

import argparse

import torch

from semcom.codecs import load_taef2
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
    model = load_taef2(download=False).eval()
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(args.batch, 3, args.height, args.width, generator=generator)
    latents = torch.randn(args.batch, 32, args.height // 8, args.width // 8, generator=generator)
    print(f"batch {args.batch}, images 3x{args.height}x{args.width}, float32, {args.threads} thread(s), "
          f"{cpu_description()}, torch {torch.__version__}")
    print(f"{'part':<8} {'NCHW s':>8} {'channels-last s':>16} {'speed-up':>9} {'max |diff|':>11}")
    for name, layers, x in (("encoder", model.encoder, images), ("decoder", model.decoder, latents)):
        last_x = x.contiguous(memory_format=torch.channels_last)
        with torch.no_grad():
            plain = median_seconds(lambda: layers(x), args.repeats)
            last = median_seconds(lambda: layers(last_x), args.repeats)
            diff = (layers(x) - layers(last_x)).abs().max().item()
        print(f"{name:<8} {plain:>8.3f} {last:>16.3f} {plain / last:>8.1f}x {diff:>11.1e}")


if __name__ == "__main__":
    main()
