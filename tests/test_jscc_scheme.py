"""`semcom train deepjscc|adjscc` end to end on a few BSDS500 steps, then the trained folder as a scheme."""

import json
from fractions import Fraction

import pytest
import torch

from semcom.channels import ChannelSpec
from semcom.cli.app import main
from semcom.schemes import create_scheme
from semcom.zoo import WeightsError


@pytest.mark.parametrize("arch", ["deepjscc", "adjscc"])
def test_train_export_and_transmit(arch, shared_data_dir, tmp_path):
    out = tmp_path / arch
    args = ["train", arch, "--out", str(out), "--channels", "2", "--width", "8", "--steps", "3",
            "--batch-size", "2", "--crop", "32", "--data", str(shared_data_dir), "--no-bf16"]
    assert main(args) == 0
    record = json.loads((out / "final" / "config.json").read_text())
    assert record["steps"] == 3 and record["rho"] == "1/48" and record["command"].startswith("semcom train")
    scheme = create_scheme(f"{arch}:weights={out / 'final'}")
    image = torch.rand(1, 3, 30, 42)  # not a multiple of 4: the sweep pads, here we pad by hand
    padded = torch.nn.functional.pad(image, (0, 2, 0, 2), mode="reflect")
    sent = scheme.transmit(padded, 10.0, ChannelSpec.parse("rayleigh:csi=ls"), torch.Generator().manual_seed(0))
    assert sent.reconstruction.shape == padded.shape and 0 <= sent.reconstruction.min() <= sent.reconstruction.max() <= 1
    assert Fraction(sent.channel_uses - 8, padded[0].numel()) == Fraction(1, 48)  # 8 pilots on top


def test_missing_or_wrong_weights_are_clear_errors(tmp_path):
    with pytest.raises(WeightsError, match="needs weights"):
        create_scheme("deepjscc")
    with pytest.raises(WeightsError, match="no weights named"):
        create_scheme(f"adjscc:weights={tmp_path / 'nothing'}")
