"""``semcom demo`` and ``semcom reproduce``: studies run into a self-contained report folder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import torch
import typer

from semcom.cli.app import app
from semcom.cli.commands import PRECISION_HELP, REALIZATIONS_HELP, check_precision
from semcom.device import DEVICE_HELP, resolve_device
from semcom.errors import SemcomError
from semcom.evaluation.sweep import FADING_REALIZATIONS
from semcom.report import build_report
from semcom.report import protocols
from semcom.report.estimate import Costs, describe, grid_seconds, minutes, plan_study
from semcom.zoo.catalog import ensure_taef2


def runtime_flags(device: torch.device, precision: str) -> str:
    """The --device/--precision part of the command a report records (empty for the CPU at fp32)."""
    return (f" --device {device}" if device.type != "cpu" else "") + (
        f" --precision {precision}" if precision != "fp32" else "")


def announce(plan: protocols.Protocol, out: Path, data_dir: Optional[str], seed: int, precision: str) -> None:
    """Print what will run and how long it should take, before anything runs (the rows to run are those of
    the learned schemes at ``precision``, as :func:`semcom.report.build_report` will run them)."""
    plan = protocols.at_precision(plan, precision)
    costs = Costs.load()
    plans = [plan_study(study, out, plan.dataset, data_dir, seed, costs) for study in plan.studies]
    grid = grid_seconds(plan.grid, costs, plan.dataset, data_dir)
    typer.echo(f"{plan.title}\n{describe(plans, grid, costs, torch.get_num_threads())}")


DEMO_MARK = ".semcom-demo"  # in a demo's report folder: which demo size wrote it


def claim_demo_folder(out: Path, size: str) -> None:
    """Refuse a folder that holds another demo size's report (its rows, figures and tables would mix with
    this one's); mark a new or matching one as this size's."""
    mark = out / DEMO_MARK
    if mark.is_file() and mark.read_text().strip() != size:
        other = mark.read_text().strip()
        flag = {"quick": "--quick", "full": "--full"}.get(other, "no size flag")
        raise SemcomError(f"{out} holds the report of `semcom demo` with {flag}; give this run its own "
                          "--out (or remove that folder)")
    out.mkdir(parents=True, exist_ok=True)
    mark.write_text(size + "\n")


@app.command()
def demo(
    out: Optional[Path] = typer.Option(None, "--out", "-o", show_default=False,
                                       help="Report folder (default: semcom-demo, semcom-demo-quick with --quick, "
                                            "semcom-demo-full with --full)."),
    quick: bool = typer.Option(False, help="One photo, two SNRs: a smoke test (well under a minute of sweeps)."),
    full: bool = typer.Option(False, help="Every shipped scheme at every rho, 8 SNRs, 3 full-size photos "
                                          "(tens of minutes on two cores)."),
    seed: int = typer.Option(0, help="Sweep seed."),
    device: str = typer.Option("auto", help=DEVICE_HELP),
    precision: str = typer.Option("fp32", help=PRECISION_HELP),
    realizations: Optional[int] = typer.Option(
        None, min=1, show_default=False, help="Channel draws per image and operating point on every channel "
        f"(default: 1 over AWGN; over Rayleigh {protocols.DEMO_FADING_REALIZATIONS['default']}, "
        f"{protocols.DEMO_FADING_REALIZATIONS['quick']} with --quick, {protocols.DEMO_FADING_REALIZATIONS['full']} "
        "with --full)."),
) -> None:
    """One scheme of each family (Latent-Diff DNSC with and without its de-noiser, bandwidth-diff, ADJSCC,
    DeepJSCC, JPEG at capacity) at rho 1/48 over AWGN and Rayleigh fading, on 192x192 crops of scikit-image's
    sample photos, plus the de-noising step sweep; writes report.html, report.md, the CSVs and plots.

    Needs no data directory. TAEF2 (the latent codec of the TAEF2 schemes) is downloaded once into the user
    cache; offline, those schemes are left out with a line that says how to install TAEF2 by hand. Prints the
    plan and a time estimate first; re-running resumes from the CSVs in the report folder.
    """
    if quick and full:
        raise SemcomError("choose at most one of --quick and --full")
    size = "quick" if quick else "full" if full else "default"
    out = out or Path({"quick": "semcom-demo-quick", "full": "semcom-demo-full", "default": "semcom-demo"}[size])
    claim_demo_folder(out, size)
    where, precision = resolve_device(device), check_precision(precision)
    missing = ensure_taef2(progress=True)
    if missing:
        typer.echo(f"TAEF2 schemes left out: {missing}", err=True)
    plan = protocols.with_realizations(protocols.demo(size, missing), realizations)
    announce(plan, out, None, seed, precision)
    flag = {"quick": " --quick", "full": " --full", "default": ""}[size] + (
        f" --realizations {realizations}" if realizations else "")
    start = time.perf_counter()
    page = build_report(plan.title, plan.studies, out, dataset=plan.dataset, seed=seed, grid=plan.grid,
                        command=f"semcom demo{flag} --out {out} --seed {seed}{runtime_flags(where, precision)}",
                        device=where, precision=precision)
    typer.echo(f"report written to {page} in {minutes(time.perf_counter() - start)} (open it in a browser; "
               "report.md, CSVs and figures beside it)")


@app.command()
def reproduce(
    paper: str = typer.Argument(..., help="paper-a | paper-b"),
    data: Optional[str] = typer.Option(None, "--data", help="Data root holding kodak/ (else $SEMCOM_DATA)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Report folder (default: reproduce-PAPER)."),
    limit: Optional[int] = typer.Option(None, help="Use only the first N Kodak images (default: all 24)."),
    seed: int = typer.Option(0, help="Sweep seed."),
    device: str = typer.Option("auto", help=DEVICE_HELP),
    precision: str = typer.Option("fp32", help=PRECISION_HELP),
    realizations: Optional[int] = typer.Option(None, min=1, help=REALIZATIONS_HELP, show_default=False),
    fading_realizations: Optional[int] = typer.Option(
        None, min=1, show_default=False, help=f"Channel draws per image and operating point over fading channels "
        f"only (default {FADING_REALIZATIONS}; AWGN keeps 1). Draws are seeded one by one, so a run with fewer "
        "is a prefix of one with more: rerunning with a larger number (or none) adds the missing draws."),
    report_only: bool = typer.Option(False, "--report-only", help="Compute no row: write the report from the rows "
                                     "the folder's CSVs hold so far (each table gives its image count)."),
) -> None:
    """Run the evaluation protocol (DESIGN.md §4) for a paper's figures on Kodak and write a report.

    Resumable: rows already in the report folder's CSVs are not recomputed, so a killed run picks up where it
    stopped when given the same command. The smallest studies run first. --report-only shows a long run's
    progress: it reads whole rows only, so it may run beside the run itself.
    """
    if paper not in protocols.PAPERS:
        raise SemcomError(f"unknown paper {paper!r}; choose one of {', '.join(protocols.PAPERS)}")
    if limit is not None and limit < 1:
        raise SemcomError(f"--limit must be a positive number of images, got {limit}")
    if realizations is not None and fading_realizations is not None:
        raise SemcomError("give at most one of --realizations (every channel) and --fading-realizations "
                          "(fading channels only)")
    where, precision = resolve_device(device), check_precision(precision)
    missing = ensure_taef2(progress=True)
    if missing:
        typer.echo(f"TAEF2 schemes left out: {missing}", err=True)
    plan = protocols.with_realizations(protocols.PAPERS[paper](limit), realizations, fading_realizations)
    out = out or Path(f"reproduce-{paper}")
    command = f"semcom reproduce {paper} --data {data} --out {out} --seed {seed}" + (
        f" --limit {limit}" if limit else "") + (
        f" --realizations {realizations}" if realizations else "") + (
        f" --fading-realizations {fading_realizations}" if fading_realizations else "") + (
        runtime_flags(where, precision))
    if not report_only:
        announce(plan, out, data, seed, precision)
    page = build_report(plan.title, plan.studies, out, dataset="kodak", data_dir=data, seed=seed, grid=plan.grid,
                        command=command, device=where, precision=precision, compute=not report_only)
    typer.echo(f"report written to {page}")
