"""Padding to model-friendly sizes, and seeded random training crops.

Images are never resized (DESIGN.md §2): sizes a model cannot take are padded on the bottom/right and
cropped back after decoding.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from semcom.data.images import from_uint8, to_uint8


@dataclass(frozen=True)
class PadInfo:
    """Height and width (pixels) of the image before padding."""

    height: int
    width: int


def pad_to_size(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Pad ``[C, H, W]`` or ``[B, C, H, W]`` on the bottom/right to height x width (pixels).

    Reflect padding (mirror without repeating the edge); where the pad is not smaller than the side, which
    reflect cannot do, that dimension is padded by replicating the edge. Dtype is kept.
    """
    if x.ndim not in (3, 4):
        raise ValueError(f"pad_to_size expects [C, H, W] or [B, C, H, W], got {list(x.shape)}")
    h, w = x.shape[-2:]
    pad_h, pad_w = height - h, width - w
    if pad_h < 0 or pad_w < 0:
        raise ValueError(f"cannot pad {h}x{w} to the smaller size {height}x{width}")
    if pad_w:
        x = F.pad(x, (0, pad_w, 0, 0), mode="reflect" if pad_w < w else "replicate")
    if pad_h:
        x = F.pad(x, (0, 0, 0, pad_h), mode="reflect" if pad_h < h else "replicate")
    return x


def pad_to_multiple(x: torch.Tensor, multiple: int) -> tuple[torch.Tensor, PadInfo]:
    """Pad ``[B, C, H, W]`` on the bottom/right so H and W are multiples of ``multiple``.

    Returns the padded tensor (``x`` itself when no padding is needed) and a :class:`PadInfo` for
    :func:`crop_back`.
    """
    if x.ndim != 4:
        raise ValueError(f"pad_to_multiple expects [B, C, H, W], got {list(x.shape)}")
    if multiple < 1:
        raise ValueError(f"multiple must be >= 1, got {multiple}")
    h, w = x.shape[-2:]
    info = PadInfo(int(h), int(w))
    target_h, target_w = -(-h // multiple) * multiple, -(-w // multiple) * multiple
    if (target_h, target_w) == (h, w):
        return x, info
    return pad_to_size(x, target_h, target_w), info


def crop_back(x: torch.Tensor, info: PadInfo) -> torch.Tensor:
    """Undo :func:`pad_to_multiple`: ``[..., H', W'] -> [..., info.height, info.width]`` (top-left window)."""
    if x.shape[-2] < info.height or x.shape[-1] < info.width:
        raise ValueError(f"cannot crop {list(x.shape)} back to {info.height}x{info.width}")
    return x[..., : info.height, : info.width]


class RandomCropLoader:
    """Endless (or ``num_batches``) stream of random square crops, ``float32 [B, 3, crop, crop]`` in [0, 1].

    Images are visited in a random permutation, reshuffled when exhausted. The permutation, crop offsets
    and horizontal flips are drawn only from ``generator``: the same dataset, arguments and generator
    state give identical batches. Each ``iter()`` starts a fresh permutation and advances the generator.
    Images smaller than the crop are reflect-padded (bottom/right), never resized.

    Args:
        dataset: ``len()`` and ``dataset[i].image`` (``float32 [3, H, W]``), e.g. an ImageFolder.
        crop_size: side of the square crops, pixels.
        batch_size: crops per batch.
        generator: the only source of randomness.
        cache: keep decoded images in memory as ``uint8 [3, H, W]`` (values are identical either way).
        flip: random horizontal flip with probability 1/2.
        num_batches: stop after this many batches (``None``: never stop).
    """

    def __init__(self, dataset, crop_size: int, batch_size: int, generator: torch.Generator, *,
                 cache: bool = True, flip: bool = True, num_batches: int | None = None) -> None:
        if not isinstance(generator, torch.Generator):
            raise TypeError("RandomCropLoader needs an explicit torch.Generator")
        if crop_size < 1 or batch_size < 1:
            raise ValueError(f"crop_size and batch_size must be >= 1, got {crop_size} and {batch_size}")
        if num_batches is not None and num_batches < 0:
            raise ValueError(f"num_batches must be >= 0 or None, got {num_batches}")
        if len(dataset) == 0:
            raise ValueError("RandomCropLoader needs a non-empty dataset")
        self.dataset = dataset
        self.crop_size = int(crop_size)
        self.batch_size = int(batch_size)
        self.generator = generator
        self.cache = cache
        self.flip = flip
        self.num_batches = num_batches
        self._cache: dict[int, torch.Tensor] = {}

    def __len__(self) -> int:
        if self.num_batches is None:
            raise TypeError("an endless RandomCropLoader has no length; pass num_batches")
        return self.num_batches

    def _image(self, index: int) -> torch.Tensor:
        """``uint8 [3, H, W]`` of dataset image ``index``."""
        if index in self._cache:
            return self._cache[index]
        image = to_uint8(self.dataset[index].image)
        if self.cache:
            self._cache[index] = image
        return image

    def _randint(self, high: int) -> int:
        """Uniform integer in [0, high)."""
        return int(torch.randint(high, (1,), generator=self.generator))

    def _crop(self, image: torch.Tensor) -> torch.Tensor:
        c = self.crop_size
        _, h, w = image.shape
        ch, cw = min(h, c), min(w, c)
        top, left = self._randint(h - ch + 1), self._randint(w - cw + 1)
        patch = from_uint8(image[:, top: top + ch, left: left + cw])
        if (ch, cw) != (c, c):
            patch = pad_to_size(patch, c, c)
        if self.flip and float(torch.rand(1, generator=self.generator)) < 0.5:
            patch = patch.flip(-1)
        return patch

    def __iter__(self) -> Iterator[torch.Tensor]:
        order: list[int] = []
        produced = 0
        while self.num_batches is None or produced < self.num_batches:
            batch = torch.empty(self.batch_size, 3, self.crop_size, self.crop_size, dtype=torch.float32)
            for b in range(self.batch_size):
                if not order:
                    order = torch.randperm(len(self.dataset), generator=self.generator).tolist()[::-1]
                batch[b] = self._crop(self._image(order.pop()))
            produced += 1
            yield batch
