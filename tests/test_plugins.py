"""Scheme plug-ins (semcom.plugins): entry points, the built-in fallback, broken plug-ins, trusted weights
classes, and the example plug-in installed and evaluated in a subprocess."""

import csv
import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from semcom.plugins import BUILTIN_MODULES, ENTRY_POINT_GROUP

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "semcom-example-plugin"


def semcom(*args, pythonpath: Path | None = None, cwd=None):
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return subprocess.run([sys.executable, "-m", "semcom", *map(str, args)], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


def fake_distribution(root: Path, name: str, entry_points: dict[str, str], files: dict[str, str]) -> Path:
    """An installed distribution as importlib.metadata finds it: ``NAME-1.0.dist-info`` and its modules."""
    info = root / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items()))
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(textwrap.dedent(text))
    return root


def test_pyproject_declares_exactly_the_fallback_modules():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"][ENTRY_POINT_GROUP]
    assert declared == BUILTIN_MODULES


def test_builtin_schemes_load_without_semcom_metadata():
    """A source tree that was never pip-installed has no entry points: the fallback list registers the same
    schemes as the entry points do."""
    code = ("import importlib.metadata as m; m.entry_points = lambda **kw: []\n"
            "from semcom.schemes import list_schemes; print(' '.join(list_schemes()))")
    fallback = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert fallback.returncode == 0, fallback.stderr
    from semcom.schemes import list_schemes

    assert fallback.stdout.split() == list_schemes()
    assert {"deepjscc", "latent-diff", "bandwidth-diff", "identity-analog", "jpeg+capacity", "heif+nr-ldpc"} <= set(
        fallback.stdout.split())


def test_a_broken_plugin_warns_once_and_leaves_the_rest_usable(tmp_path):
    site = fake_distribution(tmp_path, "brokenplug", {
        "ghost": "brokenplug_missing_module",   # no such module
        "clash": "brokenplug_clash",            # takes a built-in's name
        "fine": "brokenplug_fine",              # works: its scheme is there despite the other two
    }, {
        "brokenplug_clash.py": """
            from semcom.schemes import register_scheme
            from semcom.schemes.identity_analog import IdentityAnalog
            register_scheme("identity-analog")(type("Impostor", (IdentityAnalog,), {}))
        """,
        "brokenplug_fine.py": """
            from semcom.schemes import register_scheme
            from semcom.schemes.identity_analog import IdentityAnalog
            register_scheme("fine-analog")(type("FineAnalog", (IdentityAnalog,), {"__doc__": "A fine plug-in."}))
        """,
    })
    listed = semcom("schemes", pythonpath=site)
    assert listed.returncode == 0, listed.stderr
    assert "fine-analog" in listed.stdout and "identity-analog" in listed.stdout
    warnings = [line for line in listed.stderr.splitlines() if "PluginWarning" in line]
    assert len(warnings) == 2, listed.stderr
    assert "'ghost = brokenplug_missing_module' of distribution brokenplug 1.0" in warnings[0] + warnings[1]
    assert "ModuleNotFoundError" in listed.stderr and "already registered" in listed.stderr

    asked = semcom("evaluate", "-s", "ghost", "--dataset", "samples", "--limit", "1", "-o", tmp_path / "r.csv",
                   pythonpath=site)
    assert asked.returncode == 2 and "Traceback" not in asked.stderr
    last = asked.stderr.strip().splitlines()[-1]
    assert last.startswith("semcom: error: unknown scheme 'ghost'")
    assert "scheme plugin 'ghost = brokenplug_missing_module' of distribution brokenplug 1.0 failed to import" in last
    assert not (tmp_path / "r.csv").exists()


