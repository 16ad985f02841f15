"""The one scheme registry. The CLI, sweeps, zoo and tests all look schemes up here.

A scheme is named by a *spec*: the registered name, optionally followed by config options,
``"identity-analog:receiver=lmmse"``. :func:`canonical_spec` gives the form stored in results files, and
:func:`describe_spec` what figures and reports call it. Scheme modules, semcom's and plug-ins', are imported
through the ``semcom.schemes`` entry points (:mod:`semcom.plugins`) before the first lookup.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Callable, TypeVar

from semcom.errors import SemcomError, UnknownNameError
from semcom.plugins import load_plugins
from semcom.schemes.base import Scheme, check_precision
from semcom.schemes.description import SchemeDescription, memoized, unknown_description
from semcom.specs import format_spec
from semcom.specs import parse_spec as parse_text

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
    load_plugins()
    return sorted(_SCHEMES)


def scheme_class(name: str) -> type[Scheme]:
    failures = load_plugins()
    try:
        return _SCHEMES[name]
    except KeyError:
        broken = "".join(f"; {failure}" for failure in failures)
        raise UnknownNameError(f"unknown scheme {name!r}; available: {', '.join(sorted(_SCHEMES))}{broken}") from None


def describe_spec(spec: str, precision: str | None = None) -> SchemeDescription:
    """Label, family, nominal rho and setting of a spec (:meth:`Scheme.describe`), from its config alone: no
    weights are loaded. A spec that no registered scheme reads (a results file of a plug-in not installed
    here) is described by its name (:func:`~semcom.schemes.description.unknown_description`), so figures
    of old results still draw. Inside :func:`~semcom.schemes.description.remembered`, each spec is described
    once."""
    return memoized(("spec", spec, precision), lambda: _describe(spec, precision))


def _describe(spec: str, precision: str | None) -> SchemeDescription:
    try:
        name, options = parse_spec(spec)
        cls = scheme_class(name)
        chosen = _precision(cls, options, precision)
        config = _build_config(cls, options, spec)
    except (UnknownNameError, SchemeOptionError):
        return unknown_description(spec)
    return cls.describe(config, chosen)


def parse_spec(spec: str) -> tuple[str, dict[str, str]]:
    """``"name:key=value,key=value"`` → ``(name, {key: value})`` (values still text; ``-`` in keys reads as
    ``_``). The grammar is :func:`semcom.specs.parse_spec`'s, shared with channels and metrics."""
    name, options = parse_text(spec, "scheme", SchemeOptionError)
    return name, {key.replace("-", "_"): value for key, value in options.items()}


def create_scheme(spec: str, device=None, precision: str | None = None, **overrides) -> Scheme:
    """Build a scheme from a spec string, on ``device`` (default: the CPU); keyword ``overrides`` win over
    options in the spec.

    ``precision=fp32|bf16`` is an option of every learned scheme's spec (:class:`Scheme`). The ``precision``
    keyword sets it for a learned scheme (winning over the spec) and leaves schemes without learned parts
    alone, so one setting can be given to a whole sweep."""
    name, text_options = parse_spec(spec)
    cls = scheme_class(name)
    options = {**text_options, **overrides}
    precision = _precision(cls, options, precision)
    config = _build_config(cls, options, spec)
    try:
        scheme = cls(config, precision=precision)
    except ValueError as exc:  # options the config accepts but the scheme refuses (steps=-1, sampler=xyz)
        raise SchemeOptionError(f"bad options for scheme {cls.name!r} in {spec!r}: {exc}") from None
    return scheme.to(device) if device is not None else scheme


def canonical_spec(scheme: Scheme) -> str:
    """The spec of a scheme instance with only its non-default options, in field order (``precision`` last)."""
    return _canonical(type(scheme), scheme.config, scheme.precision)


def canonical_text(spec: str, precision: str | None = None) -> str:
    """:func:`canonical_spec` of the scheme ``spec`` names, without building it (no weights are loaded);
    ``precision`` as :func:`create_scheme`'s keyword."""
    name, options = parse_spec(spec)
    cls = scheme_class(name)
    chosen = _precision(cls, options, precision)
    try:
        check_precision(chosen, cls)
    except ValueError as exc:
        raise SchemeOptionError(f"{exc} (in {spec!r})") from None
    return _canonical(cls, _build_config(cls, options, spec), chosen)


def with_precision(spec: str, precision: str | None) -> str:
    """``spec`` with ``precision=...`` set when it names a learned scheme (else unchanged): the spec a
    ``precision`` keyword of :func:`create_scheme` amounts to, for code that keeps specs as text."""
    name, options = parse_spec(spec)
    if precision is None or not scheme_class(name).learned:
        return spec
    options["precision"] = precision
    return format_spec(name, options.items())


def _precision(cls: type[Scheme], options: dict, keyword: str | None) -> str:
    """The precision a scheme runs at: the keyword for learned schemes, else the spec's option (removed
    from ``options``), else fp32."""
    in_spec = options.pop("precision", None)
    if keyword is not None and cls.learned:
        return keyword
    return in_spec or "fp32"


def _canonical(cls: type[Scheme], config, precision: str = "fp32") -> str:
    return format_spec(cls.name, canonical_options(cls, config, precision))


def canonical_options(cls: type[Scheme], config, precision: str = "fp32") -> list[tuple[str, object]]:
    """``[(option, value)]`` of the config's non-default options in field order, ``precision`` last."""
    defaults = cls.Config()
    parts = [
        (f.name, getattr(config, f.name))
        for f in dataclasses.fields(config)
        if getattr(config, f.name) != getattr(defaults, f.name)
    ]
    if precision != "fp32":
        parts.append(("precision", precision))
    return parts


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
