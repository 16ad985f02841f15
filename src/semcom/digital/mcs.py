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
from semcom.digital.nr import NR_BITS_PER_SYMBOL, NR_RATES, NRCode, NRQAM

_MOD_NAMES = {2: "qpsk", 4: "16qam", 6: "64qam", 8: "256qam"}
#: The code families: the IEEE 802.11n LDPC codes (semcom's own encoder, the ``ldpc`` package's BP) and the
#: 5G NR code blocks of Sionna PHY (:mod:`semcom.digital.nr`).
FAMILIES = ("80211n", "nr")
TABLE_RESOURCES = {"80211n": "mcs_table.json", "nr": "mcs_table_nr.json"}


@dataclass(frozen=True)
class MCS:
    """A modulation and coding scheme.

    Attributes:
        bits_per_symbol: 2 (QPSK), 4 (16-QAM) or 6 (64-QAM).
        rate: LDPC code rate as a ``Fraction`` (a string like ``"3/4"`` is accepted and converted).
    """

    bits_per_symbol: int
    rate: Fraction
    family: str = "80211n"

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise ValueError(f"unknown MCS family {self.family!r}; choose one of {', '.join(FAMILIES)}")
        allowed_bits = (2, 4, 6) if self.family == "80211n" else NR_BITS_PER_SYMBOL
        if self.bits_per_symbol not in allowed_bits:
            raise ValueError(f"bits_per_symbol must be one of {list(allowed_bits)}, got {self.bits_per_symbol}")
        rate = Fraction(self.rate)
        rates = LDPCCode.available_rates() if self.family == "80211n" else NR_RATES
        if str(rate) not in rates:
            raise ValueError(f"no {self.family} LDPC code of rate {rate}; available: {rates}")
        object.__setattr__(self, "rate", rate)

    @property
    def name(self) -> str:
        """E.g. ``"qpsk-1/2"``, ``"16qam-3/4"``, ``"64qam-5/6"``; NR ones start with ``nr-``."""
        prefix = "nr-" if self.family == "nr" else ""
        return f"{prefix}{_MOD_NAMES[self.bits_per_symbol]}-{self.rate}"

    @property
    def spectral_efficiency(self) -> float:
        """Information bits per complex channel use: ``bits_per_symbol · rate``."""
        return float(self.bits_per_symbol * self.rate)

    @property
    def modulation(self):
        """:class:`QAM` (802.11n family) or Sionna's NR QAM (:class:`semcom.digital.nr.NRQAM`)."""
        return QAM(self.bits_per_symbol) if self.family == "80211n" else NRQAM(self.bits_per_symbol)

    @property
    def code(self):
        """The IEEE 802.11n code (n = 1944) or the 5G NR code block (:class:`semcom.digital.nr.NRCode`)."""
        return LDPCCode.standard(self.rate) if self.family == "80211n" else NRCode.standard(self.rate)

    @classmethod
    def parse(cls, name: str) -> "MCS":
        """Inverse of :attr:`name`: ``MCS.parse("16qam-3/4") == MCS(4, Fraction(3, 4))``."""
        text = name.strip().lower()
        family = "nr" if text.startswith("nr-") else "80211n"
        try:
            mod, rate = text.removeprefix("nr-").split("-")
            bits = {v: k for k, v in _MOD_NAMES.items()}[mod]
            return cls(bits, Fraction(rate), family)
        except (ValueError, KeyError, ZeroDivisionError):
            raise ValueError(f"not an MCS name: {name!r} (expected e.g. 'qpsk-1/2', '16qam-3/4', "
                             "'nr-256qam-5/6')") from None

    def __str__(self) -> str:
        return self.name


#: Every MCS: 3 modulations × the LDPC rates, ordered by modulation, then rate.
ALL_MCS: tuple[MCS, ...] = tuple(
    MCS(bits, Fraction(rate)) for bits in (2, 4, 6) for rate in LDPCCode.available_rates()
)
#: The 5G NR family: 4 modulations × the NR rates.
NR_MCS: tuple[MCS, ...] = tuple(
    MCS(bits, Fraction(rate), "nr") for bits in NR_BITS_PER_SYMBOL for rate in NR_RATES
)


def family_mcs(family: str) -> tuple[MCS, ...]:
    """Every MCS of a code family (``80211n`` or ``nr``)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown MCS family {family!r}; choose one of {', '.join(FAMILIES)}")
    return ALL_MCS if family == "80211n" else NR_MCS


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


def load_mcs_table(path: Optional[Union[str, Path]] = None, family: str = "80211n") -> MCSTable:
    """Read an MCS threshold table; by default the one packaged with semcom for ``family``."""
    if path is None:
        family_mcs(family)  # checks the name
        text = resources.files("semcom.digital").joinpath(TABLE_RESOURCES[family]).read_text(encoding="utf-8")
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
            The table's names pick the family (:data:`ALL_MCS` or :data:`NR_MCS`); other names are ignored.

    Returns:
        The chosen :class:`MCS` (ties in spectral efficiency go to the lower threshold), or None if
        ``snr_db`` is below every threshold.
    """
    if table is None:
        table = load_mcs_table()
    thresholds = table.thresholds_db if isinstance(table, MCSTable) else table
    best: Optional[MCS] = None
    for mcs in ALL_MCS + NR_MCS:
        t = thresholds.get(mcs.name)
        if t is None or t > snr_db:
            continue
        if best is None or (mcs.spectral_efficiency, -t) > (best.spectral_efficiency, -thresholds[best.name]):
            best = mcs
    return best
