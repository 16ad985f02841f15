"""DeepJSCC and ADJSCC architectures: shapes, bandwidth ratio, SNR dependence of ADJSCC."""

from fractions import Fraction

import pytest
import torch

from semcom.channels import bandwidth_ratio, num_channel_uses
from semcom.models.adjscc import ADJSCCConfig, ADJSCCDecoder, ADJSCCEncoder
from semcom.models.deepjscc import DeepJSCCConfig, DeepJSCCDecoder, DeepJSCCEncoder


@pytest.mark.parametrize("channels, rho", [(8, Fraction(1, 12)), (2, Fraction(1, 48)), (1, Fraction(1, 96))])
def test_deepjscc_shapes_and_rho(channels, rho):
    config = DeepJSCCConfig(channels=channels, width=8)
    x = torch.rand(2, 3, 32, 48)
    z = DeepJSCCEncoder(config)(x)
    assert z.shape == (2, channels, 8, 12) and config.rho == rho
    assert bandwidth_ratio(num_channel_uses(z[0].numel()), x.shape) == rho
    y = DeepJSCCDecoder(config)(z)
    assert y.shape == x.shape and y.min() >= 0 and y.max() <= 1


def test_adjscc_shapes_and_snr_conditioning():
    config = ADJSCCConfig(channels=2, width=16)
    enc, dec = ADJSCCEncoder(config), ADJSCCDecoder(config)
    x = torch.rand(2, 3, 16, 24)
    low, high = enc(x, torch.tensor([0.0, 0.0])), enc(x, torch.tensor([20.0, 20.0]))
    assert low.shape == (2, 2, 4, 6) and config.rho == Fraction(1, 48)
    assert not torch.allclose(low, high)  # the AF modules see the SNR
    y = dec(low, torch.tensor([0.0, 20.0]))
    assert y.shape == x.shape and y.min() >= 0 and y.max() <= 1


def test_adjscc_gate_bias_opens_the_af_gates_at_initialisation():
    """Default gates start near 0.5 each; with af_gate_bias=3 every gate starts at sigmoid(3) +- the weights'
    share, so the untrained network keeps more of its signal (the reason for the option)."""
    from semcom.models.adjscc import AttentionFeature
    from semcom.models.jscc import JSCCAutoencoder, JSCCConfig

    x = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    snr = torch.tensor([0.0, 20.0])
    gates = {}
    for bias in (None, 3.0):
        torch.manual_seed(0)
        model = JSCCAutoencoder(JSCCConfig("adjscc", 2, 16, af_gate_bias=bias))
        values = []
        for module in model.modules():
            if isinstance(module, AttentionFeature):
                module.gate.register_forward_hook(lambda m, i, o: values.append(o.detach()))
        with torch.no_grad():
            model(x, snr, torch.Generator().manual_seed(1))
        gates[bias] = torch.cat([v.flatten() for v in values])
    assert len(gates[3.0]) == len(gates[None]) > 0
    assert gates[3.0].min() > 0.85 and abs(gates[None].mean() - 0.5) < 0.1
    with pytest.raises(ValueError, match="adjscc only"):
        JSCCConfig("deepjscc", 2, 16, af_gate_bias=3.0)


def test_jscc_config_round_trips_the_gate_bias(tmp_path):
    from semcom.models.jscc import JSCCAutoencoder, JSCCConfig
    from semcom.zoo import from_pretrained, save_pretrained

    config = JSCCConfig("adjscc", 2, 8, af_gate_bias=3.0)
    folder = save_pretrained(JSCCAutoencoder(config), config, tmp_path / "m")
    assert from_pretrained(folder)[1] == config
