"""Issue 28: channel realizations as a sweep axis (exact resume, batches equal single draws), summaries
that average realizations per image first, outage against a quality target, digital outage reasons, and
the command-line polish found on the same run."""

import csv
import dataclasses
import math
import re

import pytest

from semcom.channels import ChannelSpec
from semcom.cli.app import main
from semcom.data import get_dataset
from semcom.evaluation import ResultsFile, SweepConfig, run_sweep, summarize
from semcom.evaluation.results import COLUMNS, OLDER_COLUMNS, ResultRow
from semcom.evaluation.summary import outage_probability
from semcom.evaluation.sweep import evaluate_one, evaluate_realizations
from semcom.schemes import create_scheme

BLOCK = "rayleigh:coherence=image,csi=perfect"


def _values(rows):
    return sorted((r.image_id, r.snr_db, r.realization, r.psnr, r.ssim, r.k) for r in rows)


def test_the_realization_axis_resumes_exactly(tmp_path):
    config = SweepConfig(schemes=["identity-analog"], snr_db=[0.0, 10.0], channels=[BLOCK], dataset="samples-192",
                         limit=2, metrics=["psnr", "ssim"], realizations=6)
    straight = ResultsFile(tmp_path / "straight.csv")
    report = run_sweep(config, straight, progress=False)
    assert report.written == 2 * 2 * 6 and {r.realization for r in straight.read()} == set(range(6))
    assert len({r.psnr for r in straight.read()}) == 24  # every draw is its own

    class Killed(Exception):
        pass

    def kill_after_five(row, seen=[]):
        seen.append(row)
        if len(seen) == 5:
            raise Killed

    resumed = ResultsFile(tmp_path / "resumed.csv")
    with pytest.raises(Killed):
        run_sweep(config, resumed, progress=False, on_row=kill_after_five)
    assert len(resumed.read()) == 5
    second = run_sweep(config, resumed, progress=False)
    assert second.written == 19 and second.skipped == 5
    assert _values(resumed.read()) == _values(straight.read())  # bit for bit, blocks recomputed whole


def test_a_sweep_finishes_its_single_draw_channels_first(tmp_path):
    """A long run stopped early holds every image over AWGN before any fading draw, whatever the channel order."""
    config = SweepConfig(schemes=["identity-analog"], snr_db=[0.0, 10.0], channels=[BLOCK, "awgn"],
                         dataset="samples-192", limit=2, metrics=["psnr"], fading_realizations=3)
    results = ResultsFile(tmp_path / "r.csv")
    run_sweep(config, results, progress=False)
    channels = [r.channel for r in results.read()]
    assert channels == ["awgn"] * 4 + [ChannelSpec.parse(BLOCK).label] * 12
    assert [r.image_id for r in results.read()][:4] == [a for a in get_dataset("samples-192", limit=2).image_ids
                                                        for _ in range(2)]


def test_realization_zero_keeps_the_rows_of_one_draw(tmp_path):
    one = SweepConfig(schemes=["identity-analog"], snr_db=[5.0], channels=[BLOCK], dataset="samples-192", limit=1,
                      metrics=["psnr"], realizations=1)
    many = dataclasses.replace(one, realizations=3)
    a, b = ResultsFile(tmp_path / "a.csv"), ResultsFile(tmp_path / "b.csv")
    run_sweep(one, a, progress=False)
    run_sweep(many, b, progress=False)
    first = [r for r in b.read() if r.realization == 0]
    assert _values(a.read()) == _values(first)


@pytest.mark.parametrize("spec", ["identity-analog", "jpeg+capacity:rho=1/12", "adjscc:weights=adjscc-snr0to28-rho1_12"])
def test_a_batch_of_realizations_equals_the_draws_one_at_a_time(spec):
    scheme = create_scheme(spec)
    image = get_dataset("samples-192")[1].image[:, :64, :64]
    config = SweepConfig(schemes=[spec], snr_db=[8.0], metrics=["psnr"])
    channel = ChannelSpec.parse("rayleigh:coherence=image,csi=ls,pilots=8")
    batched = evaluate_realizations(scheme, image, 8.0, channel, config, "d", "x", "c", [0, 1, 2, 3])
    single = [evaluate_one(scheme, image, 8.0, channel, config, "d", "x", "c", r) for r in range(4)]
    for b, s in zip(batched, single):
        assert b.realization == s.realization and b.psnr == pytest.approx(s.psnr, abs=1e-4), (b.realization, spec)
        assert b.info.get("quality") == s.info.get("quality")
        assert b.info["hardware"] == "CPU"  # where the row was computed: a file may mix CPU and GPU rows
    if "+" not in spec:  # an analog scheme: every fade gives its own PSNR (a digital one: one quality or outage)
        assert len({round(r.psnr, 6) for r in batched}) == 4


