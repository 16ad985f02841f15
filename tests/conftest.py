"""Shared fixtures."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from semcom.cli.app import main

# Tests never reach the internet: the TAEF2 download is tested against a local server (test_zoo_download.py,
# test_demo_browser.py), which unset this.
os.environ.setdefault("SEMCOM_OFFLINE", "1")
# ... and never read or write the developer's user zoo (~/.local/share/semcom/zoo): an empty one per run.
os.environ["SEMCOM_ZOO"] = tempfile.mkdtemp(prefix="semcom-test-user-zoo-")


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The ``shared/data`` directory beside the repository (or ``$SEMCOM_SHARED``, the shared dir or its
    ``data/``). Missing: fail when ``CI=true``, skip otherwise."""
    candidates = []
    if os.environ.get("SEMCOM_SHARED"):
        shared = Path(os.environ["SEMCOM_SHARED"]).expanduser()
        candidates += [shared / "data", shared]
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "data")
    for path in candidates:
        if (path / "kodak").is_dir():
            return path
    message = f"shared data directory not found (looked in: {', '.join(map(str, candidates))})"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)  # outside CI only: with CI=true the line above fails instead


@pytest.fixture(scope="session")
def tiny_latent_models(shared_data_dir, tmp_path_factory):
    """``(vae_folder, denoiser_folder)``: a tiny f4 VAE (adversarial term on from step 0) and a tiny
    de-noiser on its latents, trained by the CLI for a few steps on four BSDS500 images (shared by the
    latent-diff and bandwidth-diff tests)."""
    root = tmp_path_factory.mktemp("latent")
    common = ["--data", str(shared_data_dir), "--limit", "4", "--checkpoint-every", "2", "--validate-every", "2"]
    assert main(["train", "latent-diff-vae", "--out", str(root / "vae"), "--latent-channels", "4", "--widths",
                 "16,16,16", "--steps", "3", "--batch-size", "2", "--crop", "32", "--adv-start", "0", *common]) == 0
    vae = root / "vae" / "final"
    assert main(["train", "latent-diff-denoiser", "--out", str(root / "den"), "--codec", str(vae), "--widths",
                 "16,16", "--attention-levels", "1", "--steps", "3", "--batch-size", "2", "--crop", "8",
                 *common]) == 0
    return vae, root / "den" / "final"
