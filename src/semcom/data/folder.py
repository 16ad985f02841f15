"""A directory of image files as a deterministic, indexable dataset."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import torch
from torch.utils.data import Dataset

from semcom.data.images import PathLike, check_image_file, load_image
from semcom.errors import DatasetError, InvalidLimitError

DEFAULT_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


@dataclass(frozen=True)
class ImageItem:
    """One image of a dataset.

    ``image_id``: stable identifier, the relative posix path without suffix (e.g. ``"test/airplane/0001"``).
    ``image``: ``float32 [3, H, W]`` in [0, 1], RGB.
    """

    image_id: str
    image: torch.Tensor


def normalise_extensions(extensions: Iterable[str]) -> tuple[str, ...]:
    """``("png", ".JPG")`` -> ``(".png", ".jpg")``."""
    exts = tuple(e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions)
    if not exts:
        raise ValueError("extensions must not be empty")
    return exts


def check_unique_ids(ids: Sequence[str], where: object) -> None:
    """Raise DatasetError when two files map to the same image id (e.g. ``a.png`` and ``a.jpg``)."""
    seen: dict[str, int] = {}
    for i, image_id in enumerate(ids):
        if image_id in seen:
            raise DatasetError(f"{where}: two files have the image id {image_id!r}; image ids must be unique")
        seen[image_id] = i


def apply_limit(items: list, limit: int | None) -> list:
    """First ``limit`` items (all when ``limit`` is None)."""
    if limit is None:
        return items
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidLimitError(f"--limit must be a positive number of images, got {limit!r}")
    return items[:limit]


def _scan(root: Path, extensions: tuple[str, ...]) -> list[tuple[str, Path]]:
    """(relative posix path, path) of every image file under ``root``; hidden files and folders are skipped.

    Symlinked folders are followed, each real folder once (links cannot loop; an alias of a folder already
    seen is skipped).
    """
    found: list[tuple[str, Path]] = []
    visited: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in visited:
            dirnames[:] = []
            continue
        visited.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))  # sorted: which alias wins is fixed
        for fname in filenames:
            if fname.startswith(".") or os.path.splitext(fname)[1].lower() not in extensions:
                continue
            path = Path(dirpath, fname)
            found.append((path.relative_to(root).as_posix(), path))
    found.sort(key=lambda entry: entry[0])
    return found


class ImageFolder(Dataset):
    """All image files under ``root`` (recursive), sorted by relative posix path.

    ``dataset[i]`` is an :class:`ImageItem` whose image is ``float32 [3, H, W]`` in [0, 1]; files are decoded
    on access, not cached. Hidden files and folders (name starting with ``.``) are skipped.

    Args:
        root: the directory. Missing, not a directory, or without image files -> :class:`DatasetError`.
        extensions: file suffixes to include (case-insensitive).
        name: the dataset's name (default: the directory's name).
        limit: keep only the first ``limit`` files in sorted order.
        id_prefix: prepended to every image id (e.g. ``"test/"``).
    """

    def __init__(self, root: PathLike, extensions: Iterable[str] = DEFAULT_EXTENSIONS, *,
                 name: str | None = None, limit: int | None = None, id_prefix: str = "") -> None:
        self.root = Path(root)
        if not self.root.exists():
            raise DatasetError(f"{self.root}: dataset directory not found")
        if not self.root.is_dir():
            raise DatasetError(f"{self.root}: not a directory")
        self.extensions = normalise_extensions(extensions)
        files = _scan(self.root, self.extensions)
        if not files:
            raise DatasetError(f"{self.root}: no image files ({' '.join(self.extensions)}) in this directory")
        files = apply_limit(files, limit)
        self._ids = tuple(id_prefix + str(PurePosixPath(rel).with_suffix("")) for rel, _ in files)
        check_unique_ids(self._ids, self.root)
        self._paths = tuple(path for _, path in files)
        self.name = name if name is not None else self.root.resolve().name

    def __len__(self) -> int:
        return len(self._paths)

    def __getitem__(self, index: int) -> ImageItem:
        return ImageItem(self._ids[index], load_image(self._paths[index]))

    @property
    def image_ids(self) -> tuple[str, ...]:
        """Image ids in dataset order."""
        return self._ids

    @property
    def paths(self) -> tuple[Path, ...]:
        """File paths in dataset order."""
        return self._paths

    def validate(self) -> None:
        """Header-check every file (:func:`check_image_file`); raises the first ImageLoadError."""
        for path in self._paths:
            check_image_file(path)

    def __repr__(self) -> str:
        return f"ImageFolder(name={self.name!r}, root={str(self.root)!r}, images={len(self)})"
