"""Schemes: complete transmitter–receiver pairs, all reachable through one registry."""

from semcom.schemes.base import Scheme, Transmission
from semcom.schemes.registry import (
    canonical_spec,
    canonical_text,
    create_scheme,
    list_schemes,
    parse_spec,
    register_scheme,
    scheme_class,
    with_precision,
)

__all__ = [
    "Scheme",
    "Transmission",
    "canonical_spec",
    "canonical_text",
    "create_scheme",
    "list_schemes",
    "parse_spec",
    "register_scheme",
    "scheme_class",
    "with_precision",
]
