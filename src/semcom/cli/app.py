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
    help="Semantic communication of images over noisy channels: evaluate schemes, run the demo.",
)


# typer >= 0.2x runs on its own vendored copy of click, whose exceptions are not click's; catch both kinds.
CLICK_ERRORS = tuple({click.ClickException} | {c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"})
ABORTS = tuple({click.exceptions.Abort, typer.Abort, KeyboardInterrupt})


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns (and exits with) the process exit code."""
    from semcom.cli import commands, demo, train, train_bandwidth, train_latent, zoo  # noqa: F401  (they register their commands on ``app``)

    command = typer.main.get_command(app)
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
