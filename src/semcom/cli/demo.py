"""``semcom demo``: a complete sweep on scikit-image's bundled photos; needs no data directory or network."""

from __future__ import annotations

from pathlib import Path

import torch
import typer

from semcom.channels import ChannelSpec
from semcom.cli.app import app
from semcom.cli.tables import print_summary
from semcom.data import get_dataset
from semcom.evaluation import ResultsFile, SweepConfig, run_sweep, summarize
from semcom.evaluation.plots import plot_metric_vs_snr
from semcom.evaluation.reconstructions import save_reconstruction_grid

DEMO_SCHEMES = ("identity-analog", "identity-analog:receiver=lmmse", "jpeg+capacity", "jpeg+ldpc")
DEMO_CHANNELS = ("awgn", "rayleigh:coherence=image,csi=ls,eq=mmse,pilots=8,snr=pilot")


@app.command()
def demo(
    out: Path = typer.Option(Path("semcom-demo"), "--out", "-o", help="Report folder."),
    quick: bool = typer.Option(False, help="Fewer images and SNR points."),
    seed: int = typer.Option(0, help="Sweep seed."),
) -> None:
    """Sweep the reference and JPEG separation schemes over the bundled sample photos; write a report folder."""
    snrs = [0.0, 10.0, 20.0] if quick else [-5.0, 0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]
    config = SweepConfig(
        schemes=DEMO_SCHEMES, snr_db=snrs, channels=DEMO_CHANNELS, dataset="samples",
        seed=seed, limit=2 if quick else None,
    )
    out.mkdir(parents=True, exist_ok=True)
    results = ResultsFile(out / "results.csv")
    run_sweep(config, results)
    summary = summarize(results.read())
    print_summary(summary, ["psnr", "ssim"])
    plot_metric_vs_snr(summary, ["psnr", "ssim"], out / "metrics_vs_snr.png")
    photos = get_dataset("samples", limit=config.limit)
    save_reconstruction_grid(
        photos[0].image, DEMO_SCHEMES, [-5.0, 5.0, 15.0, 30.0] if not quick else snrs,
        ChannelSpec.parse(DEMO_CHANNELS[0]), out / "reconstructions.png", torch.Generator().manual_seed(seed),
        dataset=photos,
    )
    typer.echo(f"report written to {out}/ (results.csv, metrics_vs_snr.png, reconstructions.png)")
