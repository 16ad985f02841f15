"""What plots, reports and the zoo catalog know about a scheme spec, read from its config without loading
weights (:meth:`semcom.schemes.Scheme.describe`), and the helpers that read the weights' records for it.

A weights option (``weights=NAME|PATH``, ``codec=...``) is described by its *record*: the zoo manifest
entry of a name (:func:`semcom.zoo.load_manifest`, always on this machine even where the weights files
are downloaded on first use), or the ``config.json`` that ``save_pretrained`` wrote in a folder.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Optional


@dataclass(frozen=True)
class SchemeDescription:
    """A scheme spec as figures and reports name it.

    Attributes:
        label: this spec in a legend, e.g. ``"Latent-Diff TAEF2-PCA, no de-noiser"`` (unique per method,
            not per spec: the full specs are in the tables).
        family: the same method at every rho, e.g. ``"DeepJSCC@10dB"``, ``"Latent-Diff TAEF2"``: a rho
            figure draws one line per family (and setting), and names it so.
        rho: the nominal bandwidth ratio the config sets (k data symbols / n), None where the image or an
            unknown codec sets it.
        setting: the spec's options that neither choose the rate nor show in the label
            (``"denoiser=x,steps=5"``): lines of one family with different settings are drawn apart.
    """

    label: str
    family: str
    rho: Optional[Fraction] = None
    setting: str = ""

    @property
    def family_key(self) -> tuple[str, str]:
        """What a rho figure groups rows by: the family and the setting."""
        return (self.family, self.setting)


def unknown_description(spec: str) -> SchemeDescription:
    """The description of a spec that no registered scheme reads (a plug-in not installed here, an option
    this version does not have): its name as the label, the whole spec as its own family."""
    name, _, options = spec.partition(":")
    return SchemeDescription(label=name, family=name, setting=options)


def parse_rho(value: Any) -> Optional[Fraction]:
    """``"1/48"`` (or a Fraction) → ``Fraction(1, 48)``; None for anything else (``"any (set by the codec)"``)."""
    try:
        rho = Fraction(str(value).replace(":", "/"))
    except (ValueError, ZeroDivisionError):
        return None
    return rho if 0 < rho <= 1 else None


_MEMO: ContextVar[Optional[dict]] = ContextVar("semcom_descriptions", default=None)


@contextmanager
def remembered():
    """Within this block (or a function it decorates) each spec is described and each weights record read
    once: a figure describes the same few specs for hundreds of rows, and the zoo does not change meanwhile.
    Nested blocks share the outer one's memory; outside any block nothing is remembered."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def memoized(key: tuple, compute):
    """``compute()``, or its value remembered under ``key`` inside :func:`remembered`."""
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def weights_record(name_or_path: str) -> Optional[dict]:
    """The manifest entry of zoo weights ``NAME``, else the ``config.json`` record of a folder ``PATH``, else
    None. Nothing is downloaded or loaded."""
    return memoized(("record", name_or_path), lambda: _read_record(name_or_path))


def _read_record(name_or_path: str) -> Optional[dict]:
    if not name_or_path:
        return None
    from semcom.zoo import load_manifest
    from semcom.zoo.pretrained import CONFIG_FILE

    entry = load_manifest().get(name_or_path)
    if entry is not None:
        return entry
    try:
        record = json.loads((Path(name_or_path).expanduser() / CONFIG_FILE).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def model_class_is(record: Optional[dict], cls: type) -> bool:
    """Whether a weights record names ``cls`` as its model class (compared as text: nothing is imported)."""
    return bool(record) and record.get("model_class") == f"{cls.__module__}.{cls.__qualname__}"


def recorded_setting(record: Optional[dict], section: str, key: str) -> Optional[str]:
    """A training setting of weights, ``record[section][key]`` (``record[key]`` for ``section=""``), as text:
    a saved folder's ``config.json`` and a manifest entry both hold ``train_config``, ``loss_weights`` and
    ``codec`` (:data:`semcom.zoo.registry.TRAINING_KEYS`). None when the record does not say."""
    if not record:
        return None
    held = record.get(section) if section else record
    return str(held[key]) if isinstance(held, dict) and held.get(key) is not None else None
