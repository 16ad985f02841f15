"""Sweeps, the results schema, resuming and summaries."""

import math

import numpy as np
import pytest
from PIL import Image
from scipy import stats

from semcom.evaluation.sweep import FADING_REALIZATIONS
from semcom.errors import DatasetError, ImageLoadError, InvalidSNRError, ResultsFileError, UnknownNameError
from semcom.evaluation import (
    COLUMNS,
    ResultRow,
    ResultsFile,
    SweepConfig,
    mean_ci,
    parse_snr_grid,
    run_sweep,
    summarize,
)


@pytest.fixture()
def image_dir(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "imgs"
    (folder / "sub").mkdir(parents=True)
    for name in ("b.png", "a.png", "sub/c.png"):
        smooth = np.cumsum(rng.integers(-6, 7, size=(40, 56, 3)), axis=1) + 128
        Image.fromarray(np.clip(smooth, 0, 255).astype(np.uint8)).save(folder / name)
    return folder


def test_parse_snr_grid():
    assert parse_snr_grid("-5:30:5") == [-5.0, 0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]
    assert parse_snr_grid("0,10,2.5") == [0.0, 2.5, 10.0]
    assert parse_snr_grid("0:1:0.25") == [0.0, 0.25, 0.5, 0.75, 1.0]
    for bad in ("nan", "0,inf", "5:0:1", "0:10:0", "x", "1:2:3:4", ""):
        with pytest.raises(InvalidSNRError):
            parse_snr_grid(bad)


def make_row(**overrides):
    values = dict(scheme="s", weights_id="none", dataset="d", image_id="i", channel="awgn", snr_db=1.0,
                  rho=0.5, k=6, n=12, psnr=30.0, ssim=0.9, ms_ssim=math.nan, info={"a": 1})
    values.update(overrides)
    return ResultRow(**values)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_results_round_trip_and_torn_line(tmp_path, suffix):
    results = ResultsFile(tmp_path / f"r{suffix}")
    rows = [make_row(image_id="x"), make_row(image_id="y", psnr=math.inf, outage=1)]
    results.append(rows)
    back = results.read()
    assert [r.image_id for r in back] == ["x", "y"]
    assert back[0].info == {"a": 1} and math.isnan(back[0].ms_ssim) and math.isinf(back[1].psnr)
    assert back[1].outage == 1 and back[0].k == 6
    with results.path.open("a") as handle:  # an interrupted write
        handle.write("s,none,d,z,awgn,1.0,0.5")
    assert len(results.read()) == 2
    results.append([make_row(image_id="z")])
    assert [r.image_id for r in results.read()] == ["x", "y", "z"]


def test_results_schema_mismatch_is_refused(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("scheme,psnr\nfoo,1\n")
    with pytest.raises(ResultsFileError, match="columns"):
        ResultsFile(path).read()
    with pytest.raises(ResultsFileError):
        ResultsFile(tmp_path / "r.txt")
    assert COLUMNS[:12] == ("scheme", "weights_id", "dataset", "image_id", "channel", "snr_db", "rho", "k", "n",
                            "psnr", "ssim", "ms_ssim")


def test_sweep_writes_rows_and_resumes_identically(image_dir, tmp_path):
    config = SweepConfig(schemes=["identity-analog", "identity-analog:receiver=lmmse"], snr_db=[0.0, 10.0],
                         channels=["awgn", "rayleigh"], dataset=str(image_dir), seed=3)
    full = ResultsFile(tmp_path / "full.csv")
    report = run_sweep(config, full, progress=False)
    # 3 images, 2 schemes, 2 SNRs; one draw over AWGN and the fading default over Rayleigh
    assert report.written == 3 * 2 * 2 * (1 + FADING_REALIZATIONS) and report.skipped == 0
    rows = full.read()
    assert sorted({r.image_id for r in rows}) == ["a", "b", "sub/c"]
    assert all(r.k == math.ceil(r.n / 2) and r.rho == pytest.approx(r.k / r.n) for r in rows)

    partial = ResultsFile(tmp_path / "partial.csv")

    class Killed(Exception):
        pass

    def stop_after_five(row, seen=[]):
        seen.append(row)
        if len(seen) == 5:
            raise Killed

    with pytest.raises(Killed):
        run_sweep(config, partial, progress=False, on_row=stop_after_five)
    assert len(partial.read()) == 5
    resumed = run_sweep(config, partial, progress=False)
    assert resumed.skipped == 5 and resumed.written == len(rows) - 5
    key = lambda r: r.key  # noqa: E731
    for a, b in zip(sorted(rows, key=key), sorted(partial.read(), key=key)):
        assert a.key == b.key and a.psnr == b.psnr and a.ssim == b.ssim  # same random source per row
    assert run_sweep(config, partial, progress=False).written == 0


def test_an_outage_row_does_not_depend_on_the_limit(image_dir, tmp_path):
    """A digital scheme in outage shows the dataset's mean colour. It is learned from the whole set, so the row
    of image a is the same in a --limit 1 run as in a run over every image (the row key names no limit)."""
    def sweep(limit):
        config = SweepConfig(schemes=["jpeg+capacity:rho=1/48"], snr_db=[-5.0], dataset=str(image_dir), limit=limit)
        results = ResultsFile(tmp_path / f"limit{limit}.csv")
        run_sweep(config, results, progress=False)
        return {r.image_id: r for r in results.read()}

    one, every = sweep(1), sweep(None)
    assert one["a"].outage == 1 and one["a"].psnr == every["a"].psnr


def test_sweep_checks_inputs_before_writing(image_dir, tmp_path):
    out = ResultsFile(tmp_path / "r.csv")
    base = dict(schemes=["identity-analog"], snr_db=[0.0], dataset=str(image_dir))
    with pytest.raises(UnknownNameError):
        run_sweep(SweepConfig(**{**base, "schemes": ["identity-analog", "nope"]}), out, progress=False)
    with pytest.raises(InvalidSNRError):
        run_sweep(SweepConfig(**{**base, "snr_db": [0.0, math.nan]}), out, progress=False)
    with pytest.raises(DatasetError):
        run_sweep(SweepConfig(**{**base, "dataset": str(tmp_path / "missing")}), out, progress=False)
    (image_dir / "zz.png").write_text("not an image")
    with pytest.raises(ImageLoadError, match="zz.png"):
        run_sweep(SweepConfig(**base), out, progress=False)
    assert not out.path.exists()


def test_mean_ci_matches_scipy_and_summary_groups():
    values = [30.1, 29.4, 31.2, 28.8, 30.6]
    est = mean_ci(values)
    low, high = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    assert est.mean == pytest.approx(np.mean(values)) and est.half_width == pytest.approx((high - low) / 2)
    assert mean_ci([1.0, math.inf]).count == 1 and math.isnan(mean_ci([]).mean)
    rows = [make_row(image_id=str(i), snr_db=s, psnr=p) for i, (s, p) in enumerate([(0, 10), (0, 12), (5, 20)])]
    summary = summarize(rows, ["psnr"])
    assert [(s.group["snr_db"], s.metrics["psnr"].mean, s.metrics["psnr"].count) for s in summary] == [
        (0, 11.0, 2), (5, 20.0, 1)]
