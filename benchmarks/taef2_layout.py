"""Seconds per batch of TAEF2's encoder and decoder with the input in the default (NCHW) layout and in
channels-last, the layout ``semcom.codecs.taef2`` uses on the CPU, and the largest difference between the two.

Usage: python benchmarks/taef2_layout.py [--batch 4] [--height 512] [--width 768] [--threads 2] [--repeats 3]
Needs the TAEF2 weights (``$SEMCOM_TAEF2``, ``../shared/weights/taef2`` or the cache; nothing is downloaded).
Random inputs at Kodak's size by default; a sweep row batch over fading is 4 images. Prints a table; nothing
is asserted.
"""

from __future__ import annotations

import torch

from semcom.codecs import load_taef2
from timing import cpu_description, layout_arguments, print_layout_table


def main() -> None:
    args = layout_arguments(__doc__.splitlines()[0])
    model = load_taef2(download=False).eval()
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(args.batch, 3, args.height, args.width, generator=generator)
    latents = torch.randn(args.batch, 32, args.height // 8, args.width // 8, generator=generator)
    print(f"batch {args.batch}, images 3x{args.height}x{args.width}, float32, {args.threads} thread(s), "
          f"{cpu_description()}, torch {torch.__version__}")
    print_layout_table([("encoder", model.encoder, (images,)), ("decoder", model.decoder, (latents,))],
                       args.repeats)


if __name__ == "__main__":
    main()
