"""Channel specification: which channel, and what the receiver knows and does.

A spec has a canonical text label, used in results files and on the command line::

    awgn
    awgn:snr=blind
    rayleigh:coherence=image,csi=perfect,eq=mmse
    rayleigh:coherence=64,csi=ls,eq=zf,pilots=4,snr=pilot

OFDM over 3GPP TDL channels (:mod:`semcom.channels.ofdm`) and MIMO spatial multiplexing
(:mod:`semcom.channels.mimo`) have specs of their own; :func:`parse_channel` reads any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch

from semcom.channels.fading import Coherence, coherence_length
from semcom.errors import SemcomError
from semcom.specs import parse_spec

KINDS = ("awgn", "rayleigh")
CSI = ("perfect", "ls")
EQUALIZERS = ("zf", "mmse")
SNR_ESTIMATORS = ("known", "pilot", "blind")


class ChannelSpecError(SemcomError, ValueError):
    """A channel specification that cannot be parsed or is inconsistent."""


#: Longest coherence block in symbols (an image at rho 1/2 of 8192x8192 pixels is about 1e8 symbols).
MAX_COHERENCE = 10**9


@dataclass(frozen=True)
class ChannelSpec:
    """What the channel is and how the receiver handles it.

    Attributes:
        kind: ``"awgn"`` or ``"rayleigh"``.
        coherence: Rayleigh coherence in symbols on air: ``"image"``, ``"fast"`` or an int L.
        csi: ``"perfect"`` channel knowledge or ``"ls"`` (least-squares from pilots).
        eq: equalizer, ``"zf"`` or ``"mmse"`` (Rayleigh only; AWGN needs none).
        snr: how the receiver learns the SNR: ``"known"``, ``"pilot"`` (pilot residuals) or ``"blind"``
            (received power).
        pilots: pilot symbols per coherence block when pilots are used (they count as channel uses).
    """

    kind: str = "awgn"
    coherence: Coherence = "image"
    csi: str = "perfect"
    eq: str = "mmse"
    snr: str = "known"
    pilots: int = 8

    def __post_init__(self):
        check_choice(self.kind, KINDS, "channel")
        check_choice(self.csi, CSI, "csi")
        check_choice(self.eq, EQUALIZERS, "eq")
        check_choice(self.snr, SNR_ESTIMATORS, "snr")
        if isinstance(self.coherence, int) and not 1 <= self.coherence <= MAX_COHERENCE:
            raise ChannelSpecError(f"coherence must be 1..{MAX_COHERENCE} symbols (or image, fast), got {self.coherence}")
        try:
            coherence_length(self.coherence, 1)
        except ValueError as exc:
            raise ChannelSpecError(str(exc)) from None
        if self.uses_pilots and self.pilots < (2 if self.snr == "pilot" else 1):
            raise ChannelSpecError("pilot-based SNR estimation needs pilots >= 2")
        if self.kind == "awgn" and self.csi != "perfect":
            raise ChannelSpecError("AWGN has no channel to estimate; csi applies to rayleigh only")
        if self.kind == "rayleigh" and self.uses_pilots:
            if self.coherence == "fast":
                raise ChannelSpecError("pilots need a coherence block; fast fading supports csi=perfect only")
            if isinstance(self.coherence, int) and self.coherence <= self.pilots:
                raise ChannelSpecError(f"coherence {self.coherence} leaves no room for data after {self.pilots} pilots")

    @property
    def uses_pilots(self) -> bool:
        return self.csi == "ls" or self.snr == "pilot"

    @property
    def fading(self) -> bool:
        """Whether the channel varies from draw to draw (it takes several realizations to measure)."""
        return self.kind != "awgn"

    def frame_len(self, num_data: int) -> int:
        """Channel uses on air for ``num_data`` data symbols, pilots included."""
        from semcom.channels.link import frame_layout

        layout = frame_layout(self, num_data)
        return layout.frame_len if layout else int(num_data)

    def transmit(self, s: torch.Tensor, snr_db, generator=None):
        """Send ``complex64 [B, k]`` symbols (:func:`semcom.channels.link.transmit_symbols`)."""
        from semcom.channels.link import flat_transmit

        return flat_transmit(self, s, snr_db, generator)

    @property
    def label(self) -> str:
        """Canonical text form; ``ChannelSpec.parse(spec.label) == spec``."""
        parts = []
        if self.kind == "rayleigh":
            parts += [f"coherence={self.coherence}", f"csi={self.csi}", f"eq={self.eq}"]
        if self.uses_pilots:
            parts.append(f"pilots={self.pilots}")
        if self.snr != "known":
            parts.append(f"snr={self.snr}")
        return self.kind + (":" + ",".join(parts) if parts else "")

    @classmethod
    def parse(cls, text: str) -> "ChannelSpec":
        kind, given = parse_spec(text, "channel", ChannelSpecError)
        options: dict = {"kind": kind.lower()}
        known = {f.name for f in fields(cls)}
        for key, value in given.items():
            if key not in known or key == "kind":
                raise ChannelSpecError(f"bad channel option {key}={value!r} in {text!r}; options: "
                                       f"{sorted(known - {'kind'})}")
            options[key] = _coerce(key, value)
        if options["kind"] == "awgn":
            ignored = sorted(set(options) & {"coherence", "eq"})
            if ignored:
                raise ChannelSpecError(f"{', '.join(ignored)} in {text!r}: AWGN has no fading; these apply to "
                                       "rayleigh only")
        spec = cls(**options)
        if "pilots" in options and not spec.uses_pilots:
            raise ChannelSpecError(f"pilots in {text!r} change nothing: pilots are sent only with csi=ls or "
                                   "snr=pilot")
        return spec


def check_choice(value: str, allowed: tuple, what: str) -> None:
    if value not in allowed:
        raise ChannelSpecError(f"unknown {what} {value!r}; choose one of {', '.join(allowed)}")


def coerce_options(spec_class: type, given: dict[str, str], text: str) -> dict:
    """Check ``given`` option names against the dataclass fields of ``spec_class`` and convert each value to
    its field's type (int, float or text), or raise :class:`ChannelSpecError` naming the option."""
    defaults = {f.name: f.default for f in fields(spec_class)}
    options = {}
    for key, value in given.items():
        if key not in defaults:
            raise ChannelSpecError(f"bad channel option {key}={value!r} in {text!r}; options: {sorted(defaults)}")
        kind = type(defaults[key])
        try:
            options[key] = kind(value) if kind in (int, float) else value.lower()
        except ValueError:
            raise ChannelSpecError(f"{key} must be {'an integer' if kind is int else 'a number'}, got {value!r} "
                                   f"in {text!r}") from None
    return options


#: Channel kinds with specs of their own, and the module that defines each.
SPEC_MODULES = {"ofdm": ("semcom.channels.ofdm", "OFDMSpec"), "mimo": ("semcom.channels.mimo", "MIMOSpec")}


def parse_channel(text):
    """Any channel spec from its text (``awgn``, ``rayleigh:…``, ``ofdm:…``, ``mimo:…``); a spec object is
    returned as it is. Parsing never imports Sionna; sending does."""
    if not isinstance(text, str):
        return text
    kind = str(text).strip().partition(":")[0].strip().lower()
    if kind in SPEC_MODULES:
        import importlib

        module, name = SPEC_MODULES[kind]
        return getattr(importlib.import_module(module), name).parse(text)
    if kind not in KINDS:
        raise ChannelSpecError(f"unknown channel {kind!r}; choose one of {', '.join(KINDS + tuple(SPEC_MODULES))}")
    return ChannelSpec.parse(text)


def _coerce(key: str, value: str):
    if key == "pilots" or (key == "coherence" and value.isdigit()):
        try:
            return int(value)
        except ValueError:
            raise ChannelSpecError(f"{key} must be an integer, got {value!r}") from None
    return value
