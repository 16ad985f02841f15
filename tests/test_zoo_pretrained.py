"""save_pretrained / from_pretrained: exact round trip, and refusal of mismatched or corrupt weights."""

import json

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
