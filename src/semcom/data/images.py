"""Image files <-> tensors (DESIGN.md §2, image row).

A loaded image is ``float32 [3, H, W]`` in [0, 1], RGB, with values k/255 (8-bit). Pillow does the decoding.
Conversions to 8-bit RGB:

* grey (``1``, ``L``), palette (``P``), ``RGBX``, ``CMYK``, ``YCbCr``: Pillow's ``convert("RGB")``;
* anything with alpha (``LA``, ``PA``, ``RGBA``, or a ``transparency`` entry as in palette PNGs): composited
  over white, ``round(c * a + 255 * (1 - a))`` with ``a = alpha / 255``;
* 16-bit grey (``I;16*``, and ``I`` with values in 0..65535): ``round(v / 257)``, then grey -> RGB;
  Pillow reduces 16-bit *colour* PNGs to their high byte itself; that is reported, not corrected;
* EXIF orientation is applied. ICC profiles are ignored (pixel values are taken as sRGB).

Float (``F``) and other modes are refused. Every failure is an :class:`ImageLoadError` whose message is one
line, ``"<file>: <reason>"``.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Union

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from semcom.errors import ImageLoadError

#: Default pixel limit per image: refused from the header, before decoding (an 8000x8000 PNG needs GBs).
MAX_PIXELS = 4096 * 4096
MIN_SIDE = 11
"""Smallest supported height or width in pixels: the SSIM window is 11x11."""

PathLike = Union[str, "os.PathLike[str]"]
_Source = Union[PathLike, bytes]

# What Pillow raises for corrupt or truncated data, depending on the format plugin.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error,
                  Image.DecompressionBombError)

_PLAIN_NOTES = {
    "1": "1-bit -> RGB",
    "L": "grey -> RGB",
    "P": "palette -> RGB",
    "RGBX": "RGBX -> RGB",
    "CMYK": "CMYK -> RGB",
    "YCbCr": "YCbCr -> RGB",
}
_ALPHA_MODES = ("LA", "PA", "RGBA")
_TRANSPARENCY_MODES = ("1", "L", "P", "RGB")  # modes whose `transparency` info entry Pillow honours


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _fail(label: str, reason: object) -> ImageLoadError:
    return ImageLoadError(f"{label}: {_one_line(reason)}")


@contextlib.contextmanager
def _decode_errors(label: str) -> Iterator[None]:
    """Map Pillow's decode errors raised inside the block to a one-line ImageLoadError."""
    try:
        yield
    except _DECODE_ERRORS as e:
        raise _fail(label, f"cannot read image ({e})") from e


@contextlib.contextmanager
def _opened(source: _Source, label: str) -> Iterator[Image.Image]:
    """Open ``source`` with Pillow; map every open/decode error inside the block to ImageLoadError."""
    try:
        img = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except FileNotFoundError:
        raise _fail(label, "file not found") from None
    except IsADirectoryError:
        raise _fail(label, "is a directory, not an image file") from None
    except PermissionError:
        raise _fail(label, "permission denied") from None
    except UnidentifiedImageError:
        raise _fail(label, "cannot read image (not a recognised image format)") from None
    except _DECODE_ERRORS as e:
        raise _fail(label, f"cannot read image ({e})") from e
    try:
        with _decode_errors(label):
            yield img
    finally:
        img.close()


def _is_16bit_grey(mode: str) -> bool:
    return mode == "I" or mode.startswith("I;16")


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in _ALPHA_MODES or (img.mode in _TRANSPARENCY_MODES and "transparency" in img.info)


def _high_byte_only(img: Image.Image) -> bool:
    """True for 16-bit colour files that Pillow decodes by keeping the high byte (rawmode ``RGB;16B`` etc.)."""
    return img.mode in ("RGB", "RGBA") and any(";16" in str(tile.args) for tile in getattr(img, "tile", ()))


