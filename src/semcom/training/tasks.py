"""Training tasks: a model plus its loss and validation metrics (see :mod:`semcom.training.loop`)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from semcom.metrics import psnr
from semcom.models.jscc import JSCCAutoencoder


class JSCCTask:
    """End-to-end MSE training of a JSCC autoencoder over complex AWGN at per-sample SNRs."""

    def __init__(self, model: JSCCAutoencoder):
        self.model = model

    def loss(self, images: torch.Tensor, snr_db: torch.Tensor, generator: torch.Generator, step: int = 0):
        mse = F.mse_loss(self.model(images, snr_db, generator).float(), images)
        return mse, {"train_psnr": float(-10 * torch.log10(mse.detach()))}

    def validate(self, images: torch.Tensor, snr_db: torch.Tensor, generator: torch.Generator) -> dict:
        return {"psnr": float(psnr(images, self.model(images, snr_db, generator)).mean())}
