"""Training tasks: a model plus its loss and validation metrics (see :mod:`semcom.training.loop`)."""

from __future__ import annotations

import torch

from semcom.metrics import psnr
from semcom.models.jscc import JSCCAutoencoder

#: ``mse``: the batch's mean squared error (DeepJSCC, ADJSCC). ``log-mse``: the mean over images of
#: log(MSE), i.e. minus the mean PSNR up to scale and offset. With SNRs drawn from a range, plain MSE
#: weights each image by its MSE, so the low-SNR images (about twice the MSE of the high-SNR ones for an
#: ADJSCC over 0-28 dB) count more; log-MSE weights every image by 1/MSE, so each SNR counts equally in dB.
LOSSES = ("mse", "log-mse")


class JSCCTask:
    """End-to-end training of a JSCC autoencoder over complex AWGN at per-sample SNRs."""

    def __init__(self, model: JSCCAutoencoder, loss: str = "mse"):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        self.model = model
        self.loss_name = loss

    @property
    def record(self) -> dict:
        """What the checkpoint must agree on besides the TrainConfig (a resume never switches objective)."""
        return {"loss": self.loss_name}

    def loss(self, images: torch.Tensor, snr_db: torch.Tensor, generator: torch.Generator, step: int = 0):
        error = (self.model(images, snr_db, generator).float() - images) ** 2
        per_image = error.flatten(1).mean(dim=1)
        mse = per_image.mean()
        loss = mse if self.loss_name == "mse" else torch.log(per_image).mean()
        return loss, {"train_psnr": -10 * torch.log10(mse.detach())}

    def validate(self, images: torch.Tensor, snr_db: torch.Tensor, generator: torch.Generator) -> dict:
        return {"psnr": float(psnr(images, self.model(images, snr_db, generator)).mean())}
