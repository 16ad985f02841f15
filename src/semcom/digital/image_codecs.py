"""Standard image codecs behind one registry, with a search for the best quality that fits a byte budget.

Every codec maps an integer ``quality`` (higher = larger file, better image) to a complete file, headers
included, so that the size counted against the channel is what a real receiver would need.

| name       | library                 | quality knob                                   |
| ---------- | ----------------------- | ---------------------------------------------- |
| jpeg       | Pillow (libjpeg)        | quality 1–100, baseline, standard Huffman tables, 4:2:0 |
| webp       | Pillow (libwebp)        | quality 0–100, method 4                        |
| jpeg2000   | Pillow (OpenJPEG)       | q 1–1000: compression ratio 2^((1000-q)/100), 9/7 wavelet, colour transform |
| avif       | Pillow (libavif)        | quality 0–100, speed 6                         |
| heif       | pillow-heif (x265)      | quality 0–100: HEVC intra, our stand-in for BPG |

JPEG keeps libjpeg's defaults (no Huffman optimization) because that is the "JPEG" of the JSCC literature
that paper A compares with; optimized Huffman tables would give smaller files.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
from PIL import Image

from semcom.errors import UnknownNameError


class CodecDecodeError(Exception):
    """A bit stream that the codec cannot decode (after channel errors); the scheme treats it as outage."""


@dataclass(frozen=True)
class ImageCodec:
    """``encode(uint8 [H, W, 3], quality) -> bytes`` and ``decode(bytes) -> uint8 [H, W, 3]``."""

    name: str
    qualities: range
    save: Callable[[Image.Image, io.BytesIO, int], None]

    def encode(self, image: np.ndarray, quality: int) -> bytes:
        buffer = io.BytesIO()
        self.save(Image.fromarray(image), buffer, quality)
        return buffer.getvalue()

    def decode(self, data: bytes, shape: tuple[int, int]) -> np.ndarray:
        """Decode to ``uint8 [H, W, 3]``; a stream that fails or decodes to another size raises CodecDecodeError."""
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                array = np.asarray(img.convert("RGB"))
        except Exception as exc:  # any failure of a third-party decoder on a corrupted stream is an outage
            raise CodecDecodeError(f"{self.name}: cannot decode ({exc})") from None
        if array.shape[:2] != tuple(shape):
            raise CodecDecodeError(f"{self.name}: decoded size {array.shape[:2]} differs from {shape}")
        return array


_CODECS: dict[str, ImageCodec] = {}


def register_codec(name: str, qualities: range):
    """Decorator for ``save(image, buffer, quality)`` functions."""

    def decorator(save):
        _CODECS[name] = ImageCodec(name, qualities, save)
        return save

    return decorator


def get_codec(name: str) -> ImageCodec:
    try:
        return _CODECS[name]
    except KeyError:
        raise UnknownNameError(f"unknown image codec {name!r}; available: {', '.join(sorted(_CODECS))}") from None


def list_codecs() -> list[str]:
    return sorted(_CODECS)


@register_codec("jpeg", range(1, 101))
def _save_jpeg(img, buffer, quality):
    img.save(buffer, "JPEG", quality=quality)


@register_codec("webp", range(0, 101))
def _save_webp(img, buffer, quality):
    img.save(buffer, "WEBP", quality=quality, method=4)


@register_codec("jpeg2000", range(1, 1001))
def _save_jpeg2000(img, buffer, quality):
    ratio = 2.0 ** ((1000 - quality) / 100)
    img.save(buffer, "JPEG2000", quality_mode="rates", quality_layers=[ratio], irreversible=True, mct=1, no_jp2=True)


@register_codec("avif", range(0, 101))
def _save_avif(img, buffer, quality):
    img.save(buffer, "AVIF", quality=quality, speed=6)


@register_codec("heif", range(0, 101))
def _save_heif(img, buffer, quality):
    import pillow_heif

    pillow_heif.register_heif_opener()
    img.save(buffer, "HEIF", quality=quality)


@dataclass
class QualitySearch:
    """Largest quality whose file fits a budget, by bisection (file size grows with quality).

    Encoded files are cached per image digest, so sweeping SNR over one image re-encodes only new
    qualities. The cache is per instance: give each scheme its own.
    """

    codec: ImageCodec
    max_cached_images: int = 4
    _cache: dict = field(default_factory=dict)

    def fit(self, image: np.ndarray, budget_bytes: int) -> Optional[tuple[int, bytes]]:
        """``(quality, file)`` of the best quality with ``len(file) <= budget_bytes``, or None (outage)."""
        files = self._files_for(image)
        lo, hi, best = self.codec.qualities.start, self.codec.qualities.stop - 1, None
        while lo <= hi:
            mid = (lo + hi) // 2
            if mid not in files:
                files[mid] = self.codec.encode(image, mid)
            if len(files[mid]) <= budget_bytes:
                best, lo = (mid, files[mid]), mid + 1
            else:
                hi = mid - 1
        return best

    def _files_for(self, image: np.ndarray) -> dict:
        key = hashlib.sha1(image.tobytes()).hexdigest() + str(image.shape)
        if key not in self._cache:
            if len(self._cache) >= self.max_cached_images:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = {}
        return self._cache[key]
