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

    original = matplotlib.axes.Axes.errorbar
    monkeypatch.setattr(matplotlib.axes.Axes, "errorbar",
                        lambda self, x, y, **kw: drawn.append((list(x), list(y))) or original(self, x, y, **kw))
    path = plot_metric_vs_steps(rows, ["psnr"], tmp_path / "steps.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert sorted(drawn) == sorted([([0, 5], [20.5, 24.5]), ([0, 15, 30], [20.5, 22.5, 23.5])] * 2)
