"""The shipped weights: manifest integrity, regression against expected results, and the issues' claims on
Kodak (the same sweep code and seeds as the published tables, so these are the published numbers).

Regenerate the expected file after retraining: ``python tests/test_zoo_shipped.py --regenerate``.
"""

import json
import re
import sys
from pathlib import Path

import pytest

from semcom.evaluation import ResultsFile, SweepConfig, run_sweep
from semcom.schemes import canonical_spec, create_scheme
from semcom.zoo import MAX_SHIPPED_BYTES, ZOO_DIR, load_manifest, load_weights
from semcom.zoo.catalog import MATCHED_DDIM

EXPECTED_FILE = Path(__file__).parent / "expected" / "shipped_samples.json"
JSCC_WEIGHTS = {
    f"{model}-rho1_{d}": f"{model.split('-')[0]}:weights={model}-rho1_{d}"
    for model in ("deepjscc-snr10", "deepjscc-snr20", "adjscc-snr0to28") for d in (12, 48)
}
LATENT_DIFF = {  # the project VAEs (the offline default of paper A), with and without their de-noisers
    f"{label}-{vae}": f"latent-diff:codec=latent-diff-{vae}" + (
        f",denoiser=latent-diff-denoiser-{vae},sampler=ddim,start=matched,steps=5" if label == "denoised" else ",steps=0")
    for vae in ("vae-f8c4-rho1_96", "vae-f8c8-rho1_48") for label in ("denoised", "plain")
}
SAMPLE_SCHEMES = {**JSCC_WEIGHTS, **LATENT_DIFF}
PROVENANCE = ("scheme", "rho", "command", "data", "steps", "commit", "validation", "wall_seconds", "hardware")


def mean_psnr(schemes: dict, snrs, dataset, data_dir, out, limit=None) -> dict:
    """``{(label, snr): mean PSNR}`` for ``schemes`` = ``{label: spec}``."""
    config = SweepConfig(schemes=list(schemes.values()), snr_db=snrs, dataset=dataset, data_dir=data_dir,
                         limit=limit, metrics=["psnr"])
    run_sweep(config, ResultsFile(out), progress=False)
    label = {canonical_spec(create_scheme(spec)): name for name, spec in schemes.items()}
    sums: dict = {}
    for row in ResultsFile(out).read():
        sums.setdefault((label[row.scheme], row.snr_db), []).append(row.psnr)
    return {key: sum(v) / len(v) for key, v in sums.items()}


def test_issue_4_weights_are_shipped():
    assert set(JSCC_WEIGHTS) <= set(load_manifest(ZOO_DIR))


def test_issue_5_weights_are_shipped():
    names = {f"latent-diff-{kind}" for kind in ("vae-f8c4-rho1_96", "vae-f8c8-rho1_48", "denoiser-taef2",
                                                  "denoiser-vae-f8c4-rho1_96", "denoiser-vae-f8c8-rho1_48",
                                                  "denoiser-taef2-pca8-rho1_48", "denoiser-taef2-pca4-rho1_96")}
    assert names | {"taef2-pca8-rho1_48", "taef2-pca4-rho1_96"} <= set(load_manifest(ZOO_DIR))


def test_issue_6_weights_are_shipped():
    names = {f"bandwidth-diff-taef2-rho1_{d}" for d in (24, 48, 96)}
    names |= {f"bandwidth-diff-taef2-rho1_48-{ablation}" for ablation in ("noguidance", "deterministic")}
    assert names <= set(load_manifest(ZOO_DIR))
    assert all(load_manifest(ZOO_DIR)[name]["scheme"] == "bandwidth-diff" for name in names)


def test_the_package_manifest_names_the_hub_tag_of_this_release():
    """Releases publish the zoo to the Hugging Face repo semcom/zoo under the tag v<version> (DESIGN.md §3)."""
    from semcom import __version__

    hub = f"https://huggingface.co/semcom/zoo/resolve/v{__version__}"
    assert json.loads((ZOO_DIR / "manifest.json").read_text())["base_url"] == hub


@pytest.mark.parametrize("name", sorted(load_manifest(ZOO_DIR)))
def test_manifest_entry_is_complete_and_verified(name):
    entry = load_manifest(ZOO_DIR)[name]
    assert entry["bytes"] <= MAX_SHIPPED_BYTES == 20 * 2**20
    assert (ZOO_DIR / entry["folder"] / "weights.safetensors").stat().st_size == entry["bytes"]
    assert all(entry.get(key) not in (None, "", {}) for key in PROVENANCE), entry
    assert entry["url"] == f"weights/{name}/" and entry["config_sha256"]  # downloadable and verifiable
    model, config = load_weights(name, zoo_dir=ZOO_DIR)  # checks the sha256 and every tensor's name and shape
    if not hasattr(config, "rho"):  # a de-noiser runs at its codec's rho
        assert entry["scheme"] == "latent-diff-denoiser" and entry["rho"].startswith("any")
    else:
        assert str(config.rho) == entry["rho"] == "/".join(re.search(r"rho(\d+)_(\d+)", name).groups())


