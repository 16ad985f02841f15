"""semcom.data.crops: padding round trips and seeded random crops."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from semcom.data import ImageItem, PadInfo, RandomCropLoader, crop_back, pad_to_multiple, pad_to_size


@pytest.mark.parametrize("h,w,m", [(13, 17, 8), (16, 16, 8), (5, 40, 16), (1, 3, 4), (33, 20, 1)])
def test_pad_to_multiple_round_trip(h, w, m):
    x = torch.rand(2, 3, h, w, generator=torch.Generator().manual_seed(h * w))
    padded, info = pad_to_multiple(x, m)
    assert padded.shape[:2] == (2, 3)
    assert padded.shape[-2] % m == 0 and padded.shape[-1] % m == 0
    assert h <= padded.shape[-2] < h + m and w <= padded.shape[-1] < w + m
    assert info == PadInfo(h, w)
    assert torch.equal(padded[..., :h, :w], x)
    assert torch.equal(crop_back(padded, info), x)


def test_no_padding_needed_returns_input():
    x = torch.rand(1, 3, 16, 24)
    padded, info = pad_to_multiple(x, 8)
    assert padded is x and info == PadInfo(16, 24)


def test_reflect_values():
    x = torch.arange(5 * 6, dtype=torch.float32).reshape(1, 1, 5, 6)
    padded, _ = pad_to_multiple(x, 8)
    assert padded.shape == (1, 1, 8, 8)
    # columns 6, 7 mirror columns 4, 3 (the edge column 5 is not repeated)
    assert torch.equal(padded[0, 0, :5, 6], x[0, 0, :, 4])
    assert torch.equal(padded[0, 0, :5, 7], x[0, 0, :, 3])
    # rows 5, 6, 7 mirror rows 3, 2, 1 of the width-padded image
    assert torch.equal(padded[0, 0, 5:], padded[0, 0, [3, 2, 1]])


def test_replicate_when_reflect_impossible():
    x = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    padded, info = pad_to_multiple(x, 8)  # pads of 6 exceed the side of 2
    assert padded.shape == (1, 1, 8, 8)
    assert torch.equal(padded[0, 0, 0], torch.tensor([1.0, 2.0] + [2.0] * 6))
    assert torch.equal(padded[0, 0, 7], torch.tensor([3.0, 4.0] + [4.0] * 6))
    assert torch.equal(crop_back(padded, info), x)


def test_pad_errors_and_frozen_info():
    with pytest.raises(ValueError):
        pad_to_multiple(torch.zeros(3, 8, 8), 4)
    with pytest.raises(ValueError):
        pad_to_multiple(torch.zeros(1, 3, 8, 8), 0)
    with pytest.raises(ValueError):
        pad_to_size(torch.zeros(1, 3, 8, 8), 4, 8)
    with pytest.raises(ValueError):
        crop_back(torch.zeros(1, 3, 8, 8), PadInfo(9, 8))
    with pytest.raises(dataclasses.FrozenInstanceError):
        PadInfo(1, 2).height = 3


class _ListDataset:
    """Images with k/255 values, like decoded files; counts decodes."""

    def __init__(self, sizes, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.images = [torch.randint(0, 256, (3, h, w), generator=g).float() / 255 for h, w in sizes]
        self.loads = 0

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        self.loads += 1
        return ImageItem(f"img{i}", self.images[i])


SIZES = [(40, 50), (32, 32), (20, 60), (64, 48)]


def _batches(seed, n=4, dataset=None, **kw):
    dataset = dataset or _ListDataset(SIZES)
    loader = RandomCropLoader(dataset, 16, 3, torch.Generator().manual_seed(seed), num_batches=n, **kw)
    return list(loader)


def test_loader_same_seed_same_batches_other_seed_differs():
    a, b, c = _batches(1), _batches(1), _batches(2)
    assert len(a) == 4
    for batch in a:
        assert batch.shape == (3, 3, 16, 16) and batch.dtype == torch.float32
        assert 0.0 <= float(batch.min()) and float(batch.max()) <= 1.0
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not all(torch.equal(x, y) for x, y in zip(a, c))


def test_loader_cache_does_not_change_values_and_avoids_decodes():
    cached_ds, uncached_ds = _ListDataset(SIZES), _ListDataset(SIZES)
    cached = _batches(5, n=6, dataset=cached_ds)
    uncached = _batches(5, n=6, dataset=uncached_ds, cache=False)
    assert all(torch.equal(x, y) for x, y in zip(cached, uncached))
    assert cached_ds.loads == len(SIZES) and uncached_ds.loads == 6 * 3


def test_crops_are_windows_of_the_images():
    ds = _ListDataset([(24, 30)])
    image = ds.images[0]
    for batch in _batches(3, n=2, dataset=ds, flip=False):
        for crop in batch:
            windows = [image[:, t:t + 16, l:l + 16] for t in range(24 - 15) for l in range(30 - 15)]
            assert any(torch.equal(crop, w) for w in windows)


def test_flip_draws_from_generator():
    ds = _ListDataset([(16, 16)])  # crop == image: only the flip varies
    crops = torch.cat(_batches(0, n=8, dataset=ds))
    image = ds.images[0]
    flipped = [torch.equal(c, image.flip(-1)) for c in crops]
    assert all(f or torch.equal(c, image) for f, c in zip(flipped, crops))
    assert 0 < sum(flipped) < len(crops)


def test_small_images_are_reflect_padded():
    ds = _ListDataset([(10, 30)])  # crop 16: 6 rows of reflect padding, the edge row not repeated
    image = ds.images[0]
    lefts = set()
    for crop in torch.cat(_batches(4, n=2, dataset=ds, flip=False)):
        left = next(l for l in range(30 - 15) if torch.equal(crop[:, :10], image[:, :, l:l + 16]))
        assert torch.equal(crop[:, 10:], image[:, [8, 7, 6, 5, 4, 3], left:left + 16])
        lefts.add(left)
    assert len(lefts) > 1  # the horizontal offset is still random


def test_every_image_visited_each_epoch():
    ds = _ListDataset([(16, 16)] * 6)
    loader = RandomCropLoader(ds, 16, 2, torch.Generator().manual_seed(0), flip=False, num_batches=3)
    crops = torch.cat(list(loader))
    seen = {next(i for i, img in enumerate(ds.images) if torch.equal(c, img)) for c in crops}
    assert seen == set(range(6))
    assert len(loader) == 3


def test_loader_argument_checks():
    ds = _ListDataset(SIZES)
    with pytest.raises(TypeError, match="Generator"):
        RandomCropLoader(ds, 16, 2, None)
    with pytest.raises(ValueError):
        RandomCropLoader(ds, 0, 2, torch.Generator())
    with pytest.raises(TypeError):
        len(RandomCropLoader(ds, 16, 2, torch.Generator()))
    endless = iter(RandomCropLoader(ds, 16, 2, torch.Generator().manual_seed(0)))
    assert all(next(endless).shape == (2, 3, 16, 16) for _ in range(10))
