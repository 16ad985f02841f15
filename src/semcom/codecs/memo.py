"""Reuse of the last batch's latents: a sweep sends each image at every SNR in turn, and the (deterministic)
pretrained encoder is the costliest step of the latent schemes."""

from __future__ import annotations

import torch


class LastBatchEncoder:
    """``encoder(images)`` → latents, recomputed only when ``images`` differ from the previous call's."""

    def __init__(self, encode):
        self._encode = encode
        self._last: tuple[torch.Tensor, torch.Tensor] | None = None

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        if self._last is not None and self._last[0].shape == images.shape and torch.equal(self._last[0], images):
            return self._last[1]
        latents = self._encode(images)
        self._last = (images.clone(), latents)
        return latents
