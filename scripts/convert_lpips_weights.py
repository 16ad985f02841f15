"""Make the LPIPS weights file that ``$SEMCOM_LPIPS`` names, from two published state dicts:

- torchvision's VGG-16 weights (``vgg16-397923af.pth``; keys ``features.N.weight`` / ``features.N.bias``,
  the classifier is dropped);
- the lpips package's lin layers (``lpips/weights/v0.1/vgg.pth``; keys ``linK.model.1.weight``).

Both are read with ``torch.load(..., weights_only=True)`` (tensors only, no pickled code); the output is one
safetensors file with the key names of :mod:`semcom.metrics.perceptual`, checked by loading it back.

    python scripts/convert_lpips_weights.py vgg16-397923af.pth vgg.pth -o lpips_vgg.safetensors
    export SEMCOM_LPIPS=$PWD/lpips_vgg.safetensors
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

from semcom.metrics.perceptual import LPIPS_TAPS, VGG16_CONVS, load_lpips
from semcom.zoo.pretrained import WeightsError

#: Indices of the 13 convolutions in torchvision's ``vgg16().features`` (ReLUs and pools sit between).
TORCHVISION_CONV_INDICES = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)


def key_map() -> dict[str, str]:
    """``{semcom key: source key}`` for every tensor of the weights file."""
    mapping = {}
    for name, index in zip(VGG16_CONVS, TORCHVISION_CONV_INDICES):
        for kind in ("weight", "bias"):
            mapping[f"vgg.{name}.{kind}"] = f"features.{index}.{kind}"
    for k, tap in enumerate(LPIPS_TAPS):
        mapping[f"lin.{tap}.weight"] = f"lin{k}.model.1.weight"
    return mapping


def convert(vgg16_path: Path, lin_path: Path, out: Path) -> Path:
    """Write ``out`` from the two state dict files; ``SystemExit`` says which source key is missing or which
    tensor does not fit (and then no file is left)."""
    sources = {**torch.load(vgg16_path, map_location="cpu", weights_only=True),
               **torch.load(lin_path, map_location="cpu", weights_only=True)}
    missing = [source for source in key_map().values() if source not in sources]
    if missing:
        raise SystemExit(f"convert_lpips_weights: the inputs lack {', '.join(missing)}")
    tensors = {key: sources[source].detach().float().contiguous() for key, source in key_map().items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out))
    try:
        load_lpips(out)  # shapes, key names, non-negative lin weights
    except WeightsError as exc:
        out.unlink()
        raise SystemExit(f"convert_lpips_weights: {exc}") from None
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vgg16", type=Path, help="torchvision vgg16 state dict (.pth)")
    parser.add_argument("lin", type=Path, help="lpips v0.1 vgg.pth (lin layers)")
    parser.add_argument("-o", "--out", type=Path, default=Path("lpips_vgg.safetensors"), help="output .safetensors")
    args = parser.parse_args(argv)
    print(convert(args.vgg16, args.lin, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
