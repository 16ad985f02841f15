"""Shared parts of the digital separation baselines: source codec + channel code (DESIGN.md §1).

When the link cannot carry even the lowest codec quality, or the received stream does not decode, the
receiver is in *outage* and shows a flat image of the dataset's mean colour (per RGB channel, learned in
:meth:`prepare` from up to 256 evenly spaced images; mid-grey before that). This is the MMSE guess of an
image without information, and the results row is marked ``outage=1``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import ClassVar

import numpy as np
import torch

from semcom.data import to_uint8
from semcom.digital.image_codecs import ImageCodec, QualitySearch, get_codec
from semcom.schemes.base import Scheme

FALLBACK_SAMPLES = 256


class SeparationScheme(Scheme):
    """Base of ``<codec>+<channel code>`` schemes. Subclasses set ``codec_name``."""

    codec_name: ClassVar[str] = ""

    def __init__(self, config=None):
        super().__init__(config)
        self.codec: ImageCodec = get_codec(self.codec_name)
        self.search = QualitySearch(self.codec)
        self.fallback_rgb = torch.full((3,), 0.5)

    def prepare(self, dataset) -> None:
        count = len(dataset)
        picks = np.unique(np.linspace(0, count - 1, min(count, FALLBACK_SAMPLES)).round().astype(int))
        means = torch.stack([dataset[int(i)].image.mean(dim=(1, 2)) for i in picks])
        self.fallback_rgb = means.mean(dim=0)

    def channel_uses(self, image_shape) -> int:
        """k = floor(rho · n) for an image ``[3, H, W]``."""
        n = int(np.prod(image_shape[-3:]))
        return int(Fraction(self.config.rho) * n)

    def fallback(self, height: int, width: int) -> torch.Tensor:
        return self.fallback_rgb[:, None, None].expand(3, height, width).clone()

    def decode_file(self, data: bytes, height: int, width: int) -> torch.Tensor:
        """``float32 [3, H, W]`` from a codec file (raises CodecDecodeError)."""
        array = self.codec.decode(data, (height, width))
        return torch.from_numpy(array.copy()).permute(2, 0, 1).float().div(255)

    @staticmethod
    def as_uint8(image: torch.Tensor) -> np.ndarray:
        """``float32 [3, H, W]`` in [0, 1] → ``uint8 [H, W, 3]`` for the codec."""
        return to_uint8(image).permute(1, 2, 0).contiguous().numpy()
