"""The command line: real runs, and bad input that must give one line, exit code 2 and no partial output."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from semcom.evaluation.sweep import FADING_REALIZATIONS


def semcom(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "semcom", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.fixture()
def photo(tmp_path):
    rng = np.random.default_rng(0)
    array = np.clip(np.cumsum(rng.integers(-5, 6, size=(48, 64, 3)), axis=0) + 128, 0, 255).astype(np.uint8)
    path = tmp_path / "photo.png"
    Image.fromarray(array).save(path)
    return path


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_transmit_prints_metrics_and_writes_image(photo, tmp_path):
    out = tmp_path / "recon.png"
    result = semcom("transmit", photo, "--snr-db", "20", "--channel", "rayleigh", "--out", out)
    assert result.returncode == 0, result.stderr
    for field in ("psnr=", "ssim=", "k=4608", "n=9216", "rho=0.5"):
        assert field in result.stdout
    assert Image.open(out).size == (64, 48)


def in_process(*args):
    """Like :func:`semcom` but through ``semcom.cli.app.main`` in this process (no interpreter start-up)."""
    import contextlib
    import io
    import types

    from semcom.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return types.SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def test_bad_inputs_fail_cleanly(photo, tmp_path):
    out = tmp_path / "recon.png"
    fake = tmp_path / "text.png"
    fake.write_text("hello, I am not a PNG")
    assert_one_line_error(semcom("transmit", fake, "--snr-db", "10", "--out", out), "text.png")  # the real entry point; the rest in-process
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (7, 7)).save(tiny)
    assert_one_line_error(in_process("transmit", tiny, "--snr-db", "10", "--out", out), "tiny.png", "7")
    assert_one_line_error(in_process("transmit", photo, "--snr-db", "nan", "--out", out), "finite")
    assert_one_line_error(in_process("transmit", photo, "--snr-db", "inf", "--out", out), "finite")
    assert_one_line_error(in_process("transmit", photo, "--snr-db", "5", "--scheme", "nope", "--out", out),
                          "unknown scheme 'nope'", "identity-analog")
    assert_one_line_error(in_process("transmit", photo, "--snr-db", "5", "--channel", "awgm", "--out", out), "awgm")
    assert_one_line_error(in_process("evaluate", "-s", "nope", "--dataset", photo.parent, "-o", tmp_path / "r.csv"),
                          "unknown scheme")
    assert_one_line_error(in_process("evaluate", "-s", "identity-analog", "--dataset", photo.parent,
                                 "--snr-db", "0,nan", "-o", tmp_path / "r.csv"), "nan")
    assert not out.exists() and not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("mode", ["RGBA", "I;16"])
def test_images_needing_conversion_are_converted_or_refused_with_strict(tmp_path, mode):
    path = tmp_path / f"{mode.replace(';', '')}.png"
    if mode == "RGBA":
        Image.new("RGBA", (32, 24), (200, 10, 10, 128)).save(path)
    else:
        Image.fromarray(np.full((24, 32), 40000, dtype=np.uint16)).save(path)
    out = tmp_path / "recon.png"
    strict = semcom("transmit", path, "--snr-db", "10", "--strict", "--out", out)
    assert_one_line_error(strict, path.name, "--strict")
    assert not out.exists()
    relaxed = semcom("transmit", path, "--snr-db", "10", "--out", out)
    assert relaxed.returncode == 0 and "note:" in relaxed.stderr and out.exists()


def test_evaluate_on_folder_and_summary(photo, tmp_path):
    results = tmp_path / "r.jsonl"
    run = semcom("evaluate", "-s", "identity-analog", "--dataset", photo.parent, "--snr-db", "0:10:5",
                 "-c", "awgn", "-c", "rayleigh:csi=ls", "-o", results)
    assert run.returncode == 0, run.stderr
    rows = 3 * (1 + FADING_REALIZATIONS)  # 3 SNRs; one draw over AWGN, the fading default over Rayleigh
    assert f"{rows} rows written" in run.stderr and len(results.read_text().splitlines()) == rows
    again = semcom("evaluate", "-s", "identity-analog", "--dataset", photo.parent, "--snr-db", "0:10:5",
                   "-c", "awgn", "-c", "rayleigh:csi=ls", "-o", results)
    assert f"0 rows written, {rows} already present" in again.stderr
    assert "mean ± 95% CI" in semcom("summary", results).stdout
    table = tmp_path / "table.md"
    assert semcom("summary", results, "--metrics", "psnr", "--markdown", table).returncode == 0
    assert "### psnr, rho = 1/2 " in table.read_text() and "| identity-analog | awgn |" in table.read_text()
    figure = tmp_path / "psnr.png"
    plotted = semcom("plot", results, "--out", figure)
    assert plotted.returncode == 0, plotted.stderr
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_usage_errors_exit_2_without_traceback(tmp_path):
    """Option errors are click's usage errors (typer >= 0.2x raises them from its own copy of click)."""
    for args, fragment in [(("train", "adjscc"), "--out"),
                           (("train", "adjscc", "--out", tmp_path / "run", "--loss", "l1"), "--loss")]:
        result = semcom(*args)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and fragment in result.stderr
    assert not (tmp_path / "run").exists()


def test_device_and_precision_options(photo, tmp_path, capsys):
    from semcom.cli.app import main

    adjscc = "adjscc:weights=adjscc-snr0to28-rho1_12"
    results = tmp_path / "r.csv"
    for precision, expected in (("bf16", "2 rows written"), ("fp32", "1 rows written, 1 already present")):
        code = main(["evaluate", "-s", adjscc, "-s", "identity-analog", "--dataset", str(photo.parent), "--snr-db",
                     "10", "--precision", precision, "--device", "cpu", "-o", str(results)])
        assert code == 0
        assert expected in capsys.readouterr().err  # ADJSCC's bf16 and fp32 rows differ; identity's is one row
    from semcom.evaluation import load_results

    schemes = sorted(r.scheme for r in load_results(results))
    assert schemes == [adjscc, f"{adjscc},precision=bf16", "identity-analog"]
