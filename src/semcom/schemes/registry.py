"""The one scheme registry. The CLI, sweeps, zoo and tests all look schemes up here.

A scheme is named by a *spec*: the registered name, optionally followed by config options,
``"identity-analog:receiver=lmmse"``. :func:`canonical_spec` gives the form stored in results files.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Callable, TypeVar

from semcom.errors import SemcomError, UnknownNameError
from semcom.schemes.base import Scheme

_SCHEMES: dict[str, type[Scheme]] = {}
S = TypeVar("S", bound=type[Scheme])


class SchemeOptionError(SemcomError, ValueError):
    """A scheme option that does not exist or has the wrong type."""


def register_scheme(name: str) -> Callable[[S], S]:
    """Class decorator: register a :class:`Scheme` subclass under ``name`` (a paper slug)."""

    def decorator(cls: S) -> S:
        if name in _SCHEMES and _SCHEMES[name] is not cls:
            raise ValueError(f"scheme name {name!r} is already registered by {_SCHEMES[name].__name__}")
        cls.name = name
        _SCHEMES[name] = cls
        return cls

    return decorator


def list_schemes() -> list[str]:
    """Registered scheme names, sorted."""
    _load_builtin()
    return sorted(_SCHEMES)


def scheme_class(name: str) -> type[Scheme]:
    _load_builtin()
    try:
        return _SCHEMES[name]
    except KeyError:
        raise UnknownNameError(f"unknown scheme {name!r}; available: {', '.join(sorted(_SCHEMES))}") from None


def parse_spec(spec: str) -> tuple[str, dict[str, str]]:
    """``"name:key=value,key=value"`` → ``(name, {key: value})`` (values still text)."""
    name, _, rest = spec.strip().partition(":")
    options = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise SchemeOptionError(f"scheme option {item!r} in {spec!r} is not key=value")
        options[key.strip().replace("-", "_")] = value.strip()
    return name.strip(), options


def create_scheme(spec: str, **overrides) -> Scheme:
    """Build a scheme from a spec string; keyword ``overrides`` win over options in the spec."""
    name, text_options = parse_spec(spec)
    cls = scheme_class(name)
    config = _build_config(cls, {**text_options, **overrides}, spec)
    try:
        return cls(config)
    except ValueError as exc:  # options the config accepts but the scheme refuses (steps=-1, sampler=xyz)
        raise SchemeOptionError(f"bad options for scheme {cls.name!r} in {spec!r}: {exc}") from None


def canonical_spec(scheme: Scheme) -> str:
    """The spec of a scheme instance with only its non-default options, in field order."""
    return _canonical(type(scheme), scheme.config)


def canonical_text(spec: str) -> str:
    """:func:`canonical_spec` of the scheme ``spec`` names, without building it (no weights are loaded)."""
    name, text_options = parse_spec(spec)
    cls = scheme_class(name)
    return _canonical(cls, _build_config(cls, text_options, spec))


def _canonical(cls: type[Scheme], config) -> str:
    defaults = cls.Config()
    parts = [
        f"{f.name}={getattr(config, f.name)}"
        for f in dataclasses.fields(config)
        if getattr(config, f.name) != getattr(defaults, f.name)
    ]
    return cls.name + (":" + ",".join(parts) if parts else "")


def _build_config(cls: type[Scheme], options: dict, spec: str):
    fields = {f.name: f for f in dataclasses.fields(cls.Config)}
    values = {}
    for key, value in options.items():
        if key not in fields:
            raise SchemeOptionError(
                f"scheme {cls.name!r} has no option {key!r} (in {spec!r}); options: {', '.join(fields) or 'none'}"
            )
        values[key] = _coerce(value, type(getattr(cls.Config(), key)), key)
    try:
        return cls.Config(**values)
    except (TypeError, ValueError) as exc:
        raise SchemeOptionError(f"bad options for scheme {cls.name!r}: {exc}") from None


def _coerce(value, kind: type, key: str):
    if not isinstance(value, str):
        return value
    try:
        if kind is bool:
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(value)
            return value.lower() in ("true", "1", "yes")
        if kind is Fraction:
            return Fraction(value.replace(":", "/"))
        return kind(value) if kind in (int, float) else value
    except (ValueError, ZeroDivisionError):
        raise SchemeOptionError(f"option {key}={value!r} is not a valid {kind.__name__}") from None


def _load_builtin() -> None:
    """Import the modules that register the built-in schemes (once; imports are cached)."""
    from semcom.schemes import bandwidth_diff, identity_analog, jscc, latent_diff, separation_capacity, separation_ldpc  # noqa: F401
