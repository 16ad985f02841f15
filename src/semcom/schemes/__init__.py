"""Schemes: complete transmitter–receiver pairs, all reachable through one registry."""

from semcom.schemes.base import Scheme, Transmission
from semcom.schemes.description import SchemeDescription
from semcom.schemes.registry import (
    canonical_spec,
    canonical_text,
    create_scheme,
    describe_spec,
    list_schemes,
    parse_spec,
    register_scheme,
    scheme_class,
    with_precision,
)

__all__ = [
    "Scheme",
    "SchemeDescription",
    "Transmission",
    "canonical_spec",
    "canonical_text",
    "create_scheme",
    "describe_spec",
    "list_schemes",
    "parse_spec",
    "register_scheme",
    "scheme_class",
    "with_precision",
]
