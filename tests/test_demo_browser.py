"""The README's first command on a fresh virtualenv without ../shared, and the demo report rendered in headless
Chromium (Debian's ``chromium``; ``.ci/run`` installs it). The page records how many of its images the browser
decoded (``data-images-loaded``), so the check is the browser's, not a reading of the HTML."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from semcom.report import Figure, Report

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        if IN_CI:
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed")
    return found


def images_loaded(page: Path) -> tuple[int, int]:
    """``(decoded, total)`` images of ``page`` after headless Chromium has loaded it."""
    run = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--allow-file-access-from-files", "--virtual-time-budget=20000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=180,
    )
    found = re.search(r'data-images-loaded="(\d+)/(\d+)"', run.stdout)
    assert found, f"no load record in the rendered page (chromium exit {run.returncode}): {run.stderr[-2000:]}"
    return int(found.group(1)), int(found.group(2))


def test_the_browser_check_sees_a_broken_image(tmp_path):
    from semcom.evaluation.plots import _pyplot

    fig = _pyplot().figure(figsize=(1, 1))
    fig.savefig(tmp_path / "ok.png")
    (tmp_path / "broken.png").write_bytes(b"not a png")
    page = Report("t").add(Figure("ok.png", "fine"), Figure("broken.png", "broken")).write(tmp_path)[1]
    assert images_loaded(page) == (1, 2)


def readme_install_command() -> str:
    text = (ROOT / "README.md").read_text()
    first = re.findall(r"```bash\n(.*?)```", text, re.S)[0].strip()
    assert first.endswith("semcom demo") and " -e . " in first, first
    return first


@pytest.mark.timeout(1500)
def test_fresh_virtualenv_demo_quick_renders_in_chromium(tmp_path):
    """README command 1 (demo made --quick) in a new virtualenv, run from a folder with no ../shared beside it."""
    chromium()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    work = tmp_path / "work"
    work.mkdir()
    assert not (work.parent / "shared").exists()
    command = readme_install_command().replace(" -e . ", f" -e {ROOT} ").replace(
        "semcom demo", "semcom demo --quick --out report")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEMCOM_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    run = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True, timeout=1400)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    page = work / "report" / "report.html"
    html = page.read_text()
    assert "Not run here" in html and "TAEF2" in html  # TAEF2 is not shipped, so its schemes are listed, not run
    for scheme in ("deepjscc-snr10-rho1_12", "adjscc-snr0to28-rho1_48", "latent-diff-vae-f8c4-rho1_96"):
        assert scheme in html
    for name in ("results.csv", "steps.csv", "reconstructions.jpg", "report.md"):
        assert (work / "report" / name).stat().st_size > 0
    decoded, total = images_loaded(page)
    assert total >= 5 and decoded == total
