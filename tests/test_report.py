"""Reports (semcom.report), the zoo catalog, metric-vs-rho plots and `semcom reproduce` resuming after a kill."""

import csv
import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from semcom.cli.app import main
from semcom.evaluation import SummaryRow, mean_ci
from semcom.evaluation.plots import plot_results
from semcom.report import Figure, Heading, Paragraph, Report, Study, Table, build_report
from semcom.report.protocols import PAPERS, demo
from semcom.zoo import load_manifest
from semcom.zoo.catalog import shipped_catalog

TINY = Study("tiny", "Tiny study", {"analog": "identity-analog", "jpeg": "jpeg+capacity:rho=1/12"}, (0.0, 10.0),
             channels=("awgn",), limit=1)


def test_report_writes_markdown_and_html_with_the_same_content(tmp_path):
    (tmp_path / "fig.png").write_bytes(b"\x89PNG")
    report = Report("T").add(Heading("Setup"), Paragraph("a < b"), Table(["x", "y"], [["1", "2"]], "cap"),
                             Figure("fig.png", "a figure"), Paragraph("semcom demo", code=True))
    md, page = report.write(tmp_path)
    text, html = md.read_text(), page.read_text()
    assert "## Setup" in text and "| x | y |" in text and "![a figure](fig.png)" in text
    assert "<h2>Setup</h2>" in html and "a &lt; b" in html and '<img src="fig.png"' in html
    assert "data-images-loaded" in html and "<pre>semcom demo</pre>" in html


def test_report_refuses_a_figure_that_is_not_in_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.png"):
        Report("T").add(Figure("missing.png", "x")).write(tmp_path)


def test_catalog_covers_every_shipped_model():
    catalog = shipped_catalog()
    specs = " ".join(e.spec for e in catalog)
    for name, entry in load_manifest().items():
        assert name in specs, name  # every weights entry is used by some scheme of the catalog
    assert {e.rho for e in catalog if e.spec.startswith("jpeg")} >= {"1/12", "1/48", "1/96"}
    assert all(e.needs_taef2 == ("taef2" in e.spec) for e in catalog)


def test_demo_lists_taef2_schemes_as_skipped_without_the_weights(monkeypatch, tmp_path):
    monkeypatch.setattr("semcom.zoo.catalog.taef2_available", lambda: False)
    plan = demo("quick", "no network here")
    main_study = plan.studies[0]
    assert set(main_study.skipped.values()) == {"no network here"}
    assert main_study.skipped and all("taef2" not in spec for spec in main_study.schemes.values())
    assert any("taef2" in label for label in main_study.skipped)
    assert all("taef2" not in spec for spec in plan.grid.schemes.values())


def _row(scheme, rho, snr, psnr):
    group = {"scheme": scheme, "weights_id": "", "dataset": "d", "channel": "awgn", "rho": rho, "snr_db": snr,
             "denoise_steps": 0}
    return SummaryRow(group, {"psnr": mean_ci([psnr, psnr + 1])})


def test_plot_results_splits_by_rho_except_for_the_rho_plot(tmp_path):
    summary = [_row(f"m-rho1_{d}", 1 / d, snr, 20 + snr / 10 - d / 50) for d in (12, 48) for snr in (0.0, 10.0)]
    by_snr = plot_results(summary, ["psnr"], tmp_path / "f.png", "snr")
    assert sorted(p.name for p in by_snr) == ["f_rho1_12.png", "f_rho1_48.png"]
    (by_rho,) = plot_results(summary, ["psnr"], tmp_path / "r.png", "rho")
    assert by_rho.stat().st_size > 0
    with pytest.raises(ValueError, match="plot kind"):
        plot_results(summary, ["psnr"], tmp_path / "x.png", "bogus")


def test_build_report_runs_studies_and_resumes(tmp_path):
    page = build_report("tiny", [TINY], tmp_path, dataset="samples", command="test", progress=False)
    html = page.read_text()
    assert "Tiny study" in html and "<img src=\"tiny_rho1_12.png\"" in html and "tiny.csv" in html and "analog" in html
    rows = list(csv.DictReader((tmp_path / "tiny.csv").open()))
    assert len(rows) == 2 * 2
    build_report("tiny", [TINY], tmp_path, dataset="samples", command="test", progress=False)
    assert len(list(csv.DictReader((tmp_path / "tiny.csv").open()))) == 4  # nothing recomputed or duplicated


