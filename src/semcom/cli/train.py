"""``semcom train NAME``: one command per registered trainer (:mod:`semcom.training.registry`), made from the
trainer's options dataclass alone, so that adding a trainer (built in or from a plugin) adds no CLI code."""

from __future__ import annotations

import inspect
import shlex
from dataclasses import MISSING
from pathlib import Path
from typing import Optional

import click
import typer
from typer.core import TyperGroup

from semcom.cli.app import app
from semcom.training.options import OptionError, OptionField, option_fields, options_from
from semcom.training.registry import Trainer, trainers

OUT_HELP = "Run folder: checkpoint.pt, log.csv, final/."
RESERVED = {"ctx", "out", "help"}  # parameter names the generated command uses itself


class TrainerGroup(TyperGroup):
    """The ``train`` group. Its commands are the registered trainers at the time the CLI is built (a trainer
    registered later, e.g. by a test, appears in the next ``typer.main.get_command(app)``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, trainer in trainers().items():
            if name not in self.commands:
                self.add_command(trainer_command(name, trainer), name)


train_app = typer.Typer(cls=TrainerGroup, no_args_is_help=True,
                        help="Train a learned scheme (checkpoints atomically, resumes).")
app.add_typer(train_app, name="train")


def trainer_command(name: str, trainer: Trainer) -> click.Command:
    """The ``semcom train NAME`` command of ``trainer``: ``--out/-o`` plus one flag per option field."""
    fields = option_fields(trainer.options)
    clash = RESERVED & {f.name for f in fields}
    if clash:
        raise ValueError(f"trainer {name!r}: option names {sorted(clash)} are taken by the command itself")

    def command(ctx: typer.Context, out: Path, **values) -> None:
        try:
            options = options_from(trainer.options, values)
            trainer.run(options, out, invocation(ctx))
        except OptionError as exc:
            raise typer.BadParameter(exc.message, param_hint=exc.flag) from None

    out_option = typer.Option(..., "--out", "-o", help=getattr(trainer, "out_help", OUT_HELP))
    parameters = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context),
                  inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=out_option, annotation=Path)]
    parameters += [_parameter(f) for f in fields]
    command.__signature__ = inspect.Signature(parameters)
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__doc__ = getattr(trainer, "help", None) or inspect.getdoc(trainer)
    single = typer.Typer(add_completion=False)
    single.command(name)(command)
    return typer.main.get_command(single)


def _parameter(field: OptionField) -> inspect.Parameter:
    """A typer option for ``field``; a tuple is written as text ``"1,2,3"`` (parsed by ``options_from``)."""
    kind = str if field.is_tuple else field.type
    default = field.default
    if field.is_tuple and default not in (MISSING, None):
        default = ",".join(str(v) for v in default)
    option = typer.Option(... if default is MISSING else default, help=field.help, min=field.min)
    return inspect.Parameter(field.name, inspect.Parameter.KEYWORD_ONLY, default=option,
                             annotation=Optional[kind] if field.optional else kind)


def invocation(ctx: click.Context) -> str:
    """The command line that reproduces this run, rebuilt from the parsed options (not from sys.argv)."""
    parts = [ctx.command_path]
    for key, value in ctx.params.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            parts.append(flag if value else "--no-" + key.replace("_", "-"))
        elif value is not None:
            parts += [flag, shlex.quote(str(value))]
    return " ".join(parts)