def test_weights_configs_build_classes_of_installed_plugins_only(tmp_path, monkeypatch):
    from semcom.zoo import WeightsError, from_pretrained, save_pretrained

    model_code = """
        from dataclasses import dataclass
        from torch import nn

        @dataclass(frozen=True)
        class NetConfig:
            width: int = 3

        class Net(nn.Module):
            def __init__(self, config):
                super().__init__()
                self.layer = nn.Linear(config.width, 2)
    """
    site = fake_distribution(tmp_path / "site", "trustplug", {"trusty": "trustplug_pkg.scheme"},
                             {"trustplug_pkg/__init__.py": "", "trustplug_pkg/model.py": model_code,
                              "untrusted_pkg/__init__.py": "", "untrusted_pkg/model.py": model_code})
    monkeypatch.syspath_prepend(str(site))
    from trustplug_pkg.model import Net, NetConfig

    folder = save_pretrained(Net(NetConfig(4)), NetConfig(4), tmp_path / "trusted")
    model, config = from_pretrained(folder)
    assert type(model).__module__ == "trustplug_pkg.model" and config == NetConfig(4)

    record = (folder / "config.json").read_text().replace("trustplug_pkg.", "untrusted_pkg.")
    other = tmp_path / "untrusted"
    shutil.copytree(folder, other)
    (other / "config.json").write_text(record)
    with pytest.raises(WeightsError, match="only semcom classes"):
        from_pretrained(other)
    assert "untrusted_pkg.model" not in sys.modules  # refused before anything was imported


@pytest.mark.slow
def test_example_plugin_installs_evaluates_and_trains(tmp_path, shared_data_dir):
    """pip-install the example into a folder (the environment is not touched), then list and evaluate it."""
    source, target = tmp_path / "source", tmp_path / "site"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                          "--quiet", "--target", str(target), str(source)], capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stderr
    assert (target / "semcom_example_plugin" / "zoo" / "weights" / "tiny-jscc-rho1_48" / "weights.safetensors").is_file()

    listed = semcom("schemes", pythonpath=target)
    assert listed.returncode == 0, listed.stderr
    assert any(line.startswith("tiny-jscc ") for line in listed.stdout.splitlines()), listed.stdout
    assert "PluginWarning" not in listed.stderr

    results = tmp_path / "tiny.csv"
    run = semcom("evaluate", "-s", "tiny-jscc:weights=tiny-jscc-rho1_48", "--dataset", "samples-192", "--limit", "2",
                 "--snr-db", "0,20", "-c", "awgn", "-o", results, pythonpath=target, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(results.open()))
    assert len(rows) == 4 and {r["scheme"] for r in rows} == {"tiny-jscc:weights=tiny-jscc-rho1_48"}
    assert all(int(r["k"]) * 48 == int(r["n"]) for r in rows)  # rho 1/48, no pilots over AWGN
    psnr = {snr: [float(r["psnr"]) for r in rows if float(r["snr_db"]) == snr] for snr in (0.0, 20.0)}
    assert all(math.isfinite(p) for ps in psnr.values() for p in ps)
    assert all(20.0 < p < 40.0 for p in psnr[20.0]), psnr  # a coarse but real image at 20 dB
    assert min(psnr[20.0]) > max(psnr[0.0]) + 5, psnr       # and it improves with the SNR

    # its zoo entry joins semcom's catalog with the rho its config sets (what the demo and reproduce list)
    catalog = subprocess.run([sys.executable, "-c", "import semcom; from semcom.schemes import describe_spec; "
                              "spec = semcom.list_pretrained()['tiny-jscc-rho1_48']; d = describe_spec(spec); "
                              "print(spec, d.label, d.rho)"],
                             capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(target)})
    assert catalog.stdout.split() == ["tiny-jscc:weights=tiny-jscc-rho1_48", "Tiny", "JSCC", "1/48"], catalog.stderr

    # its trainer: `semcom train tiny-jscc` made from the plug-in's dataclasses, trained, exported, then loadable
    run_dir = tmp_path / "run"
    trained = semcom("train", "tiny-jscc", "--out", run_dir, "--data", shared_data_dir, "--steps", "4",
                     "--checkpoint-every", "2", "--validate-every", "4", "--crop", "32", "--batch-size", "2",
                     pythonpath=target, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    record = json.loads((run_dir / "final" / "config.json").read_text())
    assert record["scheme"] == "tiny-jscc" and record["steps"] == 4 and record["rho"] == "1/48"
    assert record["command"].startswith("semcom train tiny-jscc ") and "--patch 8" in record["command"]
    bad = semcom("train", "tiny-jscc", "--out", run_dir, "--patch", "x", pythonpath=target, cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