def test_the_channel_interval_shrinks_as_one_over_root_n(tmp_path):
    """Block fading, identity-analog (no network to train): the channel draws' share of the interval of
    the mean over 4 draws per image is sqrt(64 / 4) = 4 times that over 64, within ±35% (the ratio of two
    estimated standard deviations of 2 x 4 and 2 x 64 draws)."""
    config = SweepConfig(schemes=["identity-analog"], snr_db=[5.0], channels=[BLOCK], dataset="samples-192",
                         limit=2, metrics=["psnr"], realizations=64)
    results = ResultsFile(tmp_path / "r.csv")
    run_sweep(config, results, progress=False)
    rows = results.read()
    widths = {}
    for n in (4, 16, 64):
        estimate = summarize([r for r in rows if r.realization < n], ["psnr"])[0].metrics["psnr"]
        assert estimate.count == 2 and estimate.realizations == n
        widths[n] = estimate.channel_half_width
    assert widths[4] / widths[64] == pytest.approx(4.0, rel=0.35)
    assert widths[4] > widths[16] > widths[64]
    # the mean is over images of each image's mean: image a with 64 rows does not outweigh image b with 4
    skewed = [r for r in rows if r.image_id == rows[0].image_id or r.realization < 4]
    per_image = summarize(skewed, ["psnr"])[0]
    assert per_image.metrics["psnr"].mean == pytest.approx(sum(v["psnr"] for v in per_image.per_image.values()) / 2)
    assert per_image.metrics["psnr"].realizations == 4


def _row(image, realization, psnr, outage=0):
    return ResultRow(scheme="s", weights_id="w", dataset="d", image_id=image, channel="rayleigh", snr_db=0.0,
                     rho=0.1, k=1, n=10, psnr=psnr, ssim=0.5, ms_ssim=math.nan, outage=outage,
                     realization=realization)


