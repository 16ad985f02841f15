"""The training loop: a few steps of a tiny JSCC model, exact resume after an interruption, CSV log."""

import csv

import numpy as np
import pytest
import torch
from PIL import Image

from semcom.data import ImageFolder
from semcom.models.jscc import JSCCAutoencoder, JSCCConfig
from semcom.training.loop import TrainConfig, train
from semcom.training.tasks import JSCCTask

CONFIG = TrainConfig(steps=6, batch_size=2, crop_size=16, lr=1e-3, snr_db_min=0, snr_db_max=20,
                     checkpoint_every=2, validate_every=3, validation_images=2, validation_crop=32, bf16=False)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train")
    rng = np.random.default_rng(0)
    for i in range(4):
        array = np.clip(np.cumsum(rng.integers(-8, 9, size=(40, 48, 3)), axis=1) + 128, 0, 255)
        Image.fromarray(array.astype(np.uint8)).save(folder / f"{i}.png")
    return ImageFolder(folder)


def fresh_task():
    with torch.random.fork_rng():  # initial weights only; the loop itself takes no global randomness
        torch.manual_seed(0)
        return JSCCTask(JSCCAutoencoder(JSCCConfig(arch="adjscc", channels=2, width=8)))


def test_interrupted_training_resumes_exactly(images, tmp_path):
    straight = fresh_task()
    full = train(straight, images, images, CONFIG, tmp_path / "a", progress=False)
    assert full.steps == 6 and full.resumed_from == 0 and full.validation

    interrupted = fresh_task()
    first = train(interrupted, images, images, CONFIG, tmp_path / "b", progress=False, stop_after=4)
    assert first.steps == 4
    resumed_task = fresh_task()  # a new process: weights come from the checkpoint only
    second = train(resumed_task, images, images, CONFIG, tmp_path / "b", progress=False)
    assert second.resumed_from == 4 and second.steps == 6
    for (name, a), b in zip(straight.model.state_dict().items(), resumed_task.model.state_dict().values()):
        assert torch.allclose(a, b, atol=1e-6), name
    with (tmp_path / "b" / "log.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    # a row per LOG_EVERY (10) steps, and at every checkpoint (2, 4), validation (3) and final step (6)
    assert [int(r["step"]) for r in rows] == [2, 3, 4, 6]
    assert rows[1]["val_psnr@10dB"] and not rows[0]["val_psnr@10dB"]


def test_a_log_row_holds_the_means_of_its_steps(images, tmp_path):
    every_step = train(fresh_task(), images, images, CONFIG, tmp_path / "a", progress=False, log_every=1)
    rows_one = list(csv.DictReader((tmp_path / "a" / "log.csv").open()))
    train(fresh_task(), images, images, CONFIG, tmp_path / "b", progress=False)
    rows_ten = list(csv.DictReader((tmp_path / "b" / "log.csv").open()))
    assert every_step.steps == 6 and [int(r["step"]) for r in rows_one] == [1, 2, 3, 4, 5, 6]
    by_step = {int(r["step"]): float(r["loss"]) for r in rows_one}
    expected = {2: (by_step[1] + by_step[2]) / 2, 3: by_step[3], 4: by_step[4], 6: (by_step[5] + by_step[6]) / 2}
    for row in rows_ten:
        assert float(row["loss"]) == pytest.approx(expected[int(row["step"])], rel=1e-5), row


def test_the_monitor_reports_the_first_non_finite_step_and_the_means():
    from semcom.training.monitor import StepMonitor

    monitor = StepMonitor()
    for step, value in enumerate([1.0, 3.0, float("nan"), float("inf"), 2.0]):
        monitor.add(step, torch.tensor(value), {"extra": torch.tensor(2 * value) if step < 2 else 0.0})
    means, first_bad = monitor.flush()
    assert first_bad == 2 and means["extra"] == pytest.approx((2 + 6) / 5)
    monitor.add(7, torch.tensor(4.0), {})
    assert monitor.flush() == ({"loss": 4.0}, None)  # a new interval after each flush


def test_changed_config_is_not_resumed(images, tmp_path):
    from semcom.training import CheckpointError

    train(fresh_task(), images, images, CONFIG, tmp_path / "c", progress=False, stop_after=2)
    changed = TrainConfig(**{**CONFIG.__dict__, "lr": 5e-4})
    with pytest.raises(CheckpointError, match="train_config"):
        train(fresh_task(), images, images, changed, tmp_path / "c", progress=False)


def test_changed_loss_is_not_resumed(images, tmp_path):
    from semcom.training import CheckpointError

    train(fresh_task(), images, images, CONFIG, tmp_path / "d", progress=False, stop_after=2)
    other = JSCCTask(fresh_task().model, loss="log-mse")
    with pytest.raises(CheckpointError, match="task"):
        train(other, images, images, CONFIG, tmp_path / "d", progress=False)


def test_log_mse_loss_is_mean_log_of_per_image_mse():
    """log-mse weights each image by 1/MSE: its gradient is the MSE gradient of each image over its MSE."""
    task = fresh_task()
    images = torch.rand(3, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    snr = torch.tensor([0.0, 10.0, 20.0])
    mse_loss, _ = task.loss(images, snr, torch.Generator().manual_seed(2))
    log_task = JSCCTask(task.model, loss="log-mse")
    log_loss, logs = log_task.loss(images, snr, torch.Generator().manual_seed(2))
    with torch.no_grad():
        decoded = task.model(images, snr, torch.Generator().manual_seed(2))
    per_image = ((decoded - images) ** 2).flatten(1).mean(1)
    torch.testing.assert_close(mse_loss, per_image.mean())
    torch.testing.assert_close(log_loss, per_image.log().mean())
    assert logs["train_psnr"] == pytest.approx(float(-10 * per_image.mean().log10()), rel=1e-5)
    with pytest.raises(ValueError, match="loss"):
        JSCCTask(task.model, loss="l1")


def test_learning_rate_warms_up_linearly_then_decays():
    from semcom.training.loop import learning_rate

    config = TrainConfig(steps=100, lr=1e-3, lr_final=1e-4, warmup_steps=10)
    assert learning_rate(0, config) == pytest.approx(1e-4)
    assert learning_rate(4, config) == pytest.approx(5e-4)
    assert learning_rate(9, config) == pytest.approx(1e-3)
    assert learning_rate(50, config) == pytest.approx(5.5e-4)
    assert learning_rate(99, config) == pytest.approx(1e-4, rel=1e-2)
    plain = TrainConfig(steps=100, lr=1e-3, lr_final=1e-4)
    assert learning_rate(0, plain) == pytest.approx(1e-3)



def test_compiled_run_checkpoints_plain_weights_and_resumes_without_compiling(images, tmp_path):
    def deepjscc_task():  # DeepJSCC: fewer kernels to compile than ADJSCC, the same code path in the loop
        with torch.random.fork_rng():
            torch.manual_seed(0)
            return JSCCTask(JSCCAutoencoder(JSCCConfig(arch="deepjscc", channels=2, width=8)))

    straight = deepjscc_task()
    train(straight, images, images, CONFIG, tmp_path / "eager", progress=False)
    # two compiled steps, before the first validation: one compilation (training mode, one shape)
    train(deepjscc_task(), images, images, CONFIG, tmp_path / "compiled", progress=False, stop_after=2,
          compile_model=True)
    from semcom.training.checkpoint import load_checkpoint

    saved = load_checkpoint(tmp_path / "compiled" / "checkpoint.pt")["model"]
    assert list(saved) == list(straight.model.state_dict())  # no "_orig_mod." prefixes
    resumed = deepjscc_task()  # a new process, without compiling
    result = train(resumed, images, images, CONFIG, tmp_path / "compiled", progress=False)
    assert result.resumed_from == 2 and result.steps == 6
    # fused kernels round differently from eager ones, so the two runs agree closely but not bit for bit
    for (name, a), b in zip(straight.model.state_dict().items(), resumed.model.state_dict().values()):
        assert torch.allclose(a, b, atol=1e-3, rtol=1e-3), name
