"""The real datasets in ../shared/data (skipped without it, failing when CI=true)."""

from __future__ import annotations

import pytest
import torch

from semcom.data import TarImageDataset, get_dataset

pytestmark = pytest.mark.shared_data


def _check_image(image: torch.Tensor) -> None:
    assert image.dtype == torch.float32 and image.ndim == 3 and image.shape[0] == 3
    assert 0.0 <= float(image.min()) and float(image.max()) <= 1.0
    assert float(image.max()) > float(image.min())  # not blank


def test_kodak(shared_data_dir):
    ds = get_dataset("kodak", shared_data_dir)
    assert len(ds) == 24 and ds.image_ids[0] == "kodim01" and ds.image_ids[-1] == "kodim24"
    ds.validate()
    portrait = set()
    for i in range(len(ds)):
        image = ds[i].image
        _check_image(image)
        assert tuple(image.shape[1:]) in {(512, 768), (768, 512)}
        if image.shape[1] == 768:
            portrait.add(ds.image_ids[i])
    assert portrait == {"kodim04", "kodim09", "kodim10", "kodim17", "kodim18", "kodim19"}


def test_bsds500(shared_data_dir):
    val = get_dataset("bsds500-val", shared_data_dir)
    assert len(val) == 100
    val.validate()
    assert len(get_dataset("bsds500-train", shared_data_dir)) == 200
    for i in (0, 99):
        _check_image(val[i].image)
        assert tuple(val[i].image.shape[1:]) in {(321, 481), (481, 321)}


@pytest.fixture(scope="module")
def cifar_test(shared_data_dir):
    return get_dataset("cifar10-test", shared_data_dir)  # reads the archive once


def test_cifar10_test_from_archive(cifar_test):
    assert isinstance(cifar_test, TarImageDataset) and cifar_test.name == "cifar10-test"
    assert len(cifar_test) == 10000
    assert cifar_test.image_ids[0] == "test/airplane/0000" and cifar_test.image_ids[-1] == "test/truck/0999"
    classes = {image_id.split("/")[1] for image_id in cifar_test.image_ids}
    assert len(classes) == 10
    for i in (0, 1234, 9999):
        item = cifar_test[i]
        assert item.image_id == cifar_test.image_ids[i]
        _check_image(item.image)
        assert item.image.shape == (3, 32, 32)
    cifar_test.validate()
