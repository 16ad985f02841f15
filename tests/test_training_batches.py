"""Batches made ahead in DataLoader workers are the batches the loop makes itself (semcom.training.batches)."""

import torch

from semcom.data import RandomCropLoader, get_dataset
from semcom.models.jscc import JSCCAutoencoder, JSCCConfig
from semcom.training.batches import batch_stream
from semcom.training.loop import DataGenerators, TrainConfig, train
from semcom.training.tasks import JSCCTask


def test_worker_batches_equal_in_process_batches():
    photos = get_dataset("samples", limit=4)
    loader = RandomCropLoader(photos, 32, 3, torch.Generator(), num_batches=1)
    steps = range(5, 12)
    here = list(batch_stream(loader, steps, DataGenerators(0)))
    there = list(batch_stream(loader, steps, DataGenerators(0), workers=2, prefetch=2))
    assert len(here) == len(there) == len(steps)
    assert all(torch.equal(a, b) for a, b in zip(here, there))
    assert not torch.equal(here[0], here[1])


def test_training_with_data_workers_gives_the_same_weights(tmp_path):
    photos = get_dataset("samples", limit=4)
    config = TrainConfig(steps=3, batch_size=2, crop_size=32, checkpoint_every=3, validate_every=3,
                         validation_images=2, validation_crop=32, bf16=False)
    weights = []
    for workers in (0, 2):
        torch.manual_seed(0)
        model = JSCCAutoencoder(JSCCConfig(arch="deepjscc", channels=2, width=8))
        train(JSCCTask(model), photos, photos, config, tmp_path / f"w{workers}", progress=False,
              data_workers=workers)
        weights.append(model.state_dict())
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])
