"""Figures from results: the step-sweep plot groups receivers by family and shares the no-de-noiser point."""

import pytest

from semcom.evaluation.plots import plot_metric_vs_steps, receiver_family
from semcom.evaluation.summary import SummaryRow, mean_ci


@pytest.mark.parametrize("spec,family", [
    ("latent-diff:codec=v,denoiser=d,sampler=ddpm,start=fixed,steps=30", "latent-diff:codec=v,sampler=ddpm,start=fixed"),
    ("latent-diff:codec=v,denoiser=d,steps=5", "latent-diff:codec=v"),
    ("latent-diff:codec=v,denoiser=d,steps=0", None),
    ("latent-diff:codec=v,steps=0", None),
])
def test_receiver_family(spec, family):
    assert receiver_family(spec) == family


def test_step_plot_has_one_line_per_family_through_the_shared_zero(tmp_path, monkeypatch):
    rows = []
    for snr in (0.0, 10.0):
        for spec, steps, value in [("latent-diff:codec=v,steps=0", 0, 20.0),
                                   ("latent-diff:codec=v,denoiser=d,sampler=ddpm,start=fixed,steps=15", 15, 22.0),
                                   ("latent-diff:codec=v,denoiser=d,sampler=ddpm,start=fixed,steps=30", 30, 23.0),
                                   ("latent-diff:codec=v,denoiser=d,steps=5", 5, 24.0)]:
            group = {"scheme": spec, "snr_db": snr, "denoise_steps": steps, "rho": 1 / 96}
            rows.append(SummaryRow(group, {"psnr": mean_ci([value, value + 1.0])}))
    drawn = []
    import matplotlib.axes

    original = matplotlib.axes.Axes.plot
    monkeypatch.setattr(matplotlib.axes.Axes, "plot",
                        lambda self, x, y, **kw: drawn.append((list(x), list(y))) or original(self, x, y, **kw))
    path = plot_metric_vs_steps(rows, ["psnr"], tmp_path / "steps.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert sorted(drawn) == sorted([([0, 5], [20.5, 24.5]), ([0, 15, 30], [20.5, 22.5, 23.5])] * 2)


def _summary_row(scheme, channel, snr, values, metric="ssim", rho=1 / 48):
    from semcom.evaluation.summary import METRIC_RANGES

    group = {"scheme": scheme, "channel": channel, "snr_db": snr, "rho": rho, "denoise_steps": 0}
    return SummaryRow(group, {metric: mean_ci(values, bounds=METRIC_RANGES[metric])})


def _bars(monkeypatch):
    """Collect the (lower, upper) ends of every error bar drawn."""
    import matplotlib.axes

    ends = []
    original = matplotlib.axes.Axes.errorbar

    def record(self, x, y, yerr=None, **kw):
        ends.extend((yi - lo, yi + hi) for yi, lo, hi in zip(y, yerr[0], yerr[1]))
        return original(self, x, y, yerr=yerr, **kw)

    monkeypatch.setattr(matplotlib.axes.Axes, "errorbar", record)
    return ends


def test_intervals_are_clipped_to_the_metric_range_and_axes_follow_the_means(tmp_path, monkeypatch):
    from semcom.evaluation.plots import plot_metric_vs_snr

    ends = _bars(monkeypatch)
    near_one = [1.0] * 6 + [0.2, 0.9]  # a wide t interval around a mean near 1
    rows = [_summary_row("identity-analog", "awgn", snr, near_one) for snr in (0.0, 10.0)]
    assert rows[0].metrics["ssim"].mean + rows[0].metrics["ssim"].half_width > 1  # unclipped it would leave [0, 1]
    import matplotlib.figure

    limits = []
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda self, *a, **k: limits.extend(ax.get_ylim() for ax in self.axes))
    plot_metric_vs_snr(rows, ["ssim"], tmp_path / "f.png")
    assert ends and all(0.0 <= low <= high <= 1.0 for low, high in ends)
    mean = rows[0].metrics["ssim"].mean
    assert limits[0][0] > rows[0].metrics["ssim"].low and limits[0][0] < mean < limits[0][1] < mean + 0.05


def test_no_intervals_below_eight_images(tmp_path, monkeypatch):
    from semcom.evaluation.plots import interval_note, plot_metric_vs_snr

    ends = _bars(monkeypatch)
    rows = [_summary_row("identity-analog", "awgn", snr, [0.5, 0.6, 0.7]) for snr in (0.0, 10.0)]
    plot_metric_vs_snr(rows, ["ssim"], tmp_path / "f.png")
    assert ends == []
    assert interval_note(rows, ["ssim"]) == "n = 3 images per point: fewer than 8, so no intervals are drawn"
    eight = [_summary_row("identity-analog", "awgn", 0.0, [0.5] * 7 + [0.6])]
    assert interval_note(eight, ["ssim"]).startswith("n = 8 images per point; bars: 95% Student-t")
    assert interval_note(rows + eight, ["ssim"]).endswith("drawn only where a point has 8 images or more")


