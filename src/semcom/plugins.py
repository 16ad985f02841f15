"""Scheme plug-ins: modules found through the ``semcom.schemes`` entry-point group.

A distribution adds schemes by declaring, in its ``pyproject.toml``::

    [project.entry-points."semcom.schemes"]
    tiny-jscc = "semcom_example_plugin.scheme"

Each target is a module that registers its scheme classes with
:func:`semcom.schemes.register_scheme` when imported (and may register a zoo folder or a trainer). semcom's
own schemes are declared the same way in its ``pyproject.toml``. :func:`load_plugins` imports every target
once per process, semcom's first; the registry calls it before any lookup.

A plug-in that fails to import does not stop semcom: commands that do not need it still run. It gives one
:class:`PluginWarning` naming the entry point, its distribution and the error, and asking for one of its
schemes then fails with :class:`~semcom.errors.UnknownNameError` whose one line says why the scheme is
missing. A failure in semcom's own modules is a bug and is raised as it is.

When semcom's own distribution declares no entry points (a source tree on ``PYTHONPATH`` that was never
pip-installed, or an install older than the entry points), :data:`BUILTIN_MODULES` are imported instead;
a test checks that this list and ``pyproject.toml`` agree.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from importlib import metadata

ENTRY_POINT_GROUP = "semcom.schemes"
DISTRIBUTION = "semcom"

#: semcom's own scheme modules, by entry-point name: the fallback when semcom's metadata has none.
BUILTIN_MODULES = {
    "identity-analog": "semcom.schemes.identity_analog",
    "jscc": "semcom.schemes.jscc",
    "latent-diff": "semcom.schemes.latent_diff",
    "bandwidth-diff": "semcom.schemes.bandwidth_diff",
    "separation-capacity": "semcom.schemes.separation_capacity",
    "separation-ldpc": "semcom.schemes.separation_ldpc",
}


class PluginWarning(UserWarning):
    """A scheme plug-in that could not be imported (its schemes are not registered)."""


@dataclass(frozen=True)
class PluginFailure:
    """An entry point whose module failed to import: ``entry_point`` (``name = module``), its
    ``distribution`` (``name version``) and the ``error`` as one line."""

    entry_point: str
    distribution: str
    error: str

    def __str__(self) -> str:
        return f"scheme plugin {self.entry_point!r} of {self.distribution} failed to import ({self.error})"


_failures: list[PluginFailure] | None = None  # None until load_plugins has run


def scheme_entry_points() -> list[metadata.EntryPoint]:
    """The ``semcom.schemes`` entry points of every installed distribution, semcom's first, then by
    distribution and name."""
    found = metadata.entry_points(group=ENTRY_POINT_GROUP)
    return sorted(found, key=lambda ep: (not _is_semcom(ep), _dist_name(ep), ep.name))


def load_plugins() -> list[PluginFailure]:
    """Import every scheme module once (later calls return at once); returns the plug-ins that failed."""
    global _failures
    if _failures is not None:
        return list(_failures)
    _failures = []  # set first: a plug-in that looks schemes up while it is imported does not re-enter
    points = scheme_entry_points()
    if not any(_is_semcom(ep) for ep in points):
        for module in BUILTIN_MODULES.values():
            importlib.import_module(module)
    for ep in points:
        if _is_semcom(ep):
            ep.load()  # a failure here is a bug in semcom: let it raise with its traceback
            continue
        try:
            ep.load()
        except Exception as exc:  # noqa: BLE001  (any error in third-party code leaves semcom usable)
            error = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"
            failure = PluginFailure(f"{ep.name} = {ep.value}", _dist_label(ep), error)
            _failures.append(failure)
            warnings.warn(f"semcom: {failure}; its schemes are not available", PluginWarning, stacklevel=2)
    return list(_failures)


def trusted_packages() -> frozenset[str]:
    """Top-level packages whose classes a weights config may name (:func:`semcom.zoo.from_pretrained`):
    semcom's, and those of the modules that installed plug-ins declare. Installing a plug-in is the user's
    choice to run its code; a config can never name anything else (and nothing is ever unpickled)."""
    declared = {ep.value.partition(":")[0].partition(".")[0] for ep in scheme_entry_points()}
    return frozenset({DISTRIBUTION} | declared)


def _dist_name(ep: metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return (dist.metadata["Name"] or "").lower().replace("_", "-") if dist is not None else ""


def _dist_label(ep: metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return "an unknown distribution" if dist is None else f"distribution {dist.metadata['Name']} {dist.version}"


def _is_semcom(ep: metadata.EntryPoint) -> bool:
    return _dist_name(ep) == DISTRIBUTION
