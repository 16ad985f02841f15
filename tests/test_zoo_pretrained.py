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