def test_the_interval_note_gives_the_image_count_before_the_draws_behind_each_image():
    import dataclasses

    from semcom.evaluation.plots import interval_note

    def drawn(row, draws):
        return SummaryRow(row.group, {m: dataclasses.replace(e, realizations=draws) for m, e in row.metrics.items()})

    fading = [drawn(_summary_row("identity-analog", "rayleigh", snr, [0.5] * 8), d) for snr, d in ((0.0, 1), (5.0, 4))]
    assert interval_note(fading, ["ssim"]).startswith(
        "n = 8 images per point (each averaged over 1–4 channel draws); bars: 95% Student-t")
    assert interval_note(fading[:1], ["ssim"]).startswith("n = 8 images per point; bars")


def test_one_colour_per_scheme_and_one_line_style_per_channel_across_figures(tmp_path, monkeypatch):
    import matplotlib.axes

    from semcom.evaluation.plots import Styles, legend_entries, plot_metric_vs_snr

    drawn = {}
    original = matplotlib.axes.Axes.plot
    monkeypatch.setattr(matplotlib.axes.Axes, "plot", lambda self, x, y, **kw: drawn.setdefault(
        kw["label"], set()).add((kw["color"], kw["ls"])) or original(self, x, y, **kw))
    jscc = "deepjscc:weights=deepjscc-snr10-rho1_48"
    rayleigh = "rayleigh:coherence=image,csi=ls,eq=mmse,pilots=8,snr=pilot"
    styles = Styles.covering([jscc, "jpeg+capacity:rho=1/48"], ["awgn", rayleigh])
    first = [_summary_row(s, c, 0.0, [0.5, 0.6]) for s in (jscc, "jpeg+capacity:rho=1/48") for c in ("awgn", rayleigh)]
    second = [_summary_row(jscc, c, 0.0, [0.5, 0.6]) for c in (rayleigh, "awgn")]  # other order, fewer lines
    plot_metric_vs_snr(first, ["ssim"], tmp_path / "a.png", styles)
    plot_metric_vs_snr(second, ["ssim"], tmp_path / "b.png", styles)
    assert all(len(styles_used) == 1 for styles_used in drawn.values())  # same look in both figures
    looks = {label: next(iter(used)) for label, used in drawn.items()}
    assert looks["DeepJSCC@10dB · 1/48 · AWGN"][0] == looks["DeepJSCC@10dB · 1/48 · Rayleigh LS"][0]
    assert looks["DeepJSCC@10dB · 1/48 · AWGN"][1] == looks["JPEG+capacity · 1/48 · AWGN"][1] == "-"
    assert looks["DeepJSCC@10dB · 1/48 · Rayleigh LS"][1] == "--"
    assert len({colour for colour, _ in looks.values()}) == 2
    assert legend_entries(first) == sorted(drawn)


@pytest.mark.parametrize("spec,channel,label", [
    ("latent-diff:codec=taef2-pca8-rho1_48,steps=0", "rayleigh:coherence=image,csi=ls,eq=mmse,pilots=8,snr=pilot",
     "Latent-Diff TAEF2-PCA, no de-noiser · 1/48 · Rayleigh LS"),
    ("adjscc:weights=adjscc-snr0to28-rho1_12", "awgn", "ADJSCC · 1/48 · AWGN"),
    ("bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48-noguidance,denoiser=d,steps=5", "awgn:snr=blind",
     "Bandwidth-Diff (no guidance) · 1/48 · AWGN, blind SNR"),
    ("heif+ldpc:rho=1/48", "rayleigh:coherence=fast,eq=zf", "HEIF+LDPC · 1/48 · Rayleigh, fast"),
])
def test_legend_labels_are_short(spec, channel, label):
    from semcom.evaluation.labels import MAX_LEGEND_CHARS, legend_label

    assert legend_label(spec, channel, 1 / 48) == label
    assert len(label) <= MAX_LEGEND_CHARS


def test_receivers_of_one_model_get_their_own_legend_name_and_colour():
    """Paper B's ablation figure draws one model with three receivers: each needs its own entry."""
    from semcom.evaluation.plots import Styles, legend_entries

    base = "bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48,denoiser=latent-diff-denoiser-taef2"
    receivers = {"sampler=ddim,start=matched,steps=5": "Bandwidth-Diff · 1/48 · AWGN",
                 "sampler=ddim,start=matched,steps=20": "Bandwidth-Diff, DDIM 20 from the matched step · 1/48 · AWGN",
                 "sampler=ddim,start=T,steps=50": "Bandwidth-Diff, DDIM 50 from t = T · 1/48 · AWGN",
                 "steps=0": "Bandwidth-Diff, no de-noiser · 1/48 · AWGN"}
    summary = [_summary_row(f"{base},{options}", "awgn", 0.0, [20.0, 21.0]) for options in receivers]
    assert sorted(legend_entries(summary)) == sorted(receivers.values())
    styles = Styles.covering([r.group["scheme"] for r in summary])
    assert len(set(styles.colours.values())) == len(receivers)


