"""Build semcom's wheel and sdist in a temporary folder and report their sizes and any weights file inside.

The zoo's weights are published to the hub (docs/DESIGN.md §3), so neither archive may hold one. The source
tree is hard-linked (copied across file systems) into the temporary folder first, so nothing is written into
the checkout (no build/, dist/ or egg-info). ``--no-isolation`` needs setuptools, wheel and build installed
(``pip install -e ".[test]"``) and no network.

Usage: python scripts/wheel_size.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Build outputs and caches that are not part of the source tree.
SKIP = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".benchmarks",
                              ".venv", "runs", "results", "semcom-demo")
WEIGHTS_SUFFIXES = (".safetensors", ".pth", ".pt", ".ckpt", ".bin")


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def build(out: Path, repo: Path = ROOT) -> dict[str, Path]:
    """``{"wheel": path, "sdist": path}`` built by ``python -m build --wheel --sdist --no-isolation`` from a
    copy of ``repo`` under ``out``. Raises ``RuntimeError`` with build's output when it fails."""
    source = out / "source"
    shutil.copytree(repo, source, ignore=SKIP, copy_function=_link_or_copy)
    dist = out / "dist"
    run = subprocess.run([sys.executable, "-m", "build", "--wheel", "--sdist", "--no-isolation", "--outdir",
                          str(dist), str(source)], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"python -m build failed ({run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return {"wheel": next(dist.glob("*.whl")), "sdist": next(dist.glob("*.tar.gz"))}


def members(archive: Path) -> list[str]:
    """The file names inside a wheel (zip) or sdist (tar.gz)."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zipped:
            return zipped.namelist()
    with tarfile.open(archive) as tarred:
        return [m.name for m in tarred.getmembers() if m.isfile()]


def weights_inside(archive: Path) -> list[str]:
    """Members of ``archive`` that are weights files (by suffix) or lie under a ``zoo/weights/`` folder."""
    return [n for n in members(archive) if n.endswith(WEIGHTS_SUFFIXES) or "zoo/weights/" in n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="Copy the built wheel and sdist into this folder.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="semcom-wheel-") as tmp:
        built = build(Path(tmp))
        bad = False
        for kind, path in built.items():
            weights = weights_inside(path)
            bad |= bool(weights)
            print(f"{kind:5s} {path.name}: {path.stat().st_size / 2**20:.2f} MiB, {len(members(path))} files, "
                  f"weights files inside: {', '.join(weights) if weights else 'none'}")
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, args.keep / path.name)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
