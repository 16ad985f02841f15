"""The ``semcom`` command line. User errors print one line and exit with code 2."""

from __future__ import annotations

import sys

import click
import typer

from semcom.errors import SemcomError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},  # inherited by every subcommand
    help="Semantic communication of images over noisy channels: evaluate schemes, run the demo.",
)


def _print_version(value: bool) -> None:
    if value:
        from semcom import __version__

        typer.echo(f"semcom {__version__}")
        raise typer.Exit()


@app.callback(context_settings={"help_option_names": ["-h", "--help"]})
def _root(version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                       help="Print semcom's version and exit.")) -> None:
    """Semantic communication of images over noisy channels: evaluate schemes, run the demo."""


def _plain_flags(command, parent=None) -> None:
    """Drop the ``<bool>`` type column of on/off flags (and of -h/--help) from the help of ``command`` and its
    subcommands: a flag takes no value, so naming a type misleads. The context made here is the one help
    would get (settings inherited from the parent), since the help option is made once from it."""
    ctx = command.context_class(command, parent=parent, **(command.context_settings or {}))
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False):
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        _plain_flags(sub, ctx)


# typer >= 0.2x runs on its own vendored copy of click, whose exceptions are not click's; catch both kinds.
CLICK_ERRORS = tuple({click.ClickException} | {c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"})
ABORTS = tuple({click.exceptions.Abort, typer.Abort, KeyboardInterrupt})


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns (and exits with) the process exit code."""
    from semcom.cli import commands, demo, train, zoo  # noqa: F401  (they register their commands on ``app``)

    command = typer.main.get_command(app)
    _plain_flags(command)
    try:
        code = command.main(args=argv, prog_name="semcom", standalone_mode=False)
    except SemcomError as exc:
        print(f"semcom: error: {exc}", file=sys.stderr)
        code = 2
    except OSError as exc:  # disk full, permission denied, ...: not a bug in the input, but no traceback either
        print(f"semcom: error: {exc}", file=sys.stderr)
        code = 1
    except CLICK_ERRORS as exc:
        # one line, like every other usage error, naming where the help is
        context = getattr(exc, "ctx", None)
        where = f" (see {context.command_path} --help)" if context is not None else ""
        print(f"semcom: error: {exc.format_message()}{where}", file=sys.stderr)
        code = exc.exit_code
    except ABORTS:
        print("semcom: interrupted", file=sys.stderr)
        code = 130
    code = code if isinstance(code, int) else 0
    if argv is None:
        sys.exit(code)
    return code
