"""Reconstruction grids: rows = schemes, columns = SNRs (the layout of paper A's Fig. 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import torch
from tqdm import tqdm

from semcom.channels import ChannelSpec
from semcom.metrics import psnr
from semcom.schemes import create_scheme


def save_reconstruction_grid(
    image: torch.Tensor, schemes: Sequence[str] | Mapping[str, str], snrs_db: Sequence[float],
    channel: ChannelSpec, path: str | Path, generator: torch.Generator, dataset=None, progress: bool = False,
    device=None,
) -> Path:
    """Transmit ``image`` (``float32 [3, H, W]``) with each scheme at each SNR and save a labelled grid.

    ``schemes`` is a list of specs or a ``{label: spec}`` mapping (rows are labelled with the keys).
    ``dataset``, when given, is passed to each scheme's ``prepare`` as a sweep would (outage fallbacks).
    """
    labelled = dict(schemes) if isinstance(schemes, Mapping) else {spec: spec for spec in schemes}
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2.0 * (len(snrs_db) + 1), 2.0 * len(labelled)))
    axes = fig.subplots(len(labelled), len(snrs_db) + 1, squeeze=False)
    bar = tqdm(total=len(labelled) * len(snrs_db), desc="reconstructions", disable=not progress)
    for r, (label, spec) in enumerate(labelled.items()):
        scheme = create_scheme(spec, device=device)
        if dataset is not None:
            scheme.prepare(dataset)
        axes[r][0].imshow(image.permute(1, 2, 0).numpy())
        axes[r][0].set_title("original", fontsize=8)
        axes[r][0].set_ylabel(label, fontsize=7)
        for c, snr in enumerate(snrs_db, start=1):
            recon = scheme(image[None], snr, channel, generator=generator).reconstruction.cpu()
            axes[r][c].imshow(recon[0].permute(1, 2, 0).clamp(0, 1).numpy())
            axes[r][c].set_title(f"{snr:g} dB, {float(psnr(image[None], recon)[0]):.1f} dB", fontsize=8)
            bar.update()
    bar.close()
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    path = Path(path)
    # JPEG keeps a grid of photographs small; PNG (or any other suffix matplotlib knows) is written as asked
    fig.savefig(path, dpi=110, **({"pil_kwargs": {"quality": 90}} if path.suffix.lower() in (".jpg", ".jpeg") else {}))
    return path
