"""``semcom zoo list | add | fetch``: the weights zoo (package, user and plugin manifests) and the cache."""

from __future__ import annotations

from pathlib import Path

import typer

from semcom.cli.app import app
from semcom.errors import SemcomError
from semcom.zoo import add_to_zoo, load_manifest
from semcom.zoo.registry import locate, where

zoo_app = typer.Typer(no_args_is_help=True, help="Weights by name (manifest, sha256, provenance, download cache).")
app.add_typer(zoo_app, name="zoo")


@zoo_app.command("list")
def list_weights() -> None:
    """List the zoo's weights: where each lives (package, user, plugin, cache, or remote: downloaded on first
    use), scheme, rho, steps and validation metrics."""
    entries = load_manifest()
    if not entries:
        typer.echo("no weights in the zoo yet")
    for name, entry in sorted(entries.items()):
        typer.echo(f"{name:44s} {where(entry):7s} {entry.get('scheme')} rho={entry.get('rho')} "
                   f"steps={entry.get('steps')} {_validation(entry.get('validation'))}")


@zoo_app.command("add")
def add(
    folder: Path = typer.Argument(..., help="A folder written by `semcom train ...` (OUT/final)."),
    name: str = typer.Option(..., "--name", help="Manifest name: one path segment of lower-case letters, digits, "
                                                 "'.', '_' and '-', e.g. deepjscc-snr10-rho1_12."),
    zoo: Path = typer.Option(None, "--zoo", help="Zoo folder to write to (default: the user zoo, $SEMCOM_ZOO, "
                                                 "else $XDG_DATA_HOME/semcom/zoo, else ~/.local/share/semcom/zoo); "
                                                 "maintainers ship weights with --zoo src/semcom/zoo."),
    force: bool = typer.Option(False, help="Replace an entry of the same name (also one shipped with semcom)."),
) -> None:
    """Copy trained weights into a zoo folder (the user zoo unless --zoo) and record them in its manifest.json;
    they load by name afterwards (e.g. deepjscc:weights=NAME). Never writes into the installed package."""
    entry = add_to_zoo(folder, name, zoo_dir=zoo, force=force)
    typer.echo(f"added {name}: {entry['bytes'] / 2**20:.2f} MiB, sha256 {entry['sha256'][:16]}…")


@zoo_app.command("fetch")
def fetch(
    names: list[str] = typer.Argument(None, metavar="NAME", help="Zoo names (see `semcom zoo list`)."),
    all_: bool = typer.Option(False, "--all", help="Every entry whose files are not on this machine yet."),
) -> None:
    """Download weights into the user cache ($SEMCOM_CACHE, else $XDG_CACHE_HOME/semcom, else ~/.cache/semcom),
    sha256-checked, so that they load offline later; weights already here are left as they are. Prints each
    name, where it is (package, user, plugin or cache) and its folder."""
    entries = load_manifest()
    if bool(names) == all_:
        raise SemcomError("give zoo names or --all (not both)")
    unknown = [n for n in names or [] if n not in entries]
    if unknown:
        raise SemcomError(f"no weights named {', '.join(map(repr, unknown))} in the zoo (see `semcom zoo list`)")
    for name in sorted(entries) if all_ else names:
        folder = locate(entries[name])
        typer.echo(f"{name}: {where(entries[name])} {folder}")


def _validation(values) -> str:
    """``psnr@0dB=24.18 psnr@14dB=29.89``: the final validation metrics, 4 significant digits."""
    if not isinstance(values, dict):
        return ""
    return " ".join(f"{k}={v:.4g}" if isinstance(v, (int, float)) else f"{k}={v}" for k, v in values.items())
