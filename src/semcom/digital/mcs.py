"""Modulation and coding schemes (QAM × 802.11n LDPC rate) and SNR-based MCS selection.

The threshold table ``mcs_table.json`` ships with the package. It is produced by
``python -m semcom.digital.measure_mcs --out src/semcom/digital/mcs_table.json``, which records, per MCS, the
lowest AWGN SNR (dB, on a 0.25 dB grid) whose measured block error rate is below 1e-2, and how it was
measured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Mapping, Optional, Union

from semcom.digital.ldpc import LDPCCode
from semcom.digital.modulation import QAM

_MOD_NAMES = {2: "qpsk", 4: "16qam", 6: "64qam"}
TABLE_RESOURCE = "mcs_table.json"


@dataclass(frozen=True)
class MCS:
    """A modulation and coding scheme.

    Attributes:
        bits_per_symbol: 2 (QPSK), 4 (16-QAM) or 6 (64-QAM).
        rate: LDPC code rate as a ``Fraction`` (a string like ``"3/4"`` is accepted and converted).
    """

    bits_per_symbol: int
    rate: Fraction

    def __post_init__(self):
        if self.bits_per_symbol not in _MOD_NAMES:
            raise ValueError(
                f"bits_per_symbol must be one of {sorted(_MOD_NAMES)}, got {self.bits_per_symbol}"
            )
        rate = Fraction(self.rate)
        if str(rate) not in LDPCCode.available_rates():
            raise ValueError(f"no LDPC code of rate {rate}; available: {LDPCCode.available_rates()}")
        object.__setattr__(self, "rate", rate)

    @property
    def name(self) -> str:
        """E.g. ``"qpsk-1/2"``, ``"16qam-3/4"``, ``"64qam-5/6"``."""
        return f"{_MOD_NAMES[self.bits_per_symbol]}-{self.rate}"

    @property
    def spectral_efficiency(self) -> float:
        """Information bits per complex channel use: ``bits_per_symbol · rate``."""
        return float(self.bits_per_symbol * self.rate)

    @property
    def modulation(self) -> QAM:
        return QAM(self.bits_per_symbol)

    @property
    def code(self) -> LDPCCode:
        return LDPCCode.standard(self.rate)

    @classmethod
    def parse(cls, name: str) -> "MCS":
        """Inverse of :attr:`name`: ``MCS.parse("16qam-3/4") == MCS(4, Fraction(3, 4))``."""
        try:
            mod, rate = name.strip().lower().split("-")
            bits = {v: k for k, v in _MOD_NAMES.items()}[mod]
            return cls(bits, Fraction(rate))
        except (ValueError, KeyError, ZeroDivisionError):
            raise ValueError(f"not an MCS name: {name!r} (expected e.g. 'qpsk-1/2', '16qam-3/4')") from None

    def __str__(self) -> str:
        return self.name


#: Every MCS: 3 modulations × the LDPC rates, ordered by modulation, then rate.
ALL_MCS: tuple[MCS, ...] = tuple(
    MCS(bits, Fraction(rate)) for bits in sorted(_MOD_NAMES) for rate in LDPCCode.available_rates()
)


@dataclass(frozen=True)
class MCSTable:
    """Measured AWGN thresholds.

    Attributes:
        thresholds_db: MCS name -> lowest SNR (dB) with measured BLER below ``target_bler``.
        target_bler: the BLER target (1e-2).
        metadata: how the table was produced (command, blocks per point, seed, date, commit, …).
        raw: the whole JSON document (per-point measurements included).
    """

    thresholds_db: Mapping[str, float]
    target_bler: float
    metadata: Mapping = field(default_factory=dict)
    raw: Mapping = field(default_factory=dict, repr=False)

    def threshold(self, mcs: Union[MCS, str]) -> float:
        return self.thresholds_db[mcs.name if isinstance(mcs, MCS) else mcs]


def load_mcs_table(path: Optional[Union[str, Path]] = None) -> MCSTable:
    """Read an MCS threshold table; by default the one packaged with semcom."""
    if path is None:
        text = resources.files("semcom.digital").joinpath(TABLE_RESOURCE).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    doc = json.loads(text)
    return MCSTable(
        thresholds_db={k: float(v) for k, v in doc["thresholds_db"].items()},
        target_bler=float(doc["target_bler"]),
        metadata=doc.get("metadata", {}),
        raw=doc,
    )


def select_mcs(snr_db: float, table: Optional[Union[MCSTable, Mapping[str, float]]] = None) -> Optional[MCS]:
    """The MCS with the highest spectral efficiency whose threshold is ``<= snr_db`` (dB), or None.

    Args:
        snr_db: the (effective) SNR the link will see, in dB.
        table: an :class:`MCSTable` or a mapping MCS name -> threshold (dB); default: the packaged table.
            MCS names in the table that are not in :data:`ALL_MCS` are ignored.

    Returns:
        The chosen :class:`MCS` (ties in spectral efficiency go to the lower threshold), or None if
        ``snr_db`` is below every threshold.
    """
    if table is None:
        table = load_mcs_table()
    thresholds = table.thresholds_db if isinstance(table, MCSTable) else table
    best: Optional[MCS] = None
    for mcs in ALL_MCS:
        t = thresholds.get(mcs.name)
        if t is None or t > snr_db:
            continue
        if best is None or (mcs.spectral_efficiency, -t) > (best.spectral_efficiency, -thresholds[best.name]):
            best = mcs
    return best
