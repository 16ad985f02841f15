"""semcom.data.images: decoding, conversions, errors, saving."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from semcom.data import (MIN_SIDE, check_image_file, decode_image_bytes, describe_conversion, from_uint8,
                         image_from_array, load_image, save_image, to_uint8)
from semcom.errors import ImageLoadError, SemcomError


def _rgb_array(h=16, w=20, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _as_hwc_uint8(t: torch.Tensor) -> np.ndarray:
    assert t.dtype == torch.float32 and t.ndim == 3 and t.shape[0] == 3
    assert float(t.min()) >= 0.0 and float(t.max()) <= 1.0
    return (t * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()


def test_plain_rgb_png_is_exact(tmp_path):
    arr = _rgb_array()
    Image.fromarray(arr).save(tmp_path / "rgb.png")
    x = load_image(tmp_path / "rgb.png")
    assert x.shape == (3, 16, 20)
    np.testing.assert_array_equal(_as_hwc_uint8(x), arr)
    assert describe_conversion(tmp_path / "rgb.png") is None


def test_grey_becomes_rgb(tmp_path):
    grey = np.arange(16 * 20, dtype=np.uint8).reshape(16, 20)
    Image.fromarray(grey).save(tmp_path / "g.png")
    out = _as_hwc_uint8(load_image(tmp_path / "g.png"))
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], grey)
    assert "grey -> RGB" in describe_conversion(tmp_path / "g.png")


def test_palette_with_transparency_composited_on_white(tmp_path):
    img = Image.new("P", (12, 12), 1)
    img.putpalette([10, 20, 30, 200, 100, 50] + [0, 0, 0] * 254)
    img.putpixel((0, 0), 0)
    img.save(tmp_path / "p.png", transparency=0)
    assert Image.open(tmp_path / "p.png").mode == "P"
    out = _as_hwc_uint8(load_image(tmp_path / "p.png"))
    assert out[0, 0].tolist() == [255, 255, 255]  # transparent index -> white
    assert out[5, 5].tolist() == [200, 100, 50]
    assert "alpha composited on white" in describe_conversion(tmp_path / "p.png")


def test_palette_without_transparency(tmp_path):
    img = Image.new("P", (12, 12), 1)
    img.putpalette([10, 20, 30, 200, 100, 50] + [0, 0, 0] * 254)
    img.save(tmp_path / "p.png")
    assert _as_hwc_uint8(load_image(tmp_path / "p.png"))[3, 3].tolist() == [200, 100, 50]
    assert describe_conversion(tmp_path / "p.png") == "palette -> RGB"


def test_rgba_alpha_composited_on_white(tmp_path):
    arr = np.zeros((12, 12, 4), dtype=np.uint8)
    arr[...] = (200, 100, 0, 255)
    arr[0, 0] = (200, 100, 0, 128)  # half transparent
    arr[0, 1] = (7, 8, 9, 0)  # fully transparent
    Image.fromarray(arr).save(tmp_path / "a.png")
    out = _as_hwc_uint8(load_image(tmp_path / "a.png"))
    # round(c * 128/255 + 255 * 127/255)
    assert out[0, 0].tolist() == [227, 177, 127]
    assert out[0, 1].tolist() == [255, 255, 255]
    assert out[5, 5].tolist() == [200, 100, 0]
    assert describe_conversion(tmp_path / "a.png") == "RGBA -> RGB (alpha composited on white)"


def test_grey_alpha(tmp_path):
    arr = np.zeros((12, 12, 2), dtype=np.uint8)
    arr[...] = (50, 255)
    arr[2, 3] = (50, 0)
    Image.frombytes("LA", (12, 12), arr.tobytes()).save(tmp_path / "la.png")
    assert Image.open(tmp_path / "la.png").mode == "LA"
    out = _as_hwc_uint8(load_image(tmp_path / "la.png"))
    assert out[0, 0].tolist() == [50, 50, 50]
    assert out[2, 3].tolist() == [255, 255, 255]


def test_16bit_grey_scaled_with_rounding(tmp_path):
    values = np.array([0, 257, 65535, 1000, 128, 129, 32896], dtype=np.uint16)
    arr = np.tile(values, (12, 2))
    Image.fromarray(arr).save(tmp_path / "g16.png")
    assert Image.open(tmp_path / "g16.png").mode.startswith("I")
    out = _as_hwc_uint8(load_image(tmp_path / "g16.png"))
    expected = [0, 1, 255, 4, 0, 1, 128]  # round(v / 257); Pillow's own convert would clip 257 -> 255
    assert out[0, :7, 0].tolist() == expected
    assert (out[..., 0] == out[..., 2]).all()
    assert "16-bit" in describe_conversion(tmp_path / "g16.png")


def test_16bit_rgb_png_is_reported(tmp_path):
    h = w = 12
    raw = b"".join(b"\x00" + np.full((w, 3), 1000, dtype=">u2").tobytes() for _ in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    (tmp_path / "rgb16.png").write_bytes(png)
    assert "16-bit -> 8-bit" in describe_conversion(tmp_path / "rgb16.png")
    assert load_image(tmp_path / "rgb16.png").shape == (3, 12, 12)


def test_cmyk_jpeg(tmp_path):
    arr = np.zeros((16, 16, 3), dtype=np.uint8)
    arr[...] = (30, 120, 220)
    Image.fromarray(arr).convert("CMYK").save(tmp_path / "c.jpg", quality=100)
    assert Image.open(tmp_path / "c.jpg").mode == "CMYK"
    out = _as_hwc_uint8(load_image(tmp_path / "c.jpg")).astype(int)
    assert np.abs(out - arr).max() <= 3
    assert describe_conversion(tmp_path / "c.jpg") == "CMYK -> RGB"


def test_exif_orientation_applied(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when displayed
    Image.fromarray(_rgb_array(16, 24)).save(tmp_path / "o.jpg", exif=exif.tobytes())
    assert load_image(tmp_path / "o.jpg").shape == (3, 24, 16)
    assert "EXIF orientation 6" in describe_conversion(tmp_path / "o.jpg")


def test_float_mode_refused(tmp_path):
    Image.fromarray(np.ones((16, 16), dtype=np.float32)).save(tmp_path / "f.tif")
    for fn in (load_image, check_image_file, describe_conversion):
        with pytest.raises(ImageLoadError, match=r"f\.tif: unsupported pixel mode 'F'"):
            fn(tmp_path / "f.tif")


def _assert_one_line_naming(err: pytest.ExceptionInfo, name: str) -> str:
    message = str(err.value)
    assert name in message and "\n" not in message
    assert isinstance(err.value, SemcomError)
    return message


def test_text_file_renamed_png(tmp_path):
    path = tmp_path / "kodim99.png"
    path.write_text("this is not an image\nsecond line\n")
    for fn in (load_image, check_image_file):
        with pytest.raises(ImageLoadError) as err:
            fn(path)
        msg = _assert_one_line_naming(err, "kodim99.png")
        assert msg.endswith("kodim99.png: cannot read image (not a recognised image format)")


def test_truncated_png(tmp_path):
    Image.fromarray(_rgb_array(64, 64)).save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    for fn in (load_image, check_image_file):
        with pytest.raises(ImageLoadError) as err:
            fn(tmp_path / "cut.png")
        assert "cannot read image" in _assert_one_line_naming(err, "cut.png")


def test_truncated_jpeg_fails_on_load(tmp_path):
    Image.fromarray(_rgb_array(64, 64)).save(tmp_path / "full.jpg")
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError) as err:
        load_image(tmp_path / "cut.jpg")
    assert "truncated" in _assert_one_line_naming(err, "cut.jpg")


@pytest.mark.parametrize("size", [(7, 7), (40, MIN_SIDE - 1)])
def test_too_small(tmp_path, size):
    Image.new("RGB", size).save(tmp_path / "tiny.png")
    for fn in (load_image, check_image_file):
        with pytest.raises(ImageLoadError) as err:
            fn(tmp_path / "tiny.png")
        msg = _assert_one_line_naming(err, "tiny.png")
        assert msg.endswith(f"image is {size[0]}x{size[1]} pixels; the smallest supported side is 11")


def test_min_side_accepted(tmp_path):
    Image.new("RGB", (MIN_SIDE, MIN_SIDE)).save(tmp_path / "ok.png")
    assert load_image(tmp_path / "ok.png").shape == (3, MIN_SIDE, MIN_SIDE)
    check_image_file(tmp_path / "ok.png")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ImageLoadError) as err:
        load_image(tmp_path / "nope.png")
    assert _assert_one_line_naming(err, "nope.png").endswith("file not found")
    with pytest.raises(ImageLoadError, match="is a directory"):
        load_image(tmp_path)


def test_decode_bytes_and_arrays():
    arr = _rgb_array()
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    np.testing.assert_array_equal(_as_hwc_uint8(decode_image_bytes(buf.getvalue(), "m.png")), arr)
    with pytest.raises(ImageLoadError, match="^junk: cannot read image"):
        decode_image_bytes(b"junk", "junk")
    grey = np.full((12, 13), 9, dtype=np.uint8)
    assert _as_hwc_uint8(image_from_array(grey, "g"))[0, 0].tolist() == [9, 9, 9]
    with pytest.raises(ImageLoadError, match="^small: image is 5x12"):
        image_from_array(np.zeros((12, 5, 3), np.uint8), "small")
    with pytest.raises(ImageLoadError, match="uint8"):
        image_from_array(np.zeros((12, 12), np.float32), "f")


def test_uint8_helpers():
    x = torch.tensor([-0.5, 0.0, 0.6 / 255, 0.4 / 255, 1.0, 7.0, float("nan")])
    assert to_uint8(x).tolist() == [0, 0, 1, 0, 255, 255, 0]
    k = torch.arange(256, dtype=torch.uint8)
    assert torch.equal(to_uint8(from_uint8(k)), k)
    assert from_uint8(k).dtype == torch.float32


def test_save_round_trip_and_atomic(tmp_path):
    arr = _rgb_array()
    x = from_uint8(torch.from_numpy(arr).permute(2, 0, 1))
    save_image(x, tmp_path / "out.png")
    save_image(x[None], tmp_path / "batch.png")  # [1, 3, H, W] accepted
    save_image(x, tmp_path / "noext")  # PNG by default
    for name in ("out.png", "batch.png", "noext"):
        np.testing.assert_array_equal(_as_hwc_uint8(load_image(tmp_path / name)), arr)
    assert Image.open(tmp_path / "noext").format == "PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.png", "noext", "out.png"]  # no temp files


def test_save_rounds_and_formats(tmp_path):
    x = torch.full((3, 12, 12), 100.4 / 255)
    x[0, 0, 0] = 100.6 / 255
    save_image(x, tmp_path / "r.png")
    out = _as_hwc_uint8(load_image(tmp_path / "r.png"))
    assert out[0, 0, 0] == 101 and out[1, 1, 1] == 100
    save_image(x, tmp_path / "r.jpg")
    assert Image.open(tmp_path / "r.jpg").format == "JPEG"
    with pytest.raises(ValueError, match="suffix"):
        save_image(x, tmp_path / "r.notaformat")
    with pytest.raises(ValueError, match=r"\[3, H, W\]"):
        save_image(torch.zeros(2, 3, 12, 12), tmp_path / "b.png")
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
