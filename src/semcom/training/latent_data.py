"""Training data for the latent de-noiser: each image encoded once by the frozen codec, normalized to unit
power per real value as the channel carries it (per whole image, as transmitted), then random latent crops.

Encoding once instead of per step is what makes de-noiser training affordable on a CPU: the codec runs at
full image resolution, the U-Net only on small latent crops.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from tqdm import tqdm

from semcom.data import get_dataset, pad_to_multiple, training_images
from semcom.diffusion.latents import unit_power


@dataclass(frozen=True)
class LatentItem:
    """One encoded image: ``image`` is the unit-power latent ``float32 [c, h, w]`` (named like ImageItem's
    field so the training loop's validation crops work on it unchanged)."""

    image_id: str
    image: torch.Tensor


def codec_fingerprint(codec: torch.nn.Module) -> str:
    """sha256 over the codec's tensors: a cache made by other weights is never reused."""
    digest = hashlib.sha256()
    for name, tensor in sorted(codec.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()


def encode_dataset(codec, dataset, cache_dir: str | Path | None = None, split: str = "data",
                   progress: bool = True, normalize: bool = True) -> list[LatentItem]:
    """Encode every image of ``dataset`` (padded to the codec's multiple).

    The codec's latents are cached as they are in ``cache_dir/latents-<split>-<codec hash>.safetensors``
    (keyed by image id, written atomically), so any run sharing the folder reuses them; other weights, or a
    dataset whose image ids changed, never do. A :class:`~semcom.codecs.projection.ProjectedCodec` reuses its base codec's cache and
    projects it. ``normalize`` returns each latent at unit power, as transmitted.
    """
    projection = getattr(codec, "projection", None)
    if projection is not None:
        base = encode_dataset(codec.base, dataset, cache_dir, split, progress, normalize=False)
        with torch.no_grad():
            tensors = {i.image_id: projection.reduce(i.image[None])[0] for i in base}
    else:
        fingerprint = codec_fingerprint(codec)
        cache = None if cache_dir is None else Path(cache_dir) / f"latents-{split}-{fingerprint[:16]}.safetensors"
        tensors = _read_cache(cache, fingerprint)
        ids = getattr(dataset, "image_ids", None)  # a plain list of items has none: its cache is trusted
        if tensors is not None and ids is not None and set(tensors) != set(ids):  # a folder whose images changed
            tensors = None
        if tensors is None:
            tensors = _encode_all(codec, dataset, progress)
            if cache is not None:
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")  # processes sharing the folder: own files
                save_file(tensors, str(tmp), metadata={"codec": fingerprint})
                os.replace(tmp, cache)
    return [LatentItem(k, unit_power(tensors[k][None])[0] if normalize else tensors[k]) for k in sorted(tensors)]


def encode_training_latents(codec, dataset: str, data_dir: str | None, limit: int | None,
                            cache_dir: str | Path) -> tuple[list[LatentItem], list[LatentItem]]:
    """Unit-power latents of the training images ``dataset`` (a ``--dataset`` value: a name, a folder or
    several) and of bsds500-val, the first ``limit`` images of each, cached in ``cache_dir``."""
    name = dataset if dataset == "bsds500-train" else "train-" + hashlib.sha256(dataset.encode()).hexdigest()[:12]
    suffix = f"-first{limit}" if limit else ""
    train = encode_dataset(codec, training_images(dataset, data_dir=data_dir, limit=limit), cache_dir, name + suffix)
    val = encode_dataset(codec, get_dataset("bsds500-val", data_dir=data_dir, limit=limit), cache_dir,
                         "bsds500-val" + suffix)
    return train, val


def _encode_all(codec, dataset, progress: bool) -> dict[str, torch.Tensor]:
    tensors = {}
    with torch.no_grad():
        for item in tqdm(dataset, desc="encode", disable=not progress):
            padded, _ = pad_to_multiple(item.image[None], codec.downsampling)
            tensors[item.image_id] = codec.encode(padded)[0].contiguous()
    return tensors


def _read_cache(cache: Path | None, fingerprint: str) -> dict[str, torch.Tensor] | None:
    if cache is None or not cache.exists():
        return None
    from safetensors import safe_open

    with safe_open(str(cache), "pt") as handle:
        if (handle.metadata() or {}).get("codec") != fingerprint:
            return None
    return load_file(str(cache))


class LatentCropLoader:
    """Random square crops ``float32 [B, c, crop, crop]`` of the latents, with horizontal flips; images
    are visited in a random permutation. All randomness comes from the settable ``generator``."""

    def __init__(self, items: list[LatentItem], crop_size: int, batch_size: int, generator: torch.Generator):
        if not items:
            raise ValueError("LatentCropLoader needs at least one latent")
        small = [i.image_id for i in items if min(i.image.shape[1:]) < crop_size]
        if small:
            raise ValueError(f"latents smaller than the {crop_size}-crop: {', '.join(small[:3])}")
        self.items, self.crop_size, self.batch_size, self.generator = items, crop_size, batch_size, generator

    def _randint(self, high: int) -> int:
        return int(torch.randint(high, (1,), generator=self.generator))

    def __iter__(self):
        order = torch.randperm(len(self.items), generator=self.generator).tolist()
        c = self.crop_size
        batch = []
        for b in range(self.batch_size):
            latent = self.items[order[b % len(order)]].image
            top, left = self._randint(latent.shape[1] - c + 1), self._randint(latent.shape[2] - c + 1)
            crop = latent[:, top:top + c, left:left + c]
            batch.append(crop.flip(-1) if self._randint(2) else crop)
        yield torch.stack(batch)
