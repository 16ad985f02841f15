"""Semantic metrics that need pretrained networks, registered with an availability check.

``clip``: the CLIP score between an image and its reconstruction, ``100 · max(cos(E(x), E(x_hat)), 0)`` with
``E`` a CLIP image encoder (paper B's semantic-level metric; image-to-image since there is no caption).
The encoder is a ``transformers`` ``CLIPVisionModelWithProjection`` folder or hub id named by
``$SEMCOM_CLIP`` (e.g. ``openai/clip-vit-base-patch32`` where a hub is reachable). Images are resized
(shorter side, bicubic) and centre-cropped to the encoder's input size and normalized with CLIP's
statistics.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from typing import Optional

import torch
import torch.nn.functional as F

from semcom.metrics.fidelity import quantize_8bit
from semcom.metrics.registry import register_metric

CLIP_ENV = "SEMCOM_CLIP"
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def clip_availability() -> Optional[str]:
    if importlib.util.find_spec("transformers") is None:
        return "it needs transformers (pip install 'semcom[sd]')"
    if not os.environ.get(CLIP_ENV):
        return f"set ${CLIP_ENV} to a CLIP vision model folder or hub id"
    return None


@functools.lru_cache(maxsize=2)
def _clip_encoder(source: str):
    from transformers import CLIPVisionModelWithProjection

    return CLIPVisionModelWithProjection.from_pretrained(source).eval()


def clip_preprocess(images: torch.Tensor, size: int) -> torch.Tensor:
    """``float32 [B, 3, H, W]`` in [0, 1] → ``[B, 3, size, size]`` normalized as CLIP expects."""
    h, w = images.shape[-2:]
    scale = size / min(h, w)
    resized = F.interpolate(images, size=(max(size, round(h * scale)), max(size, round(w * scale))),
                            mode="bicubic", align_corners=False, antialias=True)
    top, left = (resized.shape[-2] - size) // 2, (resized.shape[-1] - size) // 2
    cropped = resized[..., top:top + size, left:left + size].clamp(0, 1)
    mean = torch.tensor(CLIP_MEAN).reshape(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD).reshape(1, 3, 1, 1)
    return (cropped - mean) / std


@register_metric("clip", availability=clip_availability)
def clip_score(reference: torch.Tensor, reconstruction: torch.Tensor) -> torch.Tensor:
    """Per-image CLIP score, ``float64 [B]`` in [0, 100]."""
    encoder = _clip_encoder(os.environ[CLIP_ENV])
    size = encoder.config.image_size
    with torch.no_grad():
        embeddings = [encoder(pixel_values=clip_preprocess(quantize_8bit(x).float(), size)).image_embeds
                      for x in (reference, reconstruction)]
    return (100 * F.cosine_similarity(*embeddings, dim=-1).clamp_min(0)).double()
