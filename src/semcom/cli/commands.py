"""``semcom evaluate | transmit | schemes | summary``."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import List, Optional

import typer

from semcom.channels import bandwidth_ratio, parse_channel, source_size, validate_snr_db
from semcom.cli.app import app
from semcom.cli.tables import print_outage, print_per_image, print_summary
from semcom.data import describe_conversion, load_image, save_image
from semcom.device import DEVICE_HELP, resolve_device
from semcom.data.images import MAX_PIXELS
from semcom.errors import ImageLoadError, SemcomError
from semcom.evaluation import ResultsFile, SweepConfig, load_results, parse_snr_grid, run_sweep, summarize
from semcom.evaluation.markdown import counts_note, markdown_table, nominal_rho, outage_markdown
from semcom.evaluation.plots import PLOT_KINDS, plot_results
from semcom.evaluation.shard import Shard
from semcom.evaluation.sweep import FADING_REALIZATIONS
from semcom.metrics import compute_metrics, list_metrics
from semcom.schemes import canonical_spec, canonical_text, create_scheme, list_schemes, scheme_class
from semcom.schemes.base import PRECISIONS

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
REALIZATIONS_HELP = ("Channel draws per image and operating point, each its own seeded row (default: 1 over AWGN, "
                     f"{FADING_REALIZATIONS} over fading channels).")
PRECISION_HELP = ("fp32 | bf16: bf16 autocast for the networks of learned schemes (their specs then say "
                  "precision=bf16); schemes without learned parts are unaffected.")


def check_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise SemcomError(f"--precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    return precision


@app.command()
def evaluate(
    scheme: List[str] = typer.Option(..., "--scheme", "-s", help="Scheme spec (repeatable), e.g. identity-analog:receiver=lmmse."),
    dataset: str = typer.Option("kodak", help="Registered dataset name or an image directory."),
    data: Optional[str] = typer.Option(None, "--data", help="Data root holding kodak/, bsds500/, cifar10-jpg/ (else $SEMCOM_DATA)."),
    snr_db: str = typer.Option("-5:30:5", "--snr-db", help="SNR grid in dB: start:stop:step (stop included: -5:30:5 is -5, 0, ..., 30), a list 0,10,20, or one value."),
    channel: List[str] = typer.Option(["awgn"], "--channel", "-c", help="Channel spec (repeatable): awgn, rayleigh:csi=ls,eq=zf, ofdm:model=tdl-a,csi=ls or mimo:nt=2,nr=2 (the last two need semcom[phy]; DESIGN.md §2)."),
    out: Path = typer.Option(Path("results.csv"), "--out", "-o", help="Results file (.csv or .jsonl); appended to and resumed."),
    seed: int = typer.Option(0, help="Sweep seed; each row's random source derives from it."),
    limit: Optional[int] = typer.Option(None, help="Use only the first N images."),
    metrics: str = typer.Option("psnr,ssim,ms_ssim", help="Comma-separated metrics."),
    device: str = typer.Option("auto", help=DEVICE_HELP),
    precision: str = typer.Option("fp32", help=PRECISION_HELP),
    realizations: Optional[int] = typer.Option(None, min=1, help=REALIZATIONS_HELP, show_default=False),
) -> None:
    """Run schemes × channels × SNR grid over a dataset, one results row per image and channel realization;
    resumable.

    Under `torchrun --nproc_per_node N` or `accelerate launch --num_processes N` the rows are shared out over
    the N processes and merged into OUT by rank 0, giving the same file as one process would."""
    config = SweepConfig(
        schemes=scheme, snr_db=parse_snr_grid(snr_db), channels=channel, dataset=dataset, data_dir=data,
        seed=seed, limit=limit, metrics=[m.strip() for m in metrics.split(",") if m.strip()],
        device=device, precision=check_precision(precision), realizations=realizations,
    )
    results = ResultsFile(out)
    shard = Shard.from_env()  # torchrun / accelerate launch: this process's share; else all of it
    report = run_sweep(config, results, progress=shard.is_main, shard=shard)
    rank = f"rank {shard.rank}/{shard.world_size}: " if shard.world_size > 1 else ""
    typer.echo(f"{rank}{report.written} rows written, {report.skipped} already present → {out}", err=True)
    if not shard.is_main:
        return
    wanted = {canonical_text(s, config.precision) for s in scheme}
    rows = [r for r in results.read() if r.scheme in wanted and config.covers(r)]
    print_summary(summarize(rows, ["psnr", "ssim"]), ["psnr", "ssim"])


def check_output(out: Path, suffixes, protect: Optional[Path] = None) -> None:
    """Refuse, before any work, an output path with an unknown suffix, in a missing or read-only folder, or
    that is the input file ``protect``."""
    if out.suffix.lower() not in suffixes:
        raise SemcomError(f"{out}: unsupported output format; use one of {', '.join(suffixes)}")
    if protect is not None and out.resolve() == Path(protect).resolve():
        raise SemcomError(f"{out}: is the input image; write the reconstruction elsewhere")
    folder = out.resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise SemcomError(f"{out}: folder {out.parent} does not exist or is not writable")


@app.command()
def transmit(
    image: Path = typer.Argument(..., help="Input image (PNG, JPEG, ...)."),
    scheme: str = typer.Option("identity-analog", "--scheme", "-s", help="Scheme spec."),
    snr_db: float = typer.Option(..., "--snr-db", help="Channel SNR in dB (P / sigma², sigma² per complex symbol)."),
    channel: str = typer.Option("awgn", "--channel", "-c", help="awgn, rayleigh, ofdm or mimo, optionally with options (e.g. ofdm:model=tdl-c,csi=ls)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Where to write the reconstruction."),
    seed: int = typer.Option(0, help="Seed of the channel's random source."),
    strict: bool = typer.Option(False, help="Refuse images that need conversion (RGBA, grey, 16-bit, ...)."),
    max_pixels: int = typer.Option(MAX_PIXELS, help="Refuse larger images (checked from the file header)."),
    device: str = typer.Option("auto", help=DEVICE_HELP),
    precision: str = typer.Option("fp32", help=PRECISION_HELP),
) -> None:
    """Send one image through a scheme and print PSNR/SSIM, k, n and rho."""
    validate_snr_db(snr_db)
    spec = parse_channel(channel)
    if out is not None:
        check_output(out, IMAGE_SUFFIXES, protect=image)
    sender = create_scheme(scheme, device=resolve_device(device), precision=check_precision(precision))
    note = describe_conversion(image)
    if note and strict:
        raise ImageLoadError(f"{image}: needs conversion ({note}); refused because of --strict")
    x = load_image(image, max_pixels)[None]
    if note:
        typer.echo(f"note: {image.name}: {note}", err=True)
    sent = sender(x, snr_db, spec, seed=seed)
    recon = sent.reconstruction.cpu()
    scores = compute_metrics(x, recon, ["psnr", "ssim"])
    n = source_size(x.shape)
    if out is not None:
        save_image(recon[0], out)
    typer.echo(
        f"scheme={canonical_spec(sender)} channel={spec.label} snr_db={snr_db:g} "
        f"psnr={float(scores['psnr'][0]):.3f} ssim={float(scores['ssim'][0]):.4f} "
        f"k={sent.channel_uses} n={n} rho={float(bandwidth_ratio(sent.channel_uses, x.shape)):.6g}"
    )


@app.command()
def schemes() -> None:
    """List registered schemes with their options, and the available metrics."""
    import dataclasses

    for name in list_schemes():
        cls = scheme_class(name)
        options = ", ".join(f"{f.name}={f.default}" for f in dataclasses.fields(cls.Config)) or "no options"
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        typer.echo(f"{name:24s} {doc}  [{options}]")
    typer.echo(f"metrics: {', '.join(list_metrics())}")


@app.command()
def summary(
    results: Path = typer.Argument(..., help="Results file written by `semcom evaluate`."),
    metrics: str = typer.Option("psnr,ssim,ms_ssim", help="Comma-separated metrics to show."),
    markdown: Optional[Path] = typer.Option(None, help="Also write paper-style tables (rows = schemes, columns = SNR)."),
    outage_psnr: Optional[str] = typer.Option(
        None, help="PSNR targets in dB, comma-separated: also print P(PSNR < target) per operating point."),
    per_image: bool = typer.Option(False, help="Also print each image's mean over its channel realizations."),
) -> None:
    """Print mean ± 95% CI over images per operating point of a results file.

    Each image's channel realizations are averaged first; the table gives the image and realization counts
    and the channel draws' share of the interval."""
    names = [m.strip() for m in metrics.split(",") if m.strip()]
    targets = parse_targets(outage_psnr) if outage_psnr is not None else []
    rows = summarize(load_results(results), [*names, "outage"])
    print_summary(rows, names)
    if per_image:
        print_per_image(rows, names[0])
    if targets:
        print_outage(rows, targets)
    if markdown is not None:
        rhos = sorted({nominal_rho(row.group["rho"]) for row in rows}, reverse=True)
        tables = []
        for rho in rhos:
            at = [r for r in rows if nominal_rho(r.group["rho"]) == rho]
            tables += [f"### {m}, rho = {rho} (mean over images of each image's mean over its channel draws; "
                       f"{counts_note(at, m)}; outage rate where any)\n\n{markdown_table(at, m)}" for m in names]
            tables += [f"### P(PSNR < {t:g} dB), rho = {rho} (over images × channel draws; {counts_note(at, 'psnr')})"
                       f"\n\n{outage_markdown(at, t)}" for t in targets if "psnr" in names]
        markdown.write_text(f"Source: `{results.name}`\n\n" + "\n".join(tables))


