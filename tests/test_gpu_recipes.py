"""The GPU recipes (scripts/gpu_recipes.json): every recipe's arguments are accepted by its `semcom train`
command, and train_gpu_zoo.sh runs each recipe's command, with --device, into its own folder."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from gpu_recipes import recipe_args, recipes  # noqa: E402

import semcom.cli.train  # noqa: E402,F401  (adds ``semcom train`` to ``app`` when imported)
from semcom.cli.app import app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(recipes()))
def test_every_recipe_parses_with_its_train_command(name, tmp_path):
    args = recipe_args(name, str(tmp_path / "photos"), "taef2")
    group = typer.main.get_command(app)
    with group.make_context("semcom", ["train"]) as ctx:
        train = group.get_command(ctx, "train")
        command = train.get_command(ctx, args[0])
        assert command is not None, args[0]
        parsed = command.make_context(args[0], [*args[1:], "--out", str(tmp_path / "run")]).params
    options = recipes()[name]["options"]
    assert parsed["steps"] == recipes()[name]["steps"] and parsed["batch_size"] == options["batch-size"]
    assert parsed["dataset"] == str(tmp_path / "photos") and parsed["log_every"] == options["log-every"]
    assert parsed.get("bf16") is options.get("bf16", False)


def test_the_zoo_script_runs_every_recipe_into_its_folder(tmp_path):
    fake = tmp_path / "bin" / "semcom"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> {tmp_path / 'calls'}\n")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}"}
    run = subprocess.run(["bash", str(ROOT / "scripts" / "train_gpu_zoo.sh"), "/data/div2k", str(tmp_path / "runs")],
                         capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert len(calls) == len(recipes())
    for line, name in zip(calls, recipes()):
        assert line.startswith(f"train {recipes()[name]['command']} ") and line.endswith(
            f"--out {tmp_path / 'runs' / name} --device cuda"), line
        assert "--dataset /data/div2k" in line
    denoiser = next(c for c in calls if c.startswith("train latent-diff-denoiser"))
    assert f"--codec {tmp_path / 'runs' / 'latent-diff-vae-f8c4-rho1_96' / 'final'}" in denoiser


def test_an_unknown_recipe_is_one_line(tmp_path):
    run = subprocess.run(["bash", str(ROOT / "scripts" / "train_gpu_zoo.sh"), "/d", str(tmp_path), "nope"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "no recipe 'nope'" in run.stderr
