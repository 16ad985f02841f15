"""The acceptance sweep of the core issue on the real Kodak set: complete, then killed and resumed."""

import os
import signal
import subprocess
import sys
import time

import pytest

from semcom.evaluation import ResultsFile

GRID = "-5:30:5"
EXPECTED_ROWS = 24 * 8


def command(data_dir, out):
    return [sys.executable, "-m", "semcom", "evaluate", "--scheme", "identity-analog", "--dataset", "kodak",
            "--data", str(data_dir), "--snr-db", GRID, "--out", str(out)]


@pytest.mark.slow
def test_kodak_sweep_survives_kill_and_resumes(shared_data_dir, tmp_path):
    out = tmp_path / "kodak.csv"
    first = subprocess.Popen(command(shared_data_dir, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and first.poll() is None:
        if out.exists() and out.read_text().count("\n") > 30:
            break
        time.sleep(0.2)
    assert first.poll() is None, "the sweep finished before it could be killed"
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    done_before = len(ResultsFile(out).read())
    assert 25 <= done_before < EXPECTED_ROWS

    second = subprocess.run(command(shared_data_dir, out), capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stderr
    assert f"{EXPECTED_ROWS - done_before} rows written, {done_before} already present" in second.stderr
    rows = ResultsFile(out).read()
    assert len(rows) == EXPECTED_ROWS == len({r.key for r in rows})
    assert {r.image_id for r in rows} == {f"kodim{i:02d}" for i in range(1, 25)}
    assert all(r.rho == 0.5 and r.n == 3 * 768 * 512 and r.dataset == "kodak" for r in rows)
    by_snr = {s: [r.psnr for r in rows if r.snr_db == s] for s in (-5.0, 30.0)}
    # uncoded transmission: PSNR grows by about 10 dB per decade of SNR at high SNR
    assert sum(by_snr[30.0]) / 24 - sum(by_snr[-5.0]) / 24 > 25
