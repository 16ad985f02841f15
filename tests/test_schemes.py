"""The scheme registry and the identity-analog reference scheme."""

import math

import numpy as np
import pytest
import torch
from skimage import data as skdata

from semcom.channels import ChannelSpec
from semcom.errors import UnknownNameError
from semcom.metrics import psnr
from semcom.schemes import canonical_spec, create_scheme, list_schemes, register_scheme
from semcom.schemes.identity_analog import IdentityAnalog, expected_mse_awgn
from semcom.schemes.registry import SchemeOptionError


def photos():
    imgs = [skdata.astronaut(), skdata.coffee()[:400, :600], skdata.chelsea()]
    return [torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1).float().div(255) for a in imgs]


def test_registry_lookup_and_specs():
    assert "identity-analog" in list_schemes()
    scheme = create_scheme("identity-analog:receiver=lmmse")
    assert isinstance(scheme, IdentityAnalog) and scheme.config.receiver == "lmmse"
    assert canonical_spec(scheme) == "identity-analog:receiver=lmmse"
    assert canonical_spec(create_scheme("identity-analog")) == "identity-analog"
    with pytest.raises(UnknownNameError, match="available: .*identity-analog"):
        create_scheme("deep-magic")
    with pytest.raises(SchemeOptionError, match="no option 'gain'"):
        create_scheme("identity-analog:gain=2")
    with pytest.raises(SchemeOptionError):
        create_scheme("identity-analog:receiver=wiener")
    with pytest.raises(ValueError, match="already registered"):
        register_scheme("identity-analog")(type("Other", (IdentityAnalog,), {}))


@pytest.mark.parametrize("receiver", ["zf", "lmmse"])
def test_identity_analog_matches_closed_form_over_awgn(receiver):
    scheme = create_scheme(f"identity-analog:receiver={receiver}")
    for snr in (-5.0, 0.0, 10.0, 20.0, 30.0):
        measured, predicted = [], []
        for i, img in enumerate(photos()):
            sent = scheme.transmit(img[None], snr, ChannelSpec(), torch.Generator().manual_seed(i))
            measured.append(psnr(img[None], sent.reconstruction).item())
            predicted.append(-10 * math.log10(expected_mse_awgn(img, snr, receiver)))
        assert abs(np.mean(measured) - np.mean(predicted)) < 0.1, (snr, measured, predicted)


def test_identity_analog_accounting_and_ordering():
    img = photos()[2][:, :299]  # 299 x 451 x 3: an odd number of reals
    sent = create_scheme("identity-analog").transmit(img[None], 10.0, ChannelSpec(), torch.Generator())
    n = img.numel()
    assert n % 2 == 1 and sent.channel_uses == (n + 1) // 2 and sent.source_size == n
    # at very low SNR the shrinking receiver wins, as its closed form says
    assert expected_mse_awgn(img, -5.0, "lmmse") < expected_mse_awgn(img, -5.0, "zf")


def test_identity_analog_over_rayleigh_with_pilots():
    img = photos()[0][None]
    spec = ChannelSpec.parse("rayleigh:coherence=1024,csi=ls,eq=mmse,pilots=4,snr=pilot")
    gen = torch.Generator().manual_seed(0)
    sent = create_scheme("identity-analog:receiver=lmmse").transmit(img, 20.0, spec, gen)
    k_data = img.numel() // 2
    assert sent.channel_uses == k_data + 4 * math.ceil(k_data / 1020)
    assert sent.reconstruction.shape == img.shape
    assert 15 < psnr(img, sent.reconstruction).item() < 40
    assert abs(sent.snr_db_estimate.item() - 20.0) < 0.5
