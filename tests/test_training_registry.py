"""The trainer registry and the ``semcom train`` commands made from trainers' options dataclasses: a trainer
registered here gets a working command with no CLI code, and every built-in command keeps the flags it had
before the commands were generated (the sets below were read from the hand-written commands they replace)."""

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest
import typer

from semcom.cli.app import app, main
from semcom.training.options import OptionError, TrainingOptions, option, option_fields, options_from
from semcom.training.registry import get_trainer, register_trainer, trainers, unregister_trainer


@dataclass(frozen=True)
class ToyModelConfig:
    width: int = option(4, "Hidden channels of the toy.")
    widths: tuple[int, ...] = option((1, 2), "Channels per level of the toy.")
    gate: Optional[float] = option(None, "Initial gate of the toy.")


@dataclass(frozen=True, kw_only=True)
class ToyOptions:
    rate: float = option(help="Rate of the toy, at least 0.")
    verbose: bool = option(False, "Talk while training the toy.")
    model: ToyModelConfig = field(default_factory=lambda: ToyModelConfig(width=6))


class ToyTrainer:
    """Train the toy model; resumes from nothing."""

    options = ToyOptions

    def __init__(self):
        self.runs = []

    def run(self, options: ToyOptions, out: Path, command: str) -> None:
        if options.rate < 0:
            raise OptionError("--rate", "must be at least 0")
        self.runs.append((options, out, command))


@pytest.fixture
def toy():
    register_trainer("toy")(ToyTrainer)
    yield get_trainer("toy")
    unregister_trainer("toy")


def train_command(name: str):
    group = typer.main.get_command(app)
    with group.make_context("semcom", ["train"]) as ctx:
        return group.get_command(ctx, "train").get_command(ctx, name)


def flags(command) -> set[str]:
    return {flag for param in command.params for flag in [*param.opts, *param.secondary_opts]}


def test_a_registered_trainer_gets_its_command_from_its_dataclass(toy, capsys):
    assert main(["train", "toy", "--help"]) == 0
    shown = capsys.readouterr().out
    assert "Train the toy model" in shown and "Hidden channels of the toy." in shown
    for flag in ("--out", "--rate", "--verbose", "--no-verbose", "--width", "--widths", "--gate"):
        assert flag in shown, flag
    command = train_command("toy")
    assert flags(command) == {"--out", "-o", "--rate", "--verbose", "--no-verbose", "--width", "--widths", "--gate"}
    defaults = {p.name: p.default for p in command.params}
    assert defaults["width"] == 6 and defaults["widths"] == "1,2"  # the nested dataclass's default instance


def test_a_registered_trainer_runs_with_parsed_options_and_records_a_reproducing_command(toy, tmp_path):
    argv = ["train", "toy", "--out", str(tmp_path / "run"), "--rate", "0.5", "--widths", "3,4,5", "--verbose"]
    assert main(argv) == 0
    options, out, command = toy.runs[-1]
    assert options == ToyOptions(rate=0.5, verbose=True, model=ToyModelConfig(width=6, widths=(3, 4, 5)))
    assert out == tmp_path / "run"
    assert command.startswith("semcom train toy ")
    assert main(shlex.split(command)[1:]) == 0  # the recorded command is one that reproduces the run
    assert toy.runs[-1][0] == options


@pytest.mark.parametrize("args, flag", [([], "--rate"), (["--rate", "-1"], "--rate"),
                                        (["--rate", "1", "--widths", "3,x"], "--widths"),
                                        (["--rate", "x"], "--rate")])