def test_rows_group_by_the_configured_rho_not_the_measured_one():
    from fractions import Fraction

    from semcom.evaluation import summarize
    from semcom.evaluation.results import ResultRow
    from semcom.evaluation.rho import nominal_rho

    def row(image, k, n, info):
        return ResultRow("deepjscc:weights=x", "x", "samples", image, "awgn", 10.0, k / n, k, n, 20.0, 0.5, 0.5,
                         info=info)

    rows = [row("a", 16392, 196608, {"rho_nominal": "1/12"}), row("b", 21856, 262144, {"rho_nominal": "1/12"})]
    (group,) = summarize(rows, ["psnr"])
    assert nominal_rho(group.group["rho"]) == Fraction(1, 12)
    assert group.group["rho_exact"] == sorted({16392 / 196608, 21856 / 262144})
    # rows written before rho_nominal was recorded: a measured k/n snaps to the nearest 1/N
    assert nominal_rho(0.08354) == Fraction(1, 12) and nominal_rho(2 / 187) == Fraction(1, 96)
    assert nominal_rho(0.5) == Fraction(1, 2) and nominal_rho(0.3) == Fraction(3, 10)


# Families and labels come from each scheme's config (Scheme.describe), not from the text of weights names.

def _old_rho_family(spec):
    """The name-token regex the rho figures grouped by before schemes described themselves: the oracle."""
    import re

    return re.sub(r"[-_,:@]?rho[=_]?1[/_]\d+|[-_,:@]?pca\d+|@1/\d+", "", spec)


def test_families_of_the_shipped_catalog_agree_with_the_old_name_rule():
    from itertools import combinations

    from semcom.schemes import describe_spec
    from semcom.zoo.catalog import shipped_catalog

    specs = [entry.spec for entry in shipped_catalog()]
    split, joined = [], []
    for a, b in combinations(specs, 2):
        old = _old_rho_family(a) == _old_rho_family(b)
        new = describe_spec(a).family_key == describe_spec(b).family_key
        if old and not new:
            split.append((a, b))
        elif new and not old:
            joined.append((a, b))
    assert split == []  # every method the old rule drew as one line is still one line
    # The one change: the project VAE at 1/96 and at 1/48 is one method (the old rule kept "f8c4"/"f8c8" apart).
    assert joined and all("latent-diff-vae-f8c4-rho1_96" in a and "latent-diff-vae-f8c8-rho1_48" in b
                          for a, b in joined), joined
    assert describe_spec("latent-diff:codec=taef2-pca4-rho1_96,steps=0").family == "Latent-Diff TAEF2, no de-noiser"


def test_catalog_rho_is_the_rho_each_scheme_reads_from_its_config():
    from fractions import Fraction

    from semcom.schemes import describe_spec
    from semcom.zoo.catalog import shipped_catalog

    for entry in shipped_catalog():
        assert describe_spec(entry.spec).rho == Fraction(entry.rho), entry


def test_rho_figure_draws_one_line_per_family_named_from_the_config(tmp_path, monkeypatch):
    import matplotlib.axes

    from semcom.evaluation.plots import legend_entries, plot_metric_vs_rho

    drawn = []
    original = matplotlib.axes.Axes.plot
    monkeypatch.setattr(matplotlib.axes.Axes, "plot",
                        lambda self, x, y, **kw: drawn.append((kw["label"], list(x))) or original(self, x, y, **kw))
    rows = [_summary_row(spec, "awgn", 10.0, [0.5, 0.6], rho=rho) for spec, rho in [
        ("deepjscc:weights=deepjscc-snr10-rho1_12", 1 / 12), ("deepjscc:weights=deepjscc-snr10-rho1_48", 1 / 48),
        ("deepjscc:weights=deepjscc-snr20-rho1_48", 1 / 48), ("jpeg+capacity:rho=1/12", 1 / 12),
        ("jpeg+capacity:rho=1/48", 1 / 48), ("jpeg+capacity:rho=1/48,outage_target=0.01", 1 / 48)]]
    plot_metric_vs_rho(rows, ["ssim"], tmp_path / "rho.png")
    assert sorted(drawn) == sorted([("DeepJSCC@10dB · AWGN", [1 / 48, 1 / 12]), ("DeepJSCC@20dB · AWGN", [1 / 48]),
                                    ("JPEG+capacity · AWGN", [1 / 48, 1 / 12]), ("JPEG+capacity · AWGN", [1 / 48])])
    assert legend_entries(rows, "rho") == ["DeepJSCC@10dB · AWGN", "DeepJSCC@20dB · AWGN", "JPEG+capacity · AWGN",
                                           "JPEG+capacity · AWGN"]
