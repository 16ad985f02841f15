"""The one grammar for anything named with options: ``name`` or ``name:key=value,key=value``.

Schemes (``latent-diff:steps=10``), channels (``rayleigh:csi=ls,pilots=4``) and metrics (``psnr``) are all
written this way and parsed here; each registry then checks the keys and values it knows.
"""

from __future__ import annotations

from typing import Iterable

from semcom.errors import SemcomError


class SpecSyntaxError(SemcomError, ValueError):
    """A spec that does not follow ``name:key=value,...``."""


def parse_spec(text: str, what: str = "spec",
               error: type[Exception] = SpecSyntaxError) -> tuple[str, dict[str, str]]:
    """``"name:key=value,key=value"`` → ``(name, {key: value})``: values stay text, blanks are trimmed, a key
    given twice or an item without ``=`` raise ``error`` naming ``what`` and the whole spec."""
    name, _, rest = str(text).strip().partition(":")
    if not name.strip():
        raise error(f"{what} {text!r} has no name before its options")
    options: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise error(f"{what} option {item!r} in {text!r} is not key=value")
        if key in options:
            raise error(f"{what} option {key!r} is given twice in {text!r}")
        options[key] = value.strip()
    return name.strip(), options


def format_spec(name: str, options: Iterable[tuple[str, object]] = ()) -> str:
    """The inverse of :func:`parse_spec` for options in the given order."""
    parts = [f"{key}={value}" for key, value in options]
    return name + (":" + ",".join(parts) if parts else "")