def test_reproduce_rejects_unknown_papers(capsys):
    assert main(["reproduce", "paper-z"]) == 2
    assert "unknown paper 'paper-z'" in capsys.readouterr().err
    assert set(PAPERS) == {"paper-a", "paper-b"}


KILLABLE = textwrap.dedent("""
    import sys
    from semcom.cli.app import main
    from semcom.report import protocols
    from semcom.report.build import GridSpec
    from semcom.report.studies import Study
    study = Study("paper_a_snr", "killable", {"analog": "identity-analog", "jpeg": "jpeg+capacity:rho=1/12"},
                  (-5.0, 0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0), channels=("awgn", "rayleigh"), limit=None,
                  fading_realizations=3)  # several draws (blocks of 4 cut mid-way by the kill), not 20
    protocols.PAPERS["paper-a"] = lambda limit: protocols.Protocol("t", [study], GridSpec({}, ()))
    sys.exit(main(sys.argv[1:]))
""")


def _rows(path: Path) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(path.open())]


@pytest.mark.slow
def test_reproduce_resumes_after_kill(tmp_path):
    """SIGKILL mid-sweep, re-run the same command: the rows equal those of an uninterrupted run."""
    from semcom.data import get_dataset, save_image

    kodak = tmp_path / "data" / "kodak"  # two sample photos stand in for Kodak
    kodak.mkdir(parents=True)
    for item in get_dataset("samples", limit=2):
        save_image(item.image, kodak / f"{item.image_id}.png")
    script = tmp_path / "run.py"
    script.write_text(KILLABLE)

    def command(out):
        return [sys.executable, str(script), "reproduce", "paper-a", "--data", str(tmp_path / "data"), "--out", str(out)]

    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    subprocess.run(command(reference), check=True, env=env, capture_output=True)
    process = subprocess.Popen(command(killed), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = killed / "paper_a_snr.csv"
    deadline = time.time() + 120
    while time.time() < deadline and not (partial.exists() and len(partial.read_text().splitlines()) > 3):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    expected = _rows(reference / "paper_a_snr.csv")
    assert 0 < len(_rows(partial)) < len(expected), "the kill came too late to test resuming"
    subprocess.run(command(killed), check=True, env=env, capture_output=True)
    assert _rows(partial) == expected
    assert (killed / "report.html").exists()


def test_the_plan_counts_only_rows_still_to_run(tmp_path):
    from semcom.report.estimate import Costs, describe, plan_study

    costs = Costs({"identity-analog": 0.5}, {"identity-analog": 2.0}, 192 * 192, "a test machine")
    before = plan_study(TINY, tmp_path, "samples", None, 0, costs)
    assert (before.rows, before.missing) == (4, 4)
    pixels = 512 * 512  # the first sample photo, astronaut
    analog = 2.0 + 2 * 0.5 * pixels / (192 * 192)
    assert before.seconds > analog  # the jpeg rows cost the table's median on top
    build_report("tiny", [TINY], tmp_path, dataset="samples", command="test", progress=False)
    after = plan_study(TINY, tmp_path, "samples", None, 0, costs)
    assert (after.rows, after.missing, after.seconds) == (4, 0, 0.0)
    text = describe([before, after], 3.0, costs, 2)
    assert "estimated total" in text and "a test machine" in text


def test_demo_covers_every_family_at_one_rho_over_both_channels(monkeypatch):
    monkeypatch.setattr("semcom.zoo.catalog.taef2_available", lambda: True)
    plan = demo("default")
    specs = list(plan.studies[0].schemes.values())
    for family in ("adjscc:", "deepjscc:weights=deepjscc-snr10", "deepjscc:weights=deepjscc-snr20",
                   "bandwidth-diff:", "jpeg+capacity:"):
        assert sum(s.startswith(family) for s in specs) == 1, family
    latent = [s for s in specs if s.startswith("latent-diff:")]
    assert sum("steps=0" in s for s in latent) == sum("denoiser=" in s for s in latent) == 2  # VAE and TAEF2
    assert [c.partition(":")[0] for c in plan.studies[0].channels] == ["awgn", "rayleigh"]
    assert plan.dataset == "samples-192" and plan.studies[0].limit is None  # all 8 photos: intervals drawn
    with pytest.raises(ValueError, match="demo size"):
        demo("huge")


def test_a_table_is_labelled_kodak_24_only_when_every_point_has_all_24_images():
    """Issue 27: a table with a row missing (23 images at one point) is never labelled as the full set."""
    from semcom.evaluation import summarize
    from semcom.evaluation.results import ResultRow
    from semcom.report.build import message_blocks
    from semcom.report.studies import study_tables

    def rows(images: int, snr: float) -> list[ResultRow]:
        return [ResultRow(scheme="identity-analog", weights_id="", dataset="kodak", image_id=f"kodim{i:02d}",
                          channel="awgn", snr_db=snr, rho=0.5, k=589824, n=1179648, psnr=20.0 + i % 3, ssim=0.5,
                          ms_ssim=0.6) for i in range(1, images + 1)]

    study = Study("s", "a study", {"identity": "identity-analog"}, [0.0, 10.0])

    def captions(summary) -> list[str]:
        return [b.caption for b in study_tables(study, summary, "kodak", 24) if isinstance(b, Table) and
                b.caption.startswith(("psnr", "ssim"))]

    full = summarize(rows(24, 0.0) + rows(24, 10.0))
    assert captions(full) and all("Kodak-24: all 24 images at every point" in c for c in captions(full))
    partial = summarize(rows(24, 0.0) + rows(23, 10.0))
    assert captions(partial) and not any("Kodak-24" in c for c in captions(partial))
    assert all("23–24 of 24 images per point (incomplete)" in c for c in captions(partial))
    opening = message_blocks([study], [partial], "kodak", 24)[1].text
    assert "Kodak-24" not in opening and "incomplete" in opening
    two = summarize(rows(2, 0.0) + rows(2, 10.0))  # a --limit 2 run, or one killed early
    assert all("kodak: 2 of 24 images per point (incomplete)" in c for c in captions(two))
    study = dataclasses.replace(study, limit=2)
    assert all("kodak: the first 2 of its 24 images at every point (a limited run)" in c for c in captions(two))
    assert all("incomplete" in c for c in captions(partial))  # a limit never hides a missing row
    assert not any("draws" in c for c in captions(full))  # one draw per image: nothing to say


def test_a_table_says_how_many_channel_draws_each_image_mean_holds():
    """A staged fading run (--fading-realizations 4) is labelled with its draws, not only its images."""
    from semcom.evaluation import summarize
    from semcom.evaluation.results import ResultRow
    from semcom.report.studies import images_label

    def rows(channel: str, draws: int) -> list[ResultRow]:
        return [ResultRow(scheme="identity-analog", weights_id="", dataset="kodak", image_id=f"kodim{i:02d}",
                          channel=channel, snr_db=0.0, rho=0.5, k=589824, n=1179648, psnr=20.0 + r, ssim=0.5,
                          ms_ssim=0.6, realization=r) for i in range(1, 25) for r in range(draws)]

    fading = "rayleigh:coherence=image,csi=perfect,eq=mmse"
    both = summarize(rows("awgn", 1) + rows(fading, 4))
    assert images_label(both, "kodak", 24) == "Kodak-24: all 24 images at every point, 1–4 channel draws per image"
    assert images_label(summarize(rows(fading, 4)), "kodak", 24).endswith(", 4 channel draws per image")
    assert images_label(summarize(rows("awgn", 1)), "kodak", 24) == "Kodak-24: all 24 images at every point"


DRAWN = Study("drawn", "Drawn study", {"analog": "identity-analog"}, (0.0, 10.0),
              channels=("awgn", "rayleigh:coherence=image,csi=perfect"), limit=2, fading_realizations=3)


def test_report_only_computes_no_row_and_keeps_an_image_only_with_all_its_draws(tmp_path):
    """A run stopped inside a block of fading draws: --report-only reports it as it stands, without the image
    whose draws at that point are not all there, and says it computed nothing."""
    from semcom.report.studies import run_study

    build_report("drawn", [DRAWN], tmp_path, dataset="samples-192", command="test", progress=False)
    lines = (tmp_path / "drawn.csv").read_text().splitlines()
    assert len(lines) == 1 + 2 * 2 * (1 + 3)  # header; 2 images x 2 SNRs x (AWGN + 3 draws)
    stopped = tmp_path / "stopped"
    stopped.mkdir()
    (stopped / "drawn.csv").write_text("\n".join(lines[:-1]) + "\n")  # the last draw is missing
    page = build_report("drawn", [DRAWN], stopped, dataset="samples-192", command="test", progress=False,
                        compute=False)
    assert (stopped / "drawn.csv").read_text().splitlines() == lines[:-1]  # nothing computed
    counts = {(r.group["channel"], r.group["snr_db"]): r.metrics["psnr"].count
              for r in run_study(DRAWN, stopped, "samples-192", None, 0, compute=False)}
    fading = [c for c, _ in counts if c != "awgn"][0]
    assert counts == {("awgn", 0.0): 2, ("awgn", 10.0): 2, (fading, 0.0): 2, (fading, 10.0): 1}
    text = page.with_name("report.md").read_text()
    assert "only wrote the report (--report-only)" in text and "1–2 of" in text and "(incomplete)" in text


def test_the_smallest_study_runs_first_and_the_page_keeps_the_given_order(tmp_path, monkeypatch):
    import semcom.report.build as build

    ran, run_study = [], build.run_study

    def recording(study, *args, **kwargs):
        ran.append(study.name)
        return run_study(study, *args, **kwargs)

    monkeypatch.setattr(build, "run_study", recording)
    small = dataclasses.replace(TINY, name="small", title="Small study", schemes={"analog": "identity-analog"})
    page = build_report("two", [DRAWN, small], tmp_path, dataset="samples-192", command="test", progress=False)
    assert ran == ["small", "drawn"]
    html = page.read_text()
    assert html.index("Drawn study") < html.index("Small study")


def test_reproduce_report_only_writes_the_page_from_no_rows(tmp_path, monkeypatch, capsys):
    from semcom.data import get_dataset, save_image
    from semcom.report import protocols
    from semcom.report.build import GridSpec

    kodak = tmp_path / "data" / "kodak"
    kodak.mkdir(parents=True)
    for item in get_dataset("samples-192", limit=2):
        save_image(item.image, kodak / f"{item.image_id}.png")
    study = Study("paper_a_snr", "Stand-in", {"analog": "identity-analog"}, (0.0, 10.0))
    monkeypatch.setitem(protocols.PAPERS, "paper-a", lambda limit: protocols.Protocol("t", [study], GridSpec({}, ())))
    out = tmp_path / "out"
    assert main(["reproduce", "paper-a", "--data", str(tmp_path / "data"), "--out", str(out), "--report-only"]) == 0
    assert not (out / "paper_a_snr.csv").exists()
    assert "No rows yet: paper_a_snr.csv" in (out / "report.md").read_text()
    assert "estimated total" not in capsys.readouterr().out  # no plan: nothing is run


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_studies_sharing_a_csv_ask_for_the_same_metrics(paper):
    """Otherwise the study run first writes rows the other one computes again with its extra metrics."""
    by_csv: dict[str, set] = {}
    for study in PAPERS[paper](None).studies:
        by_csv.setdefault(study.csv, set()).add(tuple(study.metrics))
    assert all(len(metrics) == 1 for metrics in by_csv.values()), by_csv


def test_a_partial_run_is_drawn_from_the_images_every_point_of_a_channel_has():
    """8 images at 10 dB, 3 at 20 dB (a run in progress): the AWGN figure draws both points from the same 3,
    and a complete channel is drawn as it is; the tables (the summary given) are untouched."""
    from semcom.evaluation import summarize
    from semcom.evaluation.results import ResultRow
    from semcom.report.studies import same_images

    def rows(channel, snr, images):  # image i scores 20 + i, so a changing image set moves the mean
        return [ResultRow(scheme="s", weights_id="", dataset="kodak", image_id=f"kodim{i:02d}", channel=channel,
                          snr_db=snr, rho=1 / 48, k=1, n=48, psnr=20.0 + i, ssim=0.5, ms_ssim=0.5)
                for i in range(images)]

    summary = summarize(rows("awgn", 10.0, 8) + rows("awgn", 20.0, 3) + rows("rayleigh", 10.0, 5)
                        + rows("rayleigh", 20.0, 5), ["psnr"])
    drawn, note = same_images(summary, ["psnr"])
    means = {(r.group["channel"], r.group["snr_db"]): (r.metrics["psnr"].mean, r.metrics["psnr"].count) for r in drawn}
    assert means == {("awgn", 10.0): (21.0, 3), ("awgn", 20.0): (21.0, 3),
                     ("rayleigh", 10.0): (22.0, 5), ("rayleigh", 20.0): (22.0, 5)}
    assert note.startswith("drawn from AWGN: the 3 images present at every point") and "Rayleigh" not in note
    assert [r.metrics["psnr"].count for r in summary] == [8, 3, 5, 5]
    complete = summarize(rows("awgn", 10.0, 4) + rows("awgn", 20.0, 4), ["psnr"])
    assert same_images(complete, ["psnr"]) == (complete, "")


def test_the_opening_table_ranks_only_complete_comparable_points():
    """Rayleigh has one scheme on one image so far: no 'best scheme' is named there; AWGN ranks as before."""
    from semcom.evaluation import summarize
    from semcom.evaluation.results import ResultRow
    from semcom.report.studies import best_scheme_table

    def rows(scheme, channel, psnr, images):
        return [ResultRow(scheme=scheme, weights_id="", dataset="kodak", image_id=f"kodim{i:02d}", channel=channel,
                          snr_db=snr, rho=1 / 48, k=1, n=48, psnr=psnr, ssim=0.5, ms_ssim=0.5)
                for i in range(images) for snr in (0.0, 10.0)]

    adjscc, deepjscc = "adjscc:weights=adjscc-snr0to28-rho1_48", "deepjscc:weights=deepjscc-snr10-rho1_48"
    rayleigh = "rayleigh:csi=perfect,eq=mmse"
    summary = summarize(rows(adjscc, "awgn", 20.0, 3) + rows(deepjscc, "awgn", 22.0, 3)
                        + rows(adjscc, rayleigh, 18.0, 1), ["psnr", "ssim"])
    table = best_scheme_table(summary, [0.0, 10.0])
    by_channel = {row[1]: row[2:] for row in table.rows}
    assert by_channel["AWGN"] == ["DeepJSCC@10dB: 22.00 dB, SSIM 0.500", "DeepJSCC@10dB: 22.00 dB, SSIM 0.500"]
    assert by_channel["Rayleigh"] == ["– (incomplete)", "– (incomplete)"]
    both = summarize(rows(adjscc, "awgn", 20.0, 3) + rows(deepjscc, "awgn", 22.0, 3) + rows(adjscc, rayleigh, 18.0, 1)
                     + rows(deepjscc, rayleigh, 17.0, 1), ["psnr", "ssim"])
    ranked = {row[1]: row[2:] for row in best_scheme_table(both, [0.0, 10.0]).rows}
    assert ranked["Rayleigh"] == ["ADJSCC: 18.00 dB, SSIM 0.500 (n = 1)"] * 2
    assert ranked["AWGN"] == by_channel["AWGN"]


def _stand_in_kodak(tmp_path, monkeypatch, study):
    from semcom.data import get_dataset, save_image
    from semcom.report import protocols
    from semcom.report.build import GridSpec

    kodak = tmp_path / "data" / "kodak"
    kodak.mkdir(parents=True)
    for item in get_dataset("samples-192", limit=2):
        save_image(item.image, kodak / f"{item.image_id}.png")
    monkeypatch.setitem(protocols.PAPERS, "paper-b", lambda limit: protocols.Protocol("t", [study], GridSpec({}, ())))
    return ["reproduce", "paper-b", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")]


def test_reproduce_with_fewer_fading_draws_is_a_prefix_that_a_later_run_extends(tmp_path, monkeypatch):
    study = Study("paper_b_snr", "Stand-in", {"analog": "identity-analog"}, (0.0, 10.0),
                  channels=("awgn", "rayleigh:coherence=image,csi=perfect"), fading_realizations=3)
    command = _stand_in_kodak(tmp_path, monkeypatch, study)
    results = tmp_path / "out" / "paper_b_snr.csv"
    assert main([*command, "--fading-realizations", "2"]) == 0
    first = results.read_text()
    draws = {(r["channel"], r["realization"]) for r in csv.DictReader(first.splitlines())}
    assert {d for c, d in draws if c == "awgn"} == {"0"}  # AWGN keeps its single draw
    assert {d for c, d in draws if c != "awgn"} == {"0", "1"}
    assert "2 channel draws" in (tmp_path / "out" / "report.md").read_text()
    assert main(command) == 0  # the study's own 3 draws: only the third is computed
    second = results.read_text()
    assert second.startswith(first)
    added = list(csv.DictReader(second.splitlines()))[len(first.splitlines()) - 1:]
    assert len(added) == 4 and {r["realization"] for r in added} == {"2"}  # 2 images × 2 SNRs


def test_reproduce_refuses_both_kinds_of_draw_count(tmp_path, monkeypatch, capsys):
    command = _stand_in_kodak(tmp_path, monkeypatch, TINY)
    assert main([*command, "--realizations", "2", "--fading-realizations", "3"]) == 2
    assert "at most one of --realizations" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