def _orientation(img: Image.Image) -> int:
    """EXIF Orientation tag (1 = upright). A PNG may keep its EXIF after the pixel data; unless that was
    decoded already, reading it means decoding the pixels, so a header-level look reports 1."""
    if img.format == "PNG" and "exif" not in img.info:
        return 1
    return int(img.getexif().get(0x0112, 1) or 1)


def _notes(img: Image.Image, label: str) -> list[str]:
    """Conversion notes for an opened image; raises ImageLoadError for unsupported modes."""
    mode, notes = img.mode, []
    if _is_16bit_grey(mode):
        notes.append("16-bit grey -> 8-bit RGB")
    elif _has_alpha(img):
        notes.append(f"{mode} -> RGB (alpha composited on white)")
    elif mode in _PLAIN_NOTES:
        notes.append(_PLAIN_NOTES[mode])
    elif mode != "RGB":
        kind = "32-bit float" if mode == "F" else "not supported"
        raise _fail(label, f"unsupported pixel mode {mode!r} ({kind}); use 8/16-bit grey, palette or RGB(A)")
    if _high_byte_only(img):
        notes.append("16-bit -> 8-bit (high byte kept by the decoder)")
    orientation = _orientation(img)
    if orientation != 1:
        notes.append(f"EXIF orientation {orientation} applied")
    return notes


def _check_size(img: Image.Image, label: str, max_pixels: int = MAX_PIXELS) -> None:
    """Refuse, from the header alone, sides under :data:`MIN_SIDE`, more than ``max_pixels`` pixels (before
    any memory is spent on them) and files with several frames (which frame would be meant is unclear)."""
    w, h = img.size
    if min(w, h) < MIN_SIDE:
        raise _fail(label, f"image is {w}x{h} pixels; the smallest supported side is {MIN_SIDE}")
    if w * h > max_pixels:
        raise _fail(label, f"image is {w}x{h} = {w * h} pixels, more than the limit of {max_pixels} pixels "
                           "(--max-pixels)")
    frames = getattr(img, "n_frames", 1)
    if frames > 1:
        raise _fail(label, f"the file holds {frames} frames (an animation); save the frame you mean as a still")


