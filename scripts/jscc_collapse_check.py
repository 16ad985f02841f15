"""Is a JSCC model's latent still image-dependent? Prints, after each encoder and decoder stage, how much the
activations vary across images (std over a batch of 8 BSDS500-val crops, averaged over positions and
channels) next to their overall std. A collapsed model has the first column falling towards 0 stage after
stage: the encoder sends the same latent for every image and the decoder paints the mean image.

Usage: python scripts/jscc_collapse_check.py WEIGHTS [--snr-db 10] [--data ../shared/data]
(WEIGHTS: a zoo name or a ``save_pretrained`` folder such as RUN/final)
"""

from __future__ import annotations

import argparse

import torch

from semcom.data import RandomCropLoader, get_dataset
from semcom.metrics import psnr
from semcom.zoo import load_weights


def stage_modules(model: torch.nn.Module) -> list[tuple[str, torch.nn.Module]]:
    """ADJSCC's ``stages`` or DeepJSCC's activation layers, encoder then decoder."""
    found = []
    for side in ("encoder", "decoder"):
        part = getattr(model, side)
        if hasattr(part, "stages"):
            found += [(f"{side}.stages.{i}", m) for i, m in enumerate(part.stages)]
        else:
            found += [(f"{side}.layers.{i}", m) for i, m in enumerate(part.layers)
                      if isinstance(m, (torch.nn.PReLU, torch.nn.Sigmoid))]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights")
    parser.add_argument("--snr-db", type=float, default=10.0)
    parser.add_argument("--data", default="../shared/data")
    args = parser.parse_args()
    model, _ = load_weights(args.weights)
    model.eval()
    crops = RandomCropLoader(get_dataset("bsds500-val", data_dir=args.data), 128, 8, torch.Generator().manual_seed(0),
                             num_batches=1)
    images = next(iter(crops))
    outputs = {}
    for name, module in stage_modules(model):
        module.register_forward_hook(lambda m, i, o, name=name: outputs.__setitem__(name, o.detach()))
    with torch.no_grad():
        decoded = model(images, torch.full((8,), args.snr_db), torch.Generator().manual_seed(0))
    print(f"{'stage':<20} {'std across images':>18} {'std overall':>12}")
    for name, value in outputs.items():
        print(f"{name:<20} {value.std(dim=0).mean():18.4f} {value.std():12.4f}")
    print(f"PSNR at {args.snr_db:g} dB on these crops: {psnr(images, decoded).mean():.2f} dB")


if __name__ == "__main__":
    main()
