"""Issue 22, points 1–4: NaN reconstructions score NaN and a diverging training run stops with one line;
concurrent sweeps on one results file write each row once; a file that is not a results file is never
touched; zoo names cannot leave the zoo or silently replace an entry."""

import csv
import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from semcom.cli.app import main
from semcom.errors import ResultsFileError
from semcom.evaluation import ResultsFile, summarize
from semcom.evaluation.results import ResultRow
from semcom.metrics import compute_metrics, psnr
from semcom.zoo import WeightsError, add_to_zoo


def test_a_nan_reconstruction_scores_nan_not_inf():
    image = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    broken = image.clone()
    broken[0, 1, 5, 5] = float("nan")
    scores = psnr(image, broken)
    assert torch.isnan(scores[0]) and torch.isinf(scores[1])  # identical images still give +inf
    assert torch.isnan(compute_metrics(image, broken, ["ssim"])["ssim"][0])


def test_training_stops_on_a_non_finite_loss_with_one_line(shared_data_dir, tmp_path):
    """A finite but absurd rate (``--lr inf`` itself is refused up front, test_bad_input.py) blows the weights
    up in the first step: the run stops there and exports nothing."""
    out = tmp_path / "bad"
    run = subprocess.run([sys.executable, "-m", "semcom", "train", "deepjscc", "--out", str(out), "--data",
                          str(shared_data_dir), "--channels", "2", "--width", "8", "--steps", "4", "--batch-size", "2",
                          "--crop", "32", "--validate-every", "2", "--checkpoint-every", "2", "--lr", "1e30"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.strip() and "it/s" not in line and "%|" not in line]
    assert len(lines) == 1 and "training stopped" in lines[0] and "Traceback" not in run.stderr, run.stderr
    assert not (out / "final").exists()  # no NaN weights exported


SWEEP = ["evaluate", "--scheme", "identity-analog", "--scheme", "jpeg+capacity:rho=1/12", "--dataset", "samples-192",
         "--limit", "1", "--snr-db", "0,10,20", "--channel", "awgn", "--channel", "rayleigh", "--metrics", "psnr,ssim",
         "--realizations", "2"]


def _rows(path):
    return sorted(tuple(v for k, v in r.items() if k != "seconds") for r in csv.DictReader(path.open()))


def test_four_processes_on_one_file_write_the_rows_of_one(tmp_path):
    single, shared = tmp_path / "one.csv", tmp_path / "shared.csv"
    assert main([*SWEEP, "-o", str(single)]) == 0
    command = [sys.executable, "-m", "semcom", *SWEEP, "-o", str(shared)]
    processes = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(4)]
    errors = [p.communicate(timeout=600)[1].decode() for p in processes]
    assert all(p.returncode == 0 for p in processes), errors
    assert _rows(shared) == _rows(single)  # every row exactly once, with the values one process gives
    assert shared.read_text().count("scheme,weights_id") == 1  # one header
    again = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "0 rows written, 24 already present" in again.stderr
    assert all(s.metrics["psnr"].count == 1 for s in summarize(ResultsFile(shared).read(), ["psnr"]))


@pytest.mark.parametrize("name,content", [("other.csv", "a,b,c"), ("other.csv", "a,b,c\n1,2,3\n"),
                                          ("other.jsonl", '{"a": 1}'), ("notes.jsonl", "hello\n")])
def test_a_file_that_is_not_a_results_file_is_left_as_it_was(tmp_path, capsys, name, content):
    path = tmp_path / name
    path.write_text(content)
    assert main([*SWEEP[:5], "--dataset", "samples-192", "--limit", "1", "--snr-db", "10", "-o", str(path)]) == 2
    assert path.read_text() == content
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a semcom results file" in err[0]


def test_a_torn_last_line_is_cut_and_duplicates_read_once(tmp_path):
    path = tmp_path / "r.csv"
    assert main([*SWEEP[:5], "--dataset", "samples-192", "--limit", "1", "--snr-db", "10", "-o", str(path)]) == 0
    rows = ResultsFile(path).read()
    text = path.read_text()
    path.write_text(text + text.splitlines()[1] + "\n" + text.splitlines()[2][:20])  # a duplicate, a torn row
    assert len(ResultsFile(path).read()) == len(rows)
    ResultsFile(path).append([])
    assert path.read_text().endswith("\n") and path.read_text().count("\n") == text.count("\n") + 1
    lines = tmp_path / "r.jsonl"
    assert main([*SWEEP[:5], "--dataset", "samples-192", "--limit", "1", "--snr-db", "10", "-o", str(lines)]) == 0
    lines.write_text(lines.read_text() + "garbage\n")
    with pytest.raises(ResultsFileError, match=r"r.jsonl, line 3: malformed row"):
        ResultsFile(lines).read()


@pytest.mark.parametrize("name", ["../../x", "/abs/path", "", "Upper", "a/b", ".hidden", "x..y"])
def test_zoo_names_stay_inside_the_zoo(tmp_path, name):
    with pytest.raises(WeightsError, match="one path segment"):
        add_to_zoo(tmp_path / "missing", name, zoo_dir=tmp_path / "zoo")
    assert not (tmp_path / "zoo").exists() and not (tmp_path / "x").exists()


def test_a_shipped_name_is_replaced_only_with_force(tmp_path):
    from semcom.zoo import ZOO_DIR

    with pytest.raises(WeightsError, match="--force"):
        add_to_zoo(tmp_path / "missing", "adjscc-snr0to28-rho1_12", zoo_dir=ZOO_DIR)


