"""Run by tests/test_training_distributed.py under ``torchrun --nproc_per_node 2`` (gloo on the CPU).

Trains a tiny DeepJSCC with :func:`semcom.training.loop.train` and records, per rank and outside the run's
folder, a fingerprint of every batch and of the weights each step starts from, and every file write the loop
makes. Usage: python -m torch.distributed.run --nproc_per_node 2 tests/distributed_train_script.py OUT RECORD STEPS
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import torch

import semcom.training.loop as loop
from semcom.data import get_dataset
from semcom.models.jscc import JSCCAutoencoder, JSCCConfig
from semcom.training.tasks import JSCCTask

out, record, steps = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
rank = int(os.environ.get("RANK", "0"))
record.mkdir(parents=True, exist_ok=True)
log = (record / f"rank{rank}.jsonl").open("a")


def fingerprint(tensors) -> str:
    digest = hashlib.sha256()
    for t in tensors:
        digest.update(t.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def note(**fields) -> None:
    log.write(json.dumps({"rank": rank, **fields}) + "\n")
    log.flush()


class RecordingTask(JSCCTask):
    def loss(self, images, snr_db, generator, step=0):
        note(step=step, batch=fingerprint([images, snr_db]), weights=fingerprint(self.model.state_dict().values()))
        return super().loss(images, snr_db, generator, step)


def recorded(name, fn):
    def wrapper(*args, **kwargs):
        note(write=name)
        return fn(*args, **kwargs)
    return wrapper


loop.save_checkpoint = recorded("checkpoint", loop.save_checkpoint)
loop.CSVLog.append = recorded("log", loop.CSVLog.append)
loop.CSVLog.truncate_after = recorded("log", loop.CSVLog.truncate_after)

torch.manual_seed(rank)  # different initial weights per rank: training must start from rank 0's
model = JSCCAutoencoder(JSCCConfig(arch="deepjscc", channels=2, width=8))
photos = get_dataset("samples", limit=4)
config = loop.TrainConfig(steps=steps, batch_size=2, crop_size=32, checkpoint_every=1, validate_every=1000,
                          validation_images=2, validation_crop=32, bf16=False, lr=1e-3)
result = loop.train(RecordingTask(model), photos, photos, config, out, progress=False)
note(done=result.steps, world=result.world_size, global_batch=result.global_batch_size,
     final=fingerprint(model.state_dict().values()))