def test_the_outage_table_matches_a_direct_count():
    values = [12.0, 25.5, 19.9, float("nan"), 30.0, 20.0, 8.0, 21.0]
    rows = [_row(f"i{j % 3}", j // 3, v) for j, v in enumerate(values)]
    point = summarize(rows, ["psnr"])[0]
    for target in (10.0, 20.0, 25.0, 40.0):
        direct = sum(1 for v in values if math.isnan(v) or v < target) / len(values)
        estimate = outage_probability(point, target)
        assert estimate.mean == pytest.approx(direct) and estimate.count == len(values)
        assert 0.0 <= estimate.low <= estimate.mean <= estimate.high <= 1.0


def test_summary_prints_counts_outage_per_image_and_warns_on_few_images(tmp_path, capsys):
    path = tmp_path / "r.csv"
    ResultsFile(path).append([_row(f"i{j % 2}", j // 2, 10.0 + j) for j in range(8)])
    assert main(["summary", str(path), "--metrics", "psnr", "--outage-psnr", "12,15", "--per-image"]) == 0
    out = capsys.readouterr().out
    assert "draws" in out and "warning: 2 image(s)" in out
    assert "outage" in out and "0.250" in out and "0.625" in out  # 2 and 5 of the 8 rows (10, ..., 17 dB)
    assert "each image's mean" in out and "13.000" in out and "14.000" in out  # i0: 10,12,14,16; i1: 11,...,17
    assert main(["summary", str(path), "--outage-psnr", "x"]) == 2
    assert "--outage-psnr" in capsys.readouterr().err


def test_plot_outage_draws_one_panel_per_target(tmp_path, capsys):
    path = tmp_path / "r.csv"
    rows = [dataclasses.replace(_row(f"i{j % 8}", j // 8, 5.0 + (j * 7) % 23), snr_db=float(snr))
            for snr in (0, 10, 20) for j in range(32)]
    ResultsFile(path).append(rows)
    assert main(["plot", str(path), "--kind", "outage", "--target", "10,20", "-o", str(tmp_path / "o.png")]) == 0
    assert (tmp_path / "o.png").stat().st_size > 10_000
    assert main(["plot", str(path), "--kind", "outage", "-o", str(tmp_path / "p.png")]) == 2
    assert "--target" in capsys.readouterr().err


@pytest.mark.parametrize("columns", OLDER_COLUMNS, ids=["before-vif", "before-realizations"])
def test_a_file_of_an_older_header_is_read_and_upgraded_on_append(tmp_path, columns):
    path = tmp_path / "old.csv"
    row = _row("a", 0, 20.0)
    values = {**dataclasses.asdict(row), "info": "{}"}
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerow([values[c] for c in columns])
    results = ResultsFile(path)
    assert [(r.image_id, r.realization, math.isnan(r.vif)) for r in results.read()] == [("a", 0, True)]
    assert results.append_new(_row("a", 1, 21.0)) and not results.append_new(_row("a", 0, 20.0))
    assert path.read_text().splitlines()[0] == ",".join(COLUMNS)
    assert sorted((r.realization, r.psnr) for r in ResultsFile(path).read()) == [(0, 20.0), (1, 21.0)]


def test_a_digital_outage_says_why_in_the_info_column():
    scheme = create_scheme("jpeg+ldpc:rho=1/12")
    image = get_dataset("samples-192")[0].image[None]
    sent = scheme(image, -5.0, "awgn", seed=0)
    assert sent.per_image_outage(0) and sent.row_info(0)["outage_reason"] == "no MCS decodes at this SNR"
    fine = scheme(image, 30.0, "awgn", seed=0)
    assert not fine.per_image_outage(0) and "outage_reason" not in fine.row_info(0)


def test_version_and_short_help(capsys):
    from semcom import __version__

    assert main(["--version"]) == 0 and capsys.readouterr().out.strip() == f"semcom {__version__}"
    assert main(["-h"]) == 0 and "Usage: semcom" in capsys.readouterr().out
    assert main(["evaluate", "-h"]) == 0
    text = " ".join(capsys.readouterr().out.replace("│", " ").split())  # the help as words, unwrapped
    assert "<bool>" not in text and "--realizations" in text and "(stop included:" in text


def test_no_flag_in_any_help_names_a_bool_type(capsys):
    for command in (["demo"], ["train", "adjscc"], ["summary"], ["zoo", "add"], ["reproduce"]):
        assert main([*command, "--help"]) == 0
        assert "<bool>" not in capsys.readouterr().out, command


def test_demo_quick_has_its_own_folder_and_refuses_another_sizes(tmp_path, monkeypatch, capsys):
    from semcom.cli.demo import DEMO_MARK, claim_demo_folder
    from semcom.errors import SemcomError

    claim_demo_folder(tmp_path / "d", "default")
    with pytest.raises(SemcomError, match="no size flag; give this run its own --out"):
        claim_demo_folder(tmp_path / "d", "quick")
    claim_demo_folder(tmp_path / "d", "default")  # the same size resumes
    assert (tmp_path / "d" / DEMO_MARK).read_text().strip() == "default"
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--quick", "--out", "d", "--seed", "0"]) == 2
    assert "holds the report of `semcom demo` with no size flag" in capsys.readouterr().err
    assert main(["demo", "--help"]) == 0 and "semcom-demo-quick" in capsys.readouterr().out


def test_a_learned_scheme_without_weights_names_the_zoo_and_a_real_command(capsys):
    from semcom.errors import SemcomError

    with pytest.raises(SemcomError) as caught:
        create_scheme("adjscc")
    message = str(caught.value)
    assert "adjscc-snr0to28-rho1_12" in message and "adjscc-snr0to28-rho1_48" in message
    command = re.search(r"`semcom ([^`]+)`", message).group(1).split()
    assert main([*command, "--help"]) == 0  # the command it names exists


def test_draws_that_leave_fewer_denoising_steps_stay_in_their_operating_point():
    """Over fading a matched-start receiver runs fewer U-Net steps after a strong fade; the point must not split
    by that outcome (it once drew a one-image Rayleigh point in paper B's report), and it reports the most."""
    from semcom.evaluation import summarize
    from semcom.evaluation.results import ResultRow

    rows = [ResultRow(scheme="s", weights_id="w", dataset="d", image_id=f"im{i}", channel="rayleigh", snr_db=30.0,
                      rho=1 / 24, k=1, n=24, psnr=20.0 + d, ssim=0.5, ms_ssim=0.5, denoise_steps=2 if (i, d) == (1, 3) else 5,
                      realization=d) for i in range(3) for d in range(4)]
    [point] = summarize(rows, ["psnr"])
    assert point.metrics["psnr"].count == 3 and point.metrics["psnr"].mean == pytest.approx(21.5)
    assert point.group["denoise_steps"] == 5