def test_a_rerun_with_more_metrics_computes_the_missing_ones(tmp_path, capsys):
    """Issue 22, point 5: rows written with --metrics psnr are not "already present" for psnr,ssim."""
    path = tmp_path / "r.csv"
    base = [*SWEEP[:5], "--dataset", "samples-192", "--limit", "1", "--snr-db", "0,10", "-o", str(path)]
    assert main([*base, "--metrics", "psnr"]) == 0
    first = ResultsFile(path).read()
    assert all(row.ssim != row.ssim for row in first)  # NaN: not computed
    capsys.readouterr()
    assert main([*base, "--metrics", "psnr,ssim"]) == 0
    assert "4 rows written, 0 already present" in capsys.readouterr().err  # 2 schemes x 2 SNRs
    second = ResultsFile(path).read()
    assert len(second) == 4 and all(0 < row.ssim <= 1 for row in second)
    assert [row.psnr for row in second] == [row.psnr for row in first]  # the same reconstructions
    assert main([*base, "--metrics", "ssim"]) == 0
    assert "0 rows written, 4 already present" in capsys.readouterr().err


def _zoo_copy(tmp_path, name="deepjscc-snr10-rho1_48"):
    from semcom.zoo import ZOO_DIR

    zoo = tmp_path / "zoo"
    entry = json.loads((ZOO_DIR / "manifest.json").read_text())
    kept = [e for e in entry["weights"] if e["name"] == name]
    shutil.copytree(ZOO_DIR / kept[0]["folder"], zoo / kept[0]["folder"])
    (zoo / "manifest.json").write_text(json.dumps({"weights": kept}))
    return zoo, zoo / kept[0]["folder"]


def test_an_edited_shipped_config_is_refused(tmp_path):
    """Issue 22, point 8: the manifest's hash covers config.json too (editing a value used to load silently)."""
    from semcom.zoo import load_weights

    zoo, folder = _zoo_copy(tmp_path)
    load_weights("deepjscc-snr10-rho1_48", zoo_dir=zoo)  # the copy loads as shipped
    config = json.loads((folder / "config.json").read_text())
    config["config"]["width"] = config["config"]["width"]  # same values, other bytes: still an edit
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(WeightsError, match="config.json: sha256 differs from the manifest"):
        load_weights("deepjscc-snr10-rho1_48", zoo_dir=zoo)


def test_a_corrupt_manifest_is_one_error(tmp_path):
    from semcom.zoo import load_manifest

    zoo, _ = _zoo_copy(tmp_path)
    (zoo / "manifest.json").write_text('{"weights": [{"nam')
    with pytest.raises(WeightsError, match="corrupt zoo manifest"):
        load_manifest(zoo)


def test_appending_reads_only_what_was_appended_since(tmp_path, monkeypatch):
    """Issue 22, point 7: a writer folds in the bytes added since its last look, not the whole file."""
    path = tmp_path / "r.csv"
    assert main([*SWEEP[:5], "--dataset", "samples-192", "--limit", "2", "--snr-db", "0:20:5", "-o", str(path)]) == 0
    rows = ResultsFile(path).read()
    writer = ResultsFile(path)
    writer.keys()  # the first look reads the file once
    parsed = []
    original = ResultsFile._parse
    monkeypatch.setattr(ResultsFile, "_parse", lambda self, data, **kw: parsed.append(len(data)) or
                        original(self, data, **kw))
    other = ResultsFile(path)
    moved = dataclasses.replace(rows[0], snr_db=99.0)
    assert other.append_new(moved) and not writer.append_new(moved)  # the second writer sees the first's row
    line = len(other._format(moved).encode())
    assert parsed[-1] == line  # the writer parsed one new line, not the file


def test_a_plain_append_parses_no_row_and_reads_the_same_whatever_the_file_holds(tmp_path, monkeypatch):
    """Issue 26, point 5: ``append`` checks the header and the last block only, so a file twice as long costs
    no more bytes read (the timing is benchmarks/results_append.py's)."""
    row = ResultRow(scheme="identity-analog", weights_id="", dataset="d", image_id="a", channel="awgn", snr_db=0.0,
                    rho=0.5, k=1, n=2, psnr=1.0, ssim=0.5, ms_ssim=0.5)
    parsed, read, original_open = [], [], Path.open

    def counting_open(self, *args, **kwargs):
        handle = original_open(self, *args, **kwargs)
        original_read = handle.read
        handle.read = lambda n=-1: read.append(len(data := original_read(n))) or data
        return handle

    costs = {}
    for rows in (1500, 3000):
        path = tmp_path / f"r{rows}.jsonl"
        with path.open("w") as handle:
            handle.write("".join(ResultsFile(path)._format(dataclasses.replace(row, snr_db=float(i)))
                                 for i in range(rows)))
        with monkeypatch.context() as patch:
            patch.setattr(ResultsFile, "_parse", lambda self, data, **kw: parsed.append(len(data)))
            patch.setattr(Path, "open", counting_open)
            read.clear()
            ResultsFile(path).append([dataclasses.replace(row, snr_db=-1.0)])
        costs[rows] = sum(read)
        assert len(ResultsFile(path).read()) == rows + 1
    assert parsed == [] and costs[1500] == costs[3000] < (tmp_path / "r1500.jsonl").stat().st_size / 4, costs
