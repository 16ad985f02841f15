"""``semcom zoo list | add``: the shipped weights and their manifest."""

from __future__ import annotations

from pathlib import Path

import typer

from semcom.cli.app import app
from semcom.zoo import add_to_zoo, load_manifest

zoo_app = typer.Typer(no_args_is_help=True, help="Shipped weights (manifest, sha256, provenance).")
app.add_typer(zoo_app, name="zoo")


@zoo_app.command("list")
def list_weights() -> None:
    """List shipped weights with their scheme, rho, steps and validation metrics."""
    entries = load_manifest()
    if not entries:
        typer.echo("no weights shipped yet")
    for name, entry in sorted(entries.items()):
        typer.echo(f"{name:32s} {entry.get('scheme')} rho={entry.get('rho')} steps={entry.get('steps')} "
                   f"{entry.get('validation')}")


@zoo_app.command("add")
def add(
    folder: Path = typer.Argument(..., help="A folder written by `semcom train ...` (OUT/final)."),
    name: str = typer.Option(..., "--name", help="Manifest name, one segment of [a-z0-9._-], e.g. "
                                                 "deepjscc-snr10-rho1_12."),
    force: bool = typer.Option(False, help="Replace an entry of the same name."),
) -> None:
    """Copy trained weights into the package and record them in manifest.json."""
    entry = add_to_zoo(folder, name, force=force)
    typer.echo(f"added {name}: {entry['bytes'] / 2**20:.2f} MiB, sha256 {entry['sha256'][:16]}…")
