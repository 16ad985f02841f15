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