def _to_rgb_array(img: Image.Image, label: str) -> np.ndarray:
    """Decoded Pillow image -> ``uint8 [H, W, 3]``."""
    if _is_16bit_grey(img.mode):
        values = np.asarray(img).astype(np.int64)
        if values.size and (values.min() < 0 or values.max() > 65535):
            raise _fail(label, f"mode {img.mode!r} holds values outside the 16-bit range 0..65535")
        grey = np.rint(values / 257.0).astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=2)
    if _has_alpha(img):
        rgba = np.asarray(img.convert("RGBA"), dtype=np.float64)
        alpha = rgba[..., 3:] / 255.0
        return np.rint(rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    return np.array(img.convert("RGB"), dtype=np.uint8)  # a writable copy, as torch.from_numpy wants


def _decode(img: Image.Image, label: str, max_pixels: int = MAX_PIXELS) -> torch.Tensor:
    _check_size(img, label, max_pixels)
    _notes(img, label)  # refuses unsupported modes before decoding the pixels
    img.load()  # inside the caller's error mapping, so truncated files fail here
    if _orientation(img) != 1:
        img = ImageOps.exif_transpose(img)
    arr = _to_rgb_array(img, label)
    return torch.from_numpy(np.ascontiguousarray(arr)).permute(2, 0, 1).contiguous().float().div_(255.0)


def load_image(path: PathLike, max_pixels: int = MAX_PIXELS) -> torch.Tensor:
    """Read an image file as ``float32 [3, H, W]`` in [0, 1], RGB (8-bit values k/255).

    Raises :class:`ImageLoadError` (one-line message naming ``path``) for a missing, unreadable, corrupt
    or truncated file, an unsupported pixel mode, a side shorter than :data:`MIN_SIDE`, more than
    ``max_pixels`` pixels, or several frames.
    """
    label = os.fspath(path)
    with _opened(path, label) as img:
        return _decode(img, label, max_pixels)


def decode_image_bytes(data: bytes, name: str) -> torch.Tensor:
    """Like :func:`load_image` for an encoded file held in memory; ``name`` labels error messages."""
    with _opened(bytes(data), name) as img:
        return _decode(img, name)


def image_from_array(array: np.ndarray, name: str) -> torch.Tensor:
    """``uint8`` array ``[H, W]`` (grey), ``[H, W, 3]`` (RGB) or ``[H, W, 4]`` (RGBA) -> ``float32 [3, H, W]``.

    Applies the same conversions and size check as :func:`load_image`.
    """
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise _fail(name, f"expected a uint8 [H, W], [H, W, 3] or [H, W, 4] array, got {array.dtype} "
                          f"{list(array.shape)}")
    with _decode_errors(name):
        return _decode(Image.fromarray(np.ascontiguousarray(array)), name)


def _check(source: _Source, label: str) -> None:
    with _opened(source, label) as img:
        _check_size(img, label)
        _notes(img, label)
        if img.format == "JPEG":
            img.load()  # verify() does not read JPEG scan data; a truncated file only fails when decoded
        else:
            img.verify()


def check_image_file(path: PathLike) -> None:
    """Cheap header-level validation of an image file (open, size, mode, ``verify()``); pixels are not decoded.

    Raises the same :class:`ImageLoadError` as :func:`load_image`. ``verify()`` checks PNG chunk CRCs but
    not JPEG scan data, so JPEGs are decoded here, and one truncated mid-scan fails before any row is written.
    """
    _check(path, os.fspath(path))


def check_image_bytes(data: bytes, name: str) -> None:
    """:func:`check_image_file` for an encoded file held in memory."""
    _check(bytes(data), name)


def describe_conversion(path: PathLike) -> str | None:
    """A short note such as ``"RGBA -> RGB (alpha composited on white)"`` when :func:`load_image` would
    convert the file's pixels, ``None`` for a plain 8-bit RGB file. Raises ImageLoadError like load_image."""
    label = os.fspath(path)
    with _opened(path, label) as img:
        notes = _notes(img, label)
    return "; ".join(notes) if notes else None


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """Float image(s) in [0, 1] (any shape) -> ``uint8`` 0..255 of the same shape.

    Values are clamped to [0, 1] and rounded to the nearest level (ties to even, as torch.round); NaN -> 0.
    """
    return x.detach().float().nan_to_num(0.0).clamp(0.0, 1.0).mul(255.0).round().to(torch.uint8)


def from_uint8(x: torch.Tensor) -> torch.Tensor:
    """``uint8`` 0..255 (any shape) -> ``float32`` in [0, 1] of the same shape."""
    return x.float().div(255.0)


def _format_for(path: Path) -> str:
    suffix = path.suffix.lower()
    if not suffix:
        return "PNG"
    fmt = Image.registered_extensions().get(suffix)
    if fmt is None or fmt not in Image.SAVE:
        raise ValueError(f"{path}: cannot write images with suffix {path.suffix!r}; use .png, .jpg, .bmp, ...")
    return fmt


def save_image(x: torch.Tensor, path: PathLike) -> None:
    """Write ``float32 [3, H, W]`` or ``[1, 3, H, W]`` in [0, 1] as an 8-bit RGB file (rounded).

    The format follows the suffix (PNG when there is none; JPEG at quality 95). The file is written to a
    temporary file in the same directory and moved into place with ``os.replace``, so readers never see a
    partial file.
    """
    if x.ndim == 4 and x.shape[0] == 1:
        x = x[0]
    if x.ndim != 3 or x.shape[0] != 3:
        raise ValueError(f"save_image expects [3, H, W] or [1, 3, H, W], got {list(x.shape)}")
    path = Path(path)
    fmt = _format_for(path)
    options = {"quality": 95} if fmt == "JPEG" else {}
    pixels = to_uint8(x).permute(1, 2, 0).cpu().numpy()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            Image.fromarray(np.ascontiguousarray(pixels)).save(f, format=fmt, **options)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
