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


def test_train_on_a_list_of_image_folders(shared_data_dir, tmp_path):
    import json

    from semcom.cli.app import main
    from semcom.data import save_image, training_images

    photos = get_dataset("samples", limit=4)
    for k, folder in enumerate(("div2k", "clic")):
        (tmp_path / folder).mkdir()
        for i in range(2):
            save_image(photos[2 * k + i].image, tmp_path / folder / f"{i}.png")
    spec = f"{tmp_path / 'div2k'},{tmp_path / 'clic'}"
    images = training_images(spec)
    assert len(images) == 4 and images.image_ids[0].startswith("div2k/")
    run = tmp_path / "run"
    assert main(["train", "deepjscc", "--out", str(run), "--data", str(shared_data_dir), "--dataset", spec,
                 "--channels", "2", "--width", "8", "--steps", "2", "--batch-size", "2", "--crop", "32",
                 "--validate-every", "2", "--checkpoint-every", "2", "--device", "cpu"]) == 0
    record = json.loads((run / "final" / "config.json").read_text())
    assert record["data"].startswith(spec) and record["world_size"] == 1 and record["global_batch_size"] == 2
