"""Channel specification: which channel, and what the receiver knows and does.

A spec has a canonical text label, used in results files and on the command line::

    awgn
    awgn:snr=blind
    rayleigh:coherence=image,csi=perfect,eq=mmse
    rayleigh:coherence=64,csi=ls,eq=zf,pilots=4,snr=pilot
"""

from __future__ import annotations

from dataclasses import dataclass, fields

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
        _check(self.kind, KINDS, "channel")
        _check(self.csi, CSI, "csi")
        _check(self.eq, EQUALIZERS, "eq")
        _check(self.snr, SNR_ESTIMATORS, "snr")
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


def _check(value: str, allowed: tuple, what: str) -> None:
    if value not in allowed:
        raise ChannelSpecError(f"unknown {what} {value!r}; choose one of {', '.join(allowed)}")


def _coerce(key: str, value: str):
    if key == "pilots" or (key == "coherence" and value.isdigit()):
        try:
            return int(value)
        except ValueError:
            raise ChannelSpecError(f"{key} must be an integer, got {value!r}") from None
    return value
