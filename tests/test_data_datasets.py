"""semcom.data.folder / datasets / samples: discovery, ids, registry, archives."""

from __future__ import annotations

import io
import socket
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from semcom.data import (DatasetRegistry, ImageDataset, ImageFolder, ImageItem, TarImageDataset, get_dataset,
                         list_datasets, resolve_data_root)
from semcom.errors import DatasetError, ImageLoadError, UnknownNameError


def _write(path: Path, value: int = 0, size=(14, 12), fmt=None) -> np.ndarray:
    path.parent.mkdir(parents=True, exist_ok=True)
    arr = np.full((size[1], size[0], 3), value, dtype=np.uint8)
    Image.fromarray(arr).save(path, format=fmt)
    return arr


def _encoded(value: int, fmt="PNG", size=(32, 32)) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((size[1], size[0], 3), value, dtype=np.uint8)).save(buf, format=fmt)
    return buf.getvalue()


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "imgs"
    _write(root / "b.png", 10)
    _write(root / "a" / "z.jpg", 20, fmt="JPEG")
    _write(root / "a" / "c.PNG", 30, fmt="PNG")
    _write(root / "a" / "deep" / "d.bmp", 40)
    _write(root / ".hidden" / "x.png", 50)
    _write(root / "._y.png", 60)
    (root / "notes.txt").write_text("not an image")
    return root


def test_image_folder_recursive_sorted_ids(tree):
    ds = ImageFolder(tree)
    assert ds.image_ids == ("a/c", "a/deep/d", "a/z", "b")
    assert len(ds) == 4 and ds.name == "imgs"
    assert [p.relative_to(tree).as_posix() for p in ds.paths] == ["a/c.PNG", "a/deep/d.bmp", "a/z.jpg", "b.png"]
    item = ds[1]
    assert isinstance(item, ImageItem) and item.image_id == "a/deep/d"
    assert item.image.shape == (3, 12, 14) and item.image.dtype == torch.float32
    assert torch.all(item.image == 40 / 255)
    with pytest.raises(AttributeError):
        item.image_id = "other"  # frozen
    assert isinstance(ds, ImageDataset)
    ds.validate()


def test_image_folder_options(tree):
    assert ImageFolder(tree, extensions=("png",)).image_ids == ("a/c", "b")
    limited = ImageFolder(tree, limit=2, name="mine", id_prefix="x/")
    assert limited.image_ids == ("x/a/c", "x/a/deep/d") and limited.name == "mine"
    with pytest.raises(ValueError, match="limit"):
        ImageFolder(tree, limit=0)


def test_image_folder_follows_symlinked_dirs_without_looping(tree, tmp_path):
    _write(tmp_path / "elsewhere" / "e.png", 70)
    (tree / "a" / "ext").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tree / "a" / "loop").symlink_to(tree, target_is_directory=True)
    assert ImageFolder(tree).image_ids == ("a/c", "a/deep/d", "a/ext/e", "a/z", "b")


def test_image_folder_errors(tmp_path, tree):
    with pytest.raises(DatasetError, match="not found"):
        ImageFolder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="no image files"):
        ImageFolder(tmp_path / "empty")
    with pytest.raises(DatasetError, match="not a directory"):
        ImageFolder(tree / "b.png")
    _write(tree / "b.jpg", 1, fmt="JPEG")
    with pytest.raises(DatasetError, match="'b'"):
        ImageFolder(tree)


def test_validate_raises_first_problem(tree):
    (tree / "a" / "bad.png").write_text("nope")
    (tree / "zz.png").write_text("nope")
    ds = ImageFolder(tree)
    with pytest.raises(ImageLoadError, match=r"a/bad\.png: cannot read image"):
        ds.validate()


def test_resolve_data_root(tmp_path):
    assert resolve_data_root(tmp_path, env={}) == tmp_path
    assert resolve_data_root(None, env={"SEMCOM_DATA": str(tmp_path)}) == tmp_path
    assert resolve_data_root(str(tmp_path), env={"SEMCOM_DATA": "/does/not/exist"}) == tmp_path
    with pytest.raises(DatasetError, match="no data directory: pass --data DIR or set SEMCOM_DATA"):
        resolve_data_root(None, env={})
    with pytest.raises(DatasetError, match="does not exist"):
        resolve_data_root(None, env={"SEMCOM_DATA": str(tmp_path / "nope")})


def test_named_folder_datasets(tmp_path):
    for i in range(3):
        _write(tmp_path / "kodak" / f"kodim{i + 1:02d}.png", i)
    _write(tmp_path / "bsds500" / "val" / "1.jpg", 5, fmt="JPEG")
    _write(tmp_path / "bsds500" / "train" / "2.jpg", 5, fmt="JPEG")
    kodak = get_dataset("kodak", tmp_path)
    assert kodak.name == "kodak" and kodak.image_ids == ("kodim01", "kodim02", "kodim03")
    assert get_dataset("kodak", env={"SEMCOM_DATA": str(tmp_path)}, limit=1).image_ids == ("kodim01",)
    assert get_dataset("bsds500-val", tmp_path).image_ids == ("1",)
    assert get_dataset("bsds500-train", tmp_path).name == "bsds500-train"
    with pytest.raises(DatasetError, match="cifar10-jpg"):
        get_dataset("cifar10-test", tmp_path)
    with pytest.raises(DatasetError, match="no data directory"):
        get_dataset("kodak", env={})


