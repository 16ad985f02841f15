"""PSNR of JSCC weights on the validation crops that `semcom train` reports (the centre 256×256 crops of the
first 8 BSDS500-val images, fixed noise seed), at any SNRs: compares a fine-tune with its source on the
data its own validation saw, e.g. a DeepJSCC@10 at 20 dB against the DeepJSCC@20 made from it.

Usage: python scripts/jscc_val_crops.py WEIGHTS [WEIGHTS ...] [--snr-db 10 20] [--data ../shared/data]
(WEIGHTS: zoo names or ``save_pretrained`` folders such as RUN/final)
"""

from __future__ import annotations

import argparse

import torch

from semcom.data import get_dataset
from semcom.training.loop import TrainConfig, validation_batch
from semcom.training.tasks import JSCCTask
from semcom.zoo import load_weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", nargs="+")
    parser.add_argument("--snr-db", type=float, nargs="+", default=[10.0, 20.0])
    parser.add_argument("--data", default="../shared/data")
    args = parser.parse_args()
    images = validation_batch(get_dataset("bsds500-val", data_dir=args.data), TrainConfig())
    print(f"{'weights':<40}" + "".join(f"{f'{s:g} dB':>9}" for s in args.snr_db))
    for name in args.weights:
        model, _ = load_weights(name)
        task = JSCCTask(model.eval())
        cells = []
        with torch.no_grad():
            for snr in args.snr_db:
                noise = torch.Generator().manual_seed(12345)  # the training loop's validation seed
                cells.append(task.validate(images, torch.full((images.shape[0],), snr), noise)["psnr"])
        print(f"{name:<40}" + "".join(f"{c:9.2f}" for c in cells))


if __name__ == "__main__":
    main()
