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


def test_adjscc_snr_input_rules():
    """``effective`` tells ADJSCC 1/noise_var of the symbols it decodes: over AWGN with a known SNR that is the
    given SNR, so the reconstruction is the same; over one Rayleigh fade per image it is that image's
    post-equalization SNR. DeepJSCC takes no SNR, so the option is refused there."""
    image = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    estimate = create_scheme("adjscc:weights=adjscc-snr0to28-rho1_48")
    effective = create_scheme("adjscc:weights=adjscc-snr0to28-rho1_48,snr_input=effective")
    a, b = (s(image, 10.0, "awgn", seed=1) for s in (estimate, effective))
    torch.testing.assert_close(a.reconstruction, b.reconstruction, atol=1e-5, rtol=0)
    assert b.row_info(0)["noise_var_rule"] == "effective-snr"
    faded = effective(image, 10.0, "rayleigh:coherence=image,csi=perfect,eq=mmse", seed=1)
    told = faded.noise_var_used
    assert told.shape == (2,) and not torch.allclose(told, torch.full((2,), 0.1))
    with pytest.raises(WeightsError, match="changes nothing"):
        create_scheme("deepjscc:weights=deepjscc-snr10-rho1_48,snr_input=effective")
