"""One spec grammar for schemes, channels and metrics (semcom/specs.py)."""

import pytest

from semcom.channels import ChannelSpec, ChannelSpecError
from semcom.errors import UnknownNameError
from semcom.metrics.registry import get_metric
from semcom.schemes import canonical_text, parse_spec
from semcom.schemes.registry import SchemeOptionError
from semcom.specs import SpecSyntaxError, format_spec
from semcom.specs import parse_spec as parse_text


def test_grammar_round_trip():
    assert parse_text(" latent-diff : steps = 5 , sampler=ddpm ") == ("latent-diff", {"steps": "5", "sampler": "ddpm"})
    assert format_spec("rayleigh", [("csi", "ls"), ("pilots", 4)]) == "rayleigh:csi=ls,pilots=4"
    assert parse_text(format_spec("x", [("a", "1/12")])) == ("x", {"a": "1/12"})
    with pytest.raises(SpecSyntaxError, match="no name"):
        parse_text(":a=1")


@pytest.mark.parametrize("parse, error", [(parse_spec, SchemeOptionError), (ChannelSpec.parse, ChannelSpecError),
                                          (get_metric, UnknownNameError)])
def test_every_registry_uses_the_one_grammar(parse, error):
    with pytest.raises(error, match="twice"):
        parse("psnr:a=1,a=2")
    with pytest.raises(error, match="not key=value"):
        parse("psnr:a")


def test_metric_names_take_no_options():
    assert get_metric(" psnr ").name == "psnr"
    with pytest.raises(UnknownNameError, match="takes no options"):
        get_metric("psnr:window=7")


def test_canonical_text_needs_no_weights():
    # a zoo name that does not exist would fail to load; the canonical form is computed from the text alone
    assert canonical_text("adjscc:weights=no-such-weights") == "adjscc:weights=no-such-weights"
    assert canonical_text("adjscc:weights=x", precision="bf16") == "adjscc:weights=x,precision=bf16"
    assert canonical_text("jpeg+capacity", precision="bf16") == "jpeg+capacity"
