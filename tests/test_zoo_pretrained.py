"""save_pretrained / from_pretrained: exact round trip and refusal of mismatched or corrupt weights; the user
zoo that `semcom zoo add` writes and the zoos plugins register."""

import json
import warnings

import pytest
import torch

from semcom.models.deepjscc import DeepJSCCConfig, DeepJSCCEncoder
from semcom.zoo import WeightsError, file_sha256, from_pretrained, save_pretrained


def test_round_trip_rebuilds_from_config(tmp_path):
    model = DeepJSCCEncoder(DeepJSCCConfig(channels=2, width=8))
    folder = save_pretrained(model, DeepJSCCConfig(channels=2, width=8), tmp_path / "m", extra={"steps": 3})
    loaded, config = from_pretrained(folder, sha256=file_sha256(folder / "weights.safetensors"))
    assert config == DeepJSCCConfig(channels=2, width=8) and isinstance(loaded, DeepJSCCEncoder)
    x = torch.rand(1, 3, 16, 16)
    assert torch.equal(loaded(x), model.eval()(x))
    assert json.loads((folder / "config.json").read_text())["steps"] == 3


def test_mismatch_and_corruption_are_refused(tmp_path):
    folder = save_pretrained(DeepJSCCEncoder(DeepJSCCConfig(2, 8)), DeepJSCCConfig(2, 8), tmp_path / "m")
    good_hash = file_sha256(folder / "weights.safetensors")
    record = json.loads((folder / "config.json").read_text())
    record["config"]["width"] = 16
    (folder / "config.json").write_text(json.dumps(record))
    with pytest.raises(WeightsError, match="do not match"):
        from_pretrained(folder)
    (folder / "weights.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(WeightsError, match="sha256"):
        from_pretrained(folder, sha256=good_hash)
    record["model_class"] = "os.system"
    (folder / "config.json").write_text(json.dumps(record))
    with pytest.raises(WeightsError, match="only semcom classes"):
        from_pretrained(folder)


def test_add_to_zoo_records_provenance_and_checks_hash(tmp_path):
    from semcom.models.jscc import JSCCAutoencoder, JSCCConfig
    from semcom.zoo import add_to_zoo, load_manifest, load_weights

    config = JSCCConfig(arch="deepjscc", channels=2, width=8)
    trained = save_pretrained(JSCCAutoencoder(config), config, tmp_path / "run" / "final",
                              extra={"scheme": "deepjscc", "rho": "1/48", "steps": 5, "command": "semcom train ..."})
    zoo = tmp_path / "zoo"
    entry = add_to_zoo(trained, "deepjscc-test", zoo_dir=zoo)
    assert entry["steps"] == 5 and entry["rho"] == "1/48" and entry["sha256"] == file_sha256(trained / "weights.safetensors")
    assert set(load_manifest(zoo)) == {"deepjscc-test"}
    model, loaded_config = load_weights("deepjscc-test", zoo_dir=zoo)
    assert loaded_config == config
    (zoo / "weights" / "deepjscc-test" / "weights.safetensors").write_bytes(b"tampered")
    with pytest.raises(WeightsError, match="sha256"):
        load_weights("deepjscc-test", zoo_dir=zoo)


def _trained(tmp_path, seed=0):
    from semcom.models.jscc import JSCCAutoencoder, JSCCConfig

    torch.manual_seed(seed)
    config = JSCCConfig(arch="deepjscc", channels=2, width=8)
    return save_pretrained(JSCCAutoencoder(config), config, tmp_path / f"run{seed}" / "final",
                           extra={"scheme": "deepjscc", "rho": "1/48", "steps": 5})


def test_zoo_add_writes_the_user_zoo_never_the_package(tmp_path, monkeypatch, capsys):
    from semcom.cli.app import main
    from semcom.zoo import ZOO_DIR, load_manifest, load_weights, resolve_weights
    from semcom.zoo.registry import where

    monkeypatch.setenv("SEMCOM_ZOO", str(tmp_path / "user"))
    monkeypatch.setenv("SEMCOM_CACHE", str(tmp_path / "cache"))
    shipped = (ZOO_DIR / "manifest.json").read_bytes()
    trained = _trained(tmp_path)
    assert main(["zoo", "add", str(trained), "--name", "deepjscc-mine"]) == 0
    entry = load_manifest()["deepjscc-mine"]
    assert entry["source"] == "user" and where(entry) == "user" and entry["url"] == "weights/deepjscc-mine/"
    assert resolve_weights("deepjscc-mine")[0] == tmp_path / "user" / "weights" / "deepjscc-mine"
    assert load_weights("deepjscc-mine")[1].channels == 2
    assert main(["zoo", "add", str(trained), "--name", "deepjscc-elsewhere", "--zoo", str(tmp_path / "other")]) == 0
    assert set(load_manifest(tmp_path / "other")) == {"deepjscc-elsewhere"}
    assert "deepjscc-elsewhere" not in load_manifest()  # an explicit --zoo is not merged
    capsys.readouterr()
    assert main(["zoo", "add", str(trained), "--name", "adjscc-snr0to28-rho1_12"]) == 2
    assert "already in the package zoo" in capsys.readouterr().err
    assert main(["zoo", "add", str(trained), "--name", "adjscc-snr0to28-rho1_12", "--force"]) == 0
    assert load_manifest()["adjscc-snr0to28-rho1_12"]["source"] == "user"  # replaced on purpose only
    assert load_manifest(ZOO_DIR)["adjscc-snr0to28-rho1_12"]["source"] == "package"
    assert (ZOO_DIR / "manifest.json").read_bytes() == shipped

    for file in (tmp_path / "user" / "weights" / "deepjscc-mine").iterdir():
        file.unlink()
    assert where(load_manifest()["deepjscc-mine"]) == "missing"
    with pytest.raises(WeightsError, match="deepjscc-mine.*names no download URL"):
        load_weights("deepjscc-mine")


def test_a_plugin_zoo_resolves_its_files_in_its_own_folder_and_shadows_nothing(tmp_path, monkeypatch):
    from semcom.zoo import add_to_zoo, load_manifest, load_weights, register_zoo, resolve_weights
    from semcom.zoo import registry

    monkeypatch.setattr(registry, "_PLUGIN_ZOOS", [])
    monkeypatch.setattr(registry, "_WARNED", set())
    monkeypatch.setenv("SEMCOM_ZOO", str(tmp_path / "user"))
    plugin = tmp_path / "plugin" / "zoo"
    add_to_zoo(_trained(tmp_path), "plugin-tiny", zoo_dir=plugin)
    with pytest.raises(WeightsError, match="no manifest.json"):
        register_zoo(tmp_path / "plugin")
    assert "plugin-tiny" not in load_manifest()
    register_zoo(plugin)
    entry = load_manifest()["plugin-tiny"]
    assert entry["source"] == "plugin" and entry["zoo_dir"] == str(plugin.resolve())
    assert resolve_weights("plugin-tiny")[0] == plugin.resolve() / "weights" / "plugin-tiny"
    load_weights("plugin-tiny")

    raw = json.loads((plugin / "manifest.json").read_text())
    raw["weights"].append({**raw["weights"][0], "name": "adjscc-snr0to28-rho1_12"})
    (plugin / "manifest.json").write_text(json.dumps(raw))
    with pytest.warns(UserWarning, match="'adjscc-snr0to28-rho1_12' is already in the package zoo"):
        assert load_manifest()["adjscc-snr0to28-rho1_12"]["source"] == "package"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_manifest()["adjscc-snr0to28-rho1_12"]["source"] == "package"  # warned once, not per lookup
