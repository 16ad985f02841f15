"""Named datasets (DESIGN.md §3) behind one registry, plus arbitrary image directories.

Every dataset object has ``name``, ``__len__``, ``__getitem__ -> ImageItem`` (image ``float32 [3, H, W]`` in
[0, 1]), ``image_ids`` and ``validate()``. Named datasets other than ``samples`` live under a data directory
given by the caller (``--data DIR``) or the ``SEMCOM_DATA`` environment variable; nothing is hard-coded.
"""

from __future__ import annotations

import dataclasses
import os
import tarfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol, runtime_checkable

from semcom.data.folder import (DEFAULT_EXTENSIONS, ImageFolder, ImageItem, apply_limit, check_unique_ids,
                                normalise_extensions)
from semcom.data.images import PathLike, check_image_bytes, decode_image_bytes
from semcom.data.samples import SampleImages
from semcom.errors import DatasetError, UnknownNameError

DATA_ENV_VAR = "SEMCOM_DATA"


@runtime_checkable
class ImageDataset(Protocol):
    """What every dataset object offers."""

    name: str

    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> ImageItem: ...
    @property
    def image_ids(self) -> tuple[str, ...]: ...
    def validate(self) -> None: ...


@dataclass(frozen=True)
class DatasetSpec:
    """A registry entry: ``factory(data_root, **kwargs)``; ``data_root`` is None when not needed."""

    name: str
    factory: Callable[..., ImageDataset]
    description: str
    needs_data_dir: bool


class DatasetRegistry(Mapping[str, DatasetSpec]):
    """Name -> :class:`DatasetSpec`. Filled at import time by :func:`register_dataset`; read-only after."""

    def __init__(self) -> None:
        self._specs: dict[str, DatasetSpec] = {}

    def register(self, name: str, *, needs_data_dir: bool = True) -> Callable:
        """Decorator registering a dataset factory under ``name`` (its docstring's first line describes it)."""
        def decorator(factory: Callable[..., ImageDataset]) -> Callable[..., ImageDataset]:
            if name in self._specs:
                raise ValueError(f"dataset {name!r} is already registered")
            description = next(iter((factory.__doc__ or "").strip().splitlines()), "")
            self._specs[name] = DatasetSpec(name, factory, description, needs_data_dir)
            return factory
        return decorator

    def __getitem__(self, name: str) -> DatasetSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise self.unknown(name) from None

    def unknown(self, name: str) -> UnknownNameError:
        """The error for a name that is neither registered nor a directory."""
        return UnknownNameError(f"unknown dataset {name!r}; known datasets: {', '.join(sorted(self))} "
                                "(or pass an existing image directory)")

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)


DATASETS = DatasetRegistry()
register_dataset = DATASETS.register


def list_datasets() -> list[str]:
    """Names of the registered datasets, sorted."""
    return sorted(DATASETS)


def resolve_data_root(data_dir: PathLike | None, env: Mapping[str, str] | None = None) -> Path:
    """The data directory: ``data_dir`` if given, else ``$SEMCOM_DATA``; it must exist.

    ``env`` defaults to ``os.environ``.
    """
    env = os.environ if env is None else env
    if data_dir is not None and os.fspath(data_dir) != "":
        root, origin = Path(data_dir).expanduser(), ""
    elif env.get(DATA_ENV_VAR):
        root, origin = Path(env[DATA_ENV_VAR]).expanduser(), f" (from {DATA_ENV_VAR})"
    else:
        raise DatasetError(f"no data directory: pass --data DIR or set {DATA_ENV_VAR} to the directory "
                           "that holds kodak/, bsds500/ and cifar10-jpg/")
    if not root.exists():
        raise DatasetError(f"data directory {root}{origin} does not exist")
    if not root.is_dir():
        raise DatasetError(f"data directory {root}{origin} is not a directory")
    return root