def sample_psnr(tmp_path) -> dict:
    return mean_psnr(SAMPLE_SCHEMES, [0.0, 10.0, 20.0], "samples", None, tmp_path / "samples.csv", limit=3)


def test_shipped_weights_reproduce_expected_results(tmp_path):
    """Regression on the bundled sample photos (no data needed): mean PSNR within 0.05 dB."""
    expected = json.loads(EXPECTED_FILE.read_text())["psnr_db"]
    measured = sample_psnr(tmp_path)
    for name in SAMPLE_SCHEMES:
        for snr in ("0", "10", "20"):
            assert measured[(name, float(snr))] == pytest.approx(expected[name][snr], abs=0.05), (name, snr)


ISSUE_4_MODELS = ["deepjscc-snr10-rho1_12", "deepjscc-snr20-rho1_12", "adjscc-snr0to28-rho1_12"]
ISSUE_4_SNRS = [0.0, 5.0, 10.0, 15.0, 20.0]


@pytest.fixture(scope="module")
def issue_4_kodak(shared_data_dir, tmp_path_factory) -> dict:
    """``{model: {snr: mean PSNR}}`` on all 24 Kodak images: the numbers of docs/results/jscc.md."""
    out = tmp_path_factory.mktemp("issue4") / "k.csv"
    schemes = {n: JSCC_WEIGHTS[n] for n in ISSUE_4_MODELS}
    psnr = mean_psnr(schemes, ISSUE_4_SNRS, "kodak", str(shared_data_dir), out)
    return {n: {s: psnr[(n, s)] for s in ISSUE_4_SNRS} for n in ISSUE_4_MODELS}


@pytest.mark.slow  # a Kodak-24 sweep (module fixture)
def test_issue_4_deepjscc_at_10db_reaches_30db(issue_4_kodak):
    assert issue_4_kodak["deepjscc-snr10-rho1_12"][10.0] >= 30.0


@pytest.mark.slow
@pytest.mark.parametrize("snr", [0.0, 5.0, 10.0, 15.0, 20.0])
def test_issue_4_one_adjscc_within_half_db_of_the_better_deepjscc(issue_4_kodak, snr):
    dj10, dj20, adj = (issue_4_kodak[n][snr] for n in ISSUE_4_MODELS)
    assert adj >= max(dj10, dj20) - 0.5, (adj, dj10, dj20)


@pytest.mark.slow  # a Kodak-24 sweep (module fixture)
def test_issue_4_adjscc_beats_deepjscc_at_10db_by_1db_at_20db(issue_4_kodak):
    dj10, _, adj = (issue_4_kodak[n][20.0] for n in ISSUE_4_MODELS)
    assert adj >= dj10 + 1.0, (adj, dj10)


@pytest.mark.slow  # a Kodak-24 sweep (module fixture)
def test_issue_4_fixed_snr_models_show_the_mismatch_effect(issue_4_kodak):
    """Paper A's premise for ADJSCC: DeepJSCC@10 is clearly the better one at 0 dB, DeepJSCC@20 at 20 dB."""
    dj10, dj20 = issue_4_kodak["deepjscc-snr10-rho1_12"], issue_4_kodak["deepjscc-snr20-rho1_12"]
    assert dj10[0.0] > dj20[0.0] + 1.0 and dj20[20.0] > dj10[20.0], (dj10, dj20)


ISSUE_5_RECEIVER = MATCHED_DDIM  # the shipped receiver, as in docs/results/latent_diff.md


@pytest.mark.slow  # Kodak sweeps
@pytest.mark.parametrize("vae", ["vae-f8c8-rho1_48", "vae-f8c4-rho1_96"])
def test_issue_5_claims_on_kodak(vae, shared_data_dir, tmp_path):
    """The de-noiser gains >= 2 dB over no de-noiser at 0 dB and loses <= 0.2 dB at 30 dB (kodim01-02)."""
    schemes = {"denoised": f"latent-diff:codec=latent-diff-{vae},denoiser=latent-diff-denoiser-{vae},{ISSUE_5_RECEIVER}",
               "plain": f"latent-diff:codec=latent-diff-{vae},steps=0"}
    psnr = mean_psnr(schemes, [0.0, 30.0], "kodak", str(shared_data_dir), tmp_path / "k.csv", limit=2)
    assert psnr[("denoised", 0.0)] >= psnr[("plain", 0.0)] + 2.0, psnr
    assert psnr[("denoised", 30.0)] >= psnr[("plain", 30.0)] - 0.2, psnr


if __name__ == "__main__" and sys.argv[1:] == ["--regenerate"]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        values = sample_psnr(Path(tmp))
    table = {n: {f"{s:g}": round(values[(n, s)], 4) for s in (0.0, 10.0, 20.0)} for n in SAMPLE_SCHEMES}
    EXPECTED_FILE.write_text(json.dumps({
        "description": "Mean PSNR (dB) of the shipped JSCC and latent-diff weights on the first 3 bundled sample "
                       "photos over AWGN, sweep seed 0. Made by: python tests/test_zoo_shipped.py --regenerate",
        "psnr_db": table}, indent=1) + "\n")
