"""Atomic checkpoints: round trip, refusal of foreign or corrupt files, no pickled code."""

import pickle

import pytest
import torch

from semcom.training import CheckpointError, load_checkpoint, save_checkpoint


def test_round_trip_with_optimizer_and_generator_state(tmp_path):
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters())
    model(torch.ones(1, 3)).sum().backward()
    opt.step()
    g = torch.Generator().manual_seed(5)
    state = {"step": 7, "config": {"lr": 1e-3}, "model": model.state_dict(), "optimizer": opt.state_dict(),
             "generator": g.get_state()}
    path = save_checkpoint(tmp_path / "ckpt.pt", state)
    back = load_checkpoint(path, expect={"config": {"lr": 1e-3}})
    assert back["step"] == 7 and torch.equal(back["model"]["weight"], model.weight)
    restored = torch.Generator()
    restored.set_state(back["generator"])
    assert torch.equal(torch.rand(3, generator=restored), torch.rand(3, generator=g))
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.pt"]  # no temporary files left behind


def test_bad_checkpoints_are_refused(tmp_path):
    path = save_checkpoint(tmp_path / "a.pt", {"config": {"lr": 1.0}})
    with pytest.raises(CheckpointError, match="'config' differs"):
        load_checkpoint(path, expect={"config": {"lr": 2.0}})
    truncated = tmp_path / "t.pt"
    truncated.write_bytes(path.read_bytes()[:20])
    with pytest.raises(CheckpointError, match="not a readable"):
        load_checkpoint(truncated)

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"x": Evil()}))
    with pytest.raises(CheckpointError):
        load_checkpoint(evil)
    with pytest.raises(CheckpointError, match="no such"):
        load_checkpoint(tmp_path / "missing.pt")