def get_dataset(name_or_path: str | os.PathLike, data_dir: PathLike | None = None, *,
                env: Mapping[str, str] | None = None, **kwargs) -> ImageDataset:
    """A registered dataset by name (``kwargs`` go to its factory, e.g. ``limit=100``), or an
    :class:`ImageFolder` when given a path to an existing directory (``kwargs`` go to ImageFolder).

    A registered name wins over a same-named directory in the working directory; write ``./kodak`` for that.
    """
    if not isinstance(name_or_path, os.PathLike):
        name = str(name_or_path)
        if name in DATASETS:
            spec = DATASETS[name]
            root = resolve_data_root(data_dir, env) if spec.needs_data_dir else None
            return spec.factory(root, **kwargs)
        looks_like_path = "/" in name or os.sep in name or Path(name).expanduser().exists()
        if not looks_like_path:
            raise DATASETS.unknown(name)
    return ImageFolder(Path(name_or_path).expanduser(), **kwargs)


def _subdir(root: Path, rel: str, name: str) -> Path:
    path = root / rel
    if not path.is_dir():
        raise DatasetError(f"dataset {name!r}: directory {path} not found under the data directory {root}")
    return path


@register_dataset("kodak")
def _kodak(root: Path, *, limit: int | None = None) -> ImageDataset:
    """Kodak: 24 lossless PNGs, 768x512 / 512x768 (DIR/kodak); the evaluation set."""
    return ImageFolder(_subdir(root, "kodak", "kodak"), (".png",), name="kodak", limit=limit)


def _bsds(root: Path, split: str, limit: int | None) -> ImageDataset:
    name = f"bsds500-{split}"
    return ImageFolder(_subdir(root, f"bsds500/{split}", name), (".jpg",), name=name, limit=limit)


@register_dataset("bsds500-train")
def _bsds_train(root: Path, *, limit: int | None = None) -> ImageDataset:
    """BSDS500 train: 200 JPEG photos, 481x321 / 321x481 (DIR/bsds500/train); training crops."""
    return _bsds(root, "train", limit)


@register_dataset("bsds500-val")
def _bsds_val(root: Path, *, limit: int | None = None) -> ImageDataset:
    """BSDS500 val: 100 JPEG photos, 481x321 / 321x481 (DIR/bsds500/val); validation."""
    return _bsds(root, "val", limit)


class TarImageDataset:
    """Images of one split of a tar archive (any compression tarfile reads), never extracted to disk.

    The archive is read once at construction; the encoded files of the split (members ``<split>/...``,
    optionally under one top-level folder) are kept in memory as bytes and decoded on access.
    Image ids are member paths without suffix, e.g. ``"test/airplane/0001"``.
    """

    def __init__(self, archive: PathLike, split: str, *, name: str, limit: int | None = None,
                 extensions=DEFAULT_EXTENSIONS) -> None:
        self.archive = Path(archive)
        self.split = split
        self.name = name
        exts = normalise_extensions(extensions)
        blobs = self._read(exts)
        if not blobs:
            raise DatasetError(f"{self.archive}: no image files under {split}/ in this archive")
        members = apply_limit(sorted(blobs), limit)
        self._members = tuple(members)
        self._blobs = tuple(blobs[m] for m in members)
        self._ids = tuple(str(PurePosixPath(m).with_suffix("")) for m in members)
        check_unique_ids(self._ids, self.archive)

    def _member_path(self, member_name: str) -> str | None:
        parts = [p for p in PurePosixPath(member_name).parts if p not in ("", ".")]
        if ".." in parts or not parts or parts[0] == "/":
            return None
        if len(parts) > 2 and parts[1] == self.split and parts[0] != self.split:
            parts = parts[1:]  # one top-level folder, e.g. cifar10-jpg/test/...
        return "/".join(parts) if len(parts) > 1 and parts[0] == self.split else None

    def _read(self, exts: tuple[str, ...]) -> dict[str, bytes]:
        blobs: dict[str, bytes] = {}
        try:
            with tarfile.open(self.archive, mode="r|*") as tar:  # streaming: one pass, no seeks
                for member in tar:
                    path = self._member_path(member.name) if member.isfile() else None
                    if path is None or PurePosixPath(path).suffix.lower() not in exts:
                        continue
                    blobs[path] = tar.extractfile(member).read()
        except FileNotFoundError:
            raise DatasetError(f"{self.archive}: archive not found") from None
        except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
            raise DatasetError(f"{self.archive}: cannot read archive ({' '.join(str(e).split())})") from e
        return blobs

    def __len__(self) -> int:
        return len(self._blobs)

    def __getitem__(self, index: int) -> ImageItem:
        label = f"{self.archive.name}:{self._members[index]}"
        return ImageItem(self._ids[index], decode_image_bytes(self._blobs[index], label))

    @property
    def image_ids(self) -> tuple[str, ...]:
        return self._ids

    def validate(self) -> None:
        """Header-check every member; raises the first ImageLoadError (labelled ``archive:member``)."""
        for member, blob in zip(self._members, self._blobs):
            check_image_bytes(blob, f"{self.archive.name}:{member}")

    def __repr__(self) -> str:
        return f"TarImageDataset(name={self.name!r}, archive={str(self.archive)!r}, images={len(self)})"