def test_bad_toy_options_are_one_line_exit_2(toy, tmp_path, capsys, args, flag):
    assert main(["train", "toy", "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("semcom: error:") and flag in err, err
    assert not toy.runs


def test_a_list_option_that_is_not_a_list_is_one_line(tmp_path, capsys):
    assert main(["train", "latent-diff-vae", "--out", str(tmp_path / "run"), "--widths", "32,x"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--widths" in err and not (tmp_path / "run").exists()


def test_options_that_no_flag_can_hold_are_refused_at_registration():
    @dataclass(frozen=True)
    class Listy:
        values: list = option(None, "A list.")

    @dataclass(frozen=True, kw_only=True)
    class Twice:
        steps: int = option(1, "Steps.")
        run: TrainingOptions = field(default_factory=TrainingOptions)  # has --steps too

    class Bad:
        def run(self, options, out, command):
            pass

    for options, error in ((Listy, TypeError), (Twice, ValueError)):
        Bad.options = options
        with pytest.raises(error):
            register_trainer("bad")(Bad)
    assert "bad" not in trainers()


def test_options_from_builds_nested_options_and_keeps_defaults():
    options = options_from(ToyOptions, {"rate": 2.0, "gate": 0.5})
    assert options == ToyOptions(rate=2.0, model=ToyModelConfig(width=6, gate=0.5))
    assert [f.name for f in option_fields(ToyOptions)] == ["rate", "verbose", "width", "widths", "gate"]


COMMON = {"--out", "-o", "--steps", "--batch-size", "--crop", "--lr", "--data", "--dataset", "--seed", "--init-seed",
          "--checkpoint-every", "--validate-every", "--bf16", "--no-bf16", "--compile", "--no-compile", "--device",
          "--workers", "--log-every"}
JSCC = COMMON | {"--channels", "--width", "--snr-db", "--init-from", "--loss", "--warmup", "--af-gate-bias"}
FLAGS_BEFORE = {
    "deepjscc": JSCC,
    "adjscc": JSCC,
    "latent-diff-vae": COMMON | {"--latent-channels", "--widths", "--adv-weight", "--kl-weight", "--adv-start",
                                 "--limit", "--init-from"},
    "latent-diff-denoiser": COMMON | {"--codec", "--widths", "--attention-levels", "--val-snr-db", "--limit",
                                      "--latent-cache", "--init-from"},
    "bandwidth-diff": COMMON | {"--channels", "--codec", "--width", "--blocks", "--kl-weight", "--guidance-weight",
                                "--reparameterize", "--no-reparameterize", "--snr-db", "--limit", "--latent-cache"},
    "latent-projection": {"--out", "-o", "--channels", "--codec", "--data", "--limit", "--val-images",
                          "--latent-cache"},
}
REQUIRED_BEFORE = {"bandwidth-diff": {"--out", "--channels"}, "latent-projection": {"--out", "--channels"}}


@pytest.mark.parametrize("name", list(FLAGS_BEFORE))
def test_every_train_command_keeps_its_flags(name):
    command = train_command(name)
    assert flags(command) == FLAGS_BEFORE[name]
    required = {p.opts[0] for p in command.params if p.required}
    assert required == REQUIRED_BEFORE.get(name, {"--out"})
    run = subprocess.run([sys.executable, "-m", "semcom", "train", name, "--help"], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "250"}, timeout=120)
    assert run.returncode == 0, run.stderr
    shown = set(re.findall(r"(?<![\w-])--?[a-z][a-z0-9-]*", run.stdout))
    assert shown == FLAGS_BEFORE[name] | {"--help", "-h"}


def test_built_in_trainers_are_listed_in_their_help_order():
    assert list(trainers())[:6] == ["deepjscc", "adjscc", "latent-diff-vae", "latent-diff-denoiser",
                                    "latent-projection", "bandwidth-diff"]


def test_the_commands_recorded_in_the_zoo_parse():
    from semcom.zoo import ZOO_DIR, load_manifest

    recorded = [e["command"] for e in load_manifest(ZOO_DIR).values() if e["command"].startswith("semcom train ")]
    assert len(recorded) >= 6
    for line in recorded:
        _, _, name, *args = shlex.split(line)
        assert train_command(name).make_context(name, args).params["out"], line