def test_get_dataset_paths_and_unknown_names(tree, tmp_path):
    assert get_dataset(str(tree)).image_ids == ImageFolder(tree).image_ids
    assert get_dataset(tree, limit=1).image_ids == ("a/c",)
    with pytest.raises(UnknownNameError) as err:
        get_dataset("kodakk", env={})
    assert isinstance(err.value, KeyError)
    message = str(err.value)
    assert "'kodakk'" in message and "kodak, " in message and "samples" in message
    with pytest.raises(DatasetError, match="not found"):
        get_dataset(str(tmp_path / "missing_dir"))


def test_registry():
    assert set(list_datasets()) == {"kodak", "bsds500-train", "bsds500-val", "cifar10-test", "cifar10-train",
                                    "samples", "samples-192"}
    registry = DatasetRegistry()

    @registry.register("thing", needs_data_dir=False)
    def _thing(root):
        """A thing."""
        return root

    assert registry["thing"].description == "A thing." and not registry["thing"].needs_data_dir
    with pytest.raises(ValueError, match="already registered"):
        registry.register("thing")(_thing)
    with pytest.raises(UnknownNameError, match="known datasets: thing"):
        registry["other"]


def _make_tar(path: Path, members: dict[str, bytes], top: str = "") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(top + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


CIFAR_LIKE = {
    "train/cat/0000.jpg": _encoded(1, "JPEG"),
    "test/dog/0001.jpg": _encoded(200, "PNG"),
    "test/cat/0001.jpg": _encoded(100, "PNG"),
    "test/cat/0000.jpg": _encoded(50, "PNG"),
    "test/readme.txt": b"text",
}


@pytest.mark.parametrize("top", ["", "cifar10-jpg/", "./"])
def test_cifar_from_archive(tmp_path, top):
    base = tmp_path / "cifar10-jpg"
    base.mkdir()
    _make_tar(base / "cifar10-jpg.tar.gz", CIFAR_LIKE, top)
    test = get_dataset("cifar10-test", tmp_path)
    assert isinstance(test, TarImageDataset) and test.name == "cifar10-test"
    assert test.image_ids == ("test/cat/0000", "test/cat/0001", "test/dog/0001")
    item = test[1]
    assert item.image_id == "test/cat/0001" and item.image.shape == (3, 32, 32)
    assert torch.all(item.image == 100 / 255)
    assert get_dataset("cifar10-test", tmp_path, limit=2).image_ids == ("test/cat/0000", "test/cat/0001")
    assert get_dataset("cifar10-train", tmp_path).image_ids == ("train/cat/0000",)
    test.validate()


def test_cifar_from_extracted_tree_matches_archive_ids(tmp_path):
    for name, data in CIFAR_LIKE.items():
        (tmp_path / "cifar10-jpg" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "cifar10-jpg" / name).write_bytes(data)
    test = get_dataset("cifar10-test", tmp_path)
    assert isinstance(test, ImageFolder)
    assert test.image_ids == ("test/cat/0000", "test/cat/0001", "test/dog/0001")
    assert torch.all(test[2].image == 200 / 255)


def test_archive_errors(tmp_path):
    bad = _make_tar(tmp_path / "a.tar.gz", {"test/x/0.jpg": b"garbage", "test/x/1.jpg": _encoded(3)})
    ds = TarImageDataset(bad, "test", name="t")
    with pytest.raises(ImageLoadError, match=r"^a\.tar\.gz:test/x/0\.jpg: cannot read image"):
        ds.validate()
    with pytest.raises(ImageLoadError, match="a.tar.gz:test/x/0.jpg"):
        ds[0]
    assert ds[1].image.shape == (3, 32, 32)
    with pytest.raises(DatasetError, match="no image files under val/"):
        TarImageDataset(bad, "val", name="t")
    (tmp_path / "junk.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(DatasetError, match="cannot read archive"):
        TarImageDataset(tmp_path / "junk.tar.gz", "test", name="t")
    data = (tmp_path / "a.tar.gz").read_bytes()
    (tmp_path / "cut.tar.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match="cut.tar.gz"):
        TarImageDataset(tmp_path / "cut.tar.gz", "test", name="t")


def test_samples_offline(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the samples dataset tried to use the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    ds = get_dataset("samples", env={})
    assert ds.name == "samples" and len(ds) >= 5
    assert {"astronaut", "coffee", "chelsea", "rocket", "camera"} <= set(ds.image_ids)
    for i in range(len(ds)):
        item = ds[i]
        assert item.image_id == ds.image_ids[i]
        assert item.image.dtype == torch.float32 and item.image.ndim == 3 and item.image.shape[0] == 3
        assert 0.0 <= float(item.image.min()) and float(item.image.max()) <= 1.0
    camera = ds[ds.image_ids.index("camera")].image  # grey source -> three equal channels
    assert torch.equal(camera[0], camera[1]) and torch.equal(camera[1], camera[2])
    assert get_dataset("samples", limit=2).image_ids == ds.image_ids[:2]
