"""Training over two processes (torchrun, gloo on the CPU): each rank draws its own data, the weights stay
identical, rank 0 alone writes, a killed pair resumes exactly, and another world size is refused."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

pytestmark = pytest.mark.slow  # torchrun pairs of training processes

SCRIPT = Path(__file__).with_name("distributed_train_script.py")
STEPS = 40  # long enough that the pair can be killed before the end


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(out: Path, record: Path, steps: int = STEPS) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
               "--master_port", str(free_port()), str(SCRIPT), str(out), str(record), str(steps)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def finish(process: subprocess.Popen) -> None:
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output[-3000:]


def records(folder: Path, rank: int) -> list[dict]:
    return [json.loads(line) for line in (folder / f"rank{rank}.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("ddp")
    finish(launch(root / "run", root / "record"))
    return root / "run", root / "record"


def test_ranks_draw_their_own_batches_and_keep_identical_weights(uninterrupted):
    _, record = uninterrupted
    steps = [[r for r in records(record, rank) if "step" in r] for rank in (0, 1)]
    assert [r["step"] for r in steps[0]] == [r["step"] for r in steps[1]] == list(range(STEPS))
    for first, second in zip(*steps):
        assert first["batch"] != second["batch"]  # each rank its own crops and SNRs
        assert first["weights"] == second["weights"]  # same weights before every step (rank 0's at step 0)
    done = [next(r for r in records(record, rank) if "done" in r) for rank in (0, 1)]
    assert done[0]["final"] == done[1]["final"] and done[0]["world"] == 2 and done[0]["global_batch"] == 4


def test_rank_0_alone_writes(uninterrupted):
    run, record = uninterrupted
    assert not [r for r in records(record, 1) if "write" in r]
    assert {r["write"] for r in records(record, 0) if "write" in r} == {"checkpoint", "log"}
    assert sorted(p.name for p in run.iterdir()) == ["checkpoint.pt", "log.csv"]
    state = torch.load(run / "checkpoint.pt", weights_only=True)
    assert state["world_size"] == 2 and state["global_batch_size"] == 4 and state["step"] == STEPS


def test_a_killed_pair_resumes_exactly_and_another_world_size_is_refused(uninterrupted, tmp_path):
    run, record = tmp_path / "run", tmp_path / "record"
    process = launch(run, record)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if (run / "checkpoint.pt").exists() and torch.load(run / "checkpoint.pt", weights_only=True)["step"] >= 2:
            break
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = torch.load(run / "checkpoint.pt", weights_only=True)["step"]
    finish(launch(run, record))
    expected = torch.load(uninterrupted[0] / "checkpoint.pt", weights_only=True)["model"]
    resumed = torch.load(run / "checkpoint.pt", weights_only=True)
    assert resumed["step"] == STEPS and killed_at < STEPS
    assert all(torch.equal(resumed["model"][k], expected[k]) for k in expected)

    from semcom.data import get_dataset
    from semcom.models.jscc import JSCCAutoencoder, JSCCConfig
    from semcom.training import loop
    from semcom.training.checkpoint import CheckpointError
    from semcom.training.tasks import JSCCTask

    config = loop.TrainConfig(steps=STEPS, batch_size=2, crop_size=32, checkpoint_every=1, validate_every=1000,
                              validation_images=2, validation_crop=32, bf16=False, lr=1e-3)
    photos = get_dataset("samples", limit=4)
    task = JSCCTask(JSCCAutoencoder(JSCCConfig(arch="deepjscc", channels=2, width=8)))
    with pytest.raises(CheckpointError, match="made by 2 process"):
        loop.train(task, photos, photos, config, run, progress=False)
