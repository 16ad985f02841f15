"""``semcom demo`` and ``semcom reproduce``: studies run into a self-contained report folder."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from semcom.cli.app import app
from semcom.errors import SemcomError
from semcom.report import build_report
from semcom.report import protocols


@app.command()
def demo(
    out: Path = typer.Option(Path("semcom-demo"), "--out", "-o", help="Report folder."),
    quick: bool = typer.Option(False, help="One photo, three SNRs, AWGN only (about two minutes)."),
    seed: int = typer.Option(0, help="Sweep seed."),
) -> None:
    """Every shipped scheme over scikit-image's sample photos; writes report.html, report.md, the CSVs and plots.

    Needs no data directory and no network. Re-running resumes from the CSVs in the report folder.
    """
    plan = protocols.demo(quick)
    page = build_report(plan.title, plan.studies, out, dataset="samples", seed=seed, grid=plan.grid,
                        command=f"semcom demo{' --quick' if quick else ''} --out {out} --seed {seed}")
    typer.echo(f"report written to {page} (open it in a browser; report.md, CSVs and figures beside it)")


@app.command()
def reproduce(
    paper: str = typer.Argument(..., help="paper-a | paper-b"),
    data: Optional[str] = typer.Option(None, "--data", help="Data root holding kodak/ (else $SEMCOM_DATA)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Report folder (default: reproduce-PAPER)."),
    limit: Optional[int] = typer.Option(None, help="Use only the first N Kodak images (default: all 24)."),
    seed: int = typer.Option(0, help="Sweep seed."),
) -> None:
    """Run the evaluation protocol (DESIGN.md §4) for a paper's figures on Kodak and write a report.

    Resumable: rows already in the report folder's CSVs are not recomputed, so a killed run picks up where it
    stopped when given the same command.
    """
    if paper not in protocols.PAPERS:
        raise SemcomError(f"unknown paper {paper!r}; choose one of {', '.join(protocols.PAPERS)}")
    plan = protocols.PAPERS[paper](limit)
    out = out or Path(f"reproduce-{paper}")
    command = f"semcom reproduce {paper} --data {data} --out {out} --seed {seed}" + (
        f" --limit {limit}" if limit else "")
    page = build_report(plan.title, plan.studies, out, dataset="kodak", data_dir=data, seed=seed, grid=plan.grid,
                        command=command)
    typer.echo(f"report written to {page}")