def parse_targets(text: str) -> list[float]:
    """``"20,25"`` → [20.0, 25.0]: finite quality targets (dB), one clear error otherwise."""
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise SemcomError(f"--outage-psnr/--target must be numbers in dB separated by commas, got {text!r}") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise SemcomError(f"--outage-psnr/--target must be finite numbers in dB, got {text!r}")
    return values


@app.command()
def plot(
    results: Path = typer.Argument(..., help="Results file written by `semcom evaluate`."),
    out: Path = typer.Option(..., "--out", "-o", help="Figure path (.png, .pdf or .svg); one file per rho gets "
                                                     "a _rho1_12-style suffix when the file holds several."),
    metrics: str = typer.Option("psnr,ssim", help="Comma-separated metrics, one panel each."),
    kind: str = typer.Option("snr", help="snr: metric vs SNR per scheme (Figs. 4–5); steps: metric vs "
                                         "de-noising U-Net evaluations per receiver, one panel per SNR (Figs. 6–7); "
                                         "rho: metric vs bandwidth ratio per scheme family, one panel per SNR; "
                                         "outage: P(PSNR < target) vs SNR per scheme, one panel per --target."),
    target: Optional[str] = typer.Option(None, help="--kind outage: PSNR targets in dB, comma-separated."),
) -> None:
    """Paper-style figures from a results file, with 95% intervals."""
    if kind not in PLOT_KINDS:
        raise SemcomError(f"--kind must be one of {', '.join(PLOT_KINDS)}, got {kind!r}")
    if (kind == "outage") != (target is not None):
        raise SemcomError("--target goes with --kind outage, and --kind outage needs --target")
    check_output(out, (".png", ".pdf", ".svg"))
    names = [m.strip() for m in metrics.split(",") if m.strip()]
    if kind == "outage":
        names = [f"psnr<{t:g}" for t in parse_targets(target)]
        summary = summarize(load_results(results), ["psnr"])
    else:
        summary = summarize(load_results(results), names)
    for written in plot_results(summary, names, out, kind):
        typer.echo(f"wrote {written}")