CIFAR_ARCHIVE = "cifar10-jpg.tar.gz"


def _cifar(root: Path, split: str, limit: int | None) -> ImageDataset:
    name = f"cifar10-{split}"
    base = root / "cifar10-jpg"
    if (base / split).is_dir():
        return ImageFolder(base / split, (".jpg", ".jpeg"), name=name, limit=limit, id_prefix=f"{split}/")
    if (base / CIFAR_ARCHIVE).is_file():
        return TarImageDataset(base / CIFAR_ARCHIVE, split, name=name, limit=limit, extensions=(".jpg", ".jpeg"))
    raise DatasetError(f"dataset {name!r}: neither {base / split}/ nor {base / CIFAR_ARCHIVE} exists "
                       f"under the data directory {root}")


@register_dataset("cifar10-test")
def _cifar_test(root: Path, *, limit: int | None = None) -> ImageDataset:
    """CIFAR-10 test as JPEGs: 10000 images, 32x32 (DIR/cifar10-jpg, tree or .tar.gz); quick checks."""
    return _cifar(root, "test", limit)


@register_dataset("cifar10-train")
def _cifar_train(root: Path, *, limit: int | None = None) -> ImageDataset:
    """CIFAR-10 train as JPEGs: 50000 images, 32x32 (DIR/cifar10-jpg, tree or .tar.gz)."""
    return _cifar(root, "train", limit)


@register_dataset("samples", needs_data_dir=False)
def _samples(root: None, *, limit: int | None = None) -> ImageDataset:
    """scikit-image's bundled sample photos (offline, no data directory); the demo set."""
    return SampleImages(limit=limit)


@register_dataset("samples-192", needs_data_dir=False)
def _samples_192(root: None, *, limit: int | None = None) -> ImageDataset:
    """The sample photos' central 192x192 crops: the default demo set (small enough for a first look)."""
    return SampleImages(limit=limit, name="samples-192", crop=192)


class ConcatImages:
    """Several datasets read as one, in order; image ids are prefixed with their dataset's name."""

    def __init__(self, parts: list[ImageDataset]):
        self.parts = parts
        self.name = "+".join(p.name for p in parts)
        self._index = [(k, i) for k, part in enumerate(parts) for i in range(len(part))]

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, index: int) -> ImageItem:
        k, i = self._index[index]
        item = self.parts[k][i]
        return dataclasses.replace(item, image_id=f"{self.parts[k].name}/{item.image_id}")

    @property
    def image_ids(self) -> tuple[str, ...]:
        return tuple(f"{p.name}/{image_id}" for p in self.parts for image_id in p.image_ids)

    def validate(self) -> None:
        for part in self.parts:
            part.validate()


def training_images(spec: str, data_dir: PathLike | None = None, limit: int | None = None) -> ImageDataset:
    """The training images named by ``spec``: a registered name (``bsds500-train``), an image folder
    (DIV2K/CLIC-style: one folder of photos), or several of them separated by commas, read as one.
    ``limit`` applies to each part."""
    names = [s.strip() for s in str(spec).split(",") if s.strip()]
    if not names:
        raise DatasetError(f"--dataset {spec!r} names no dataset")
    parts = [get_dataset(name, data_dir=data_dir, limit=limit) for name in names]
    return parts[0] if len(parts) == 1 else ConcatImages(parts)
