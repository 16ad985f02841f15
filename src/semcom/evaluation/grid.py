"""Parsing of SNR grids given on the command line."""

from __future__ import annotations

import math

from semcom.channels.snr import validate_snr_db
from semcom.errors import InvalidSNRError

#: DESIGN.md §4 SNR grid (dB).
DEFAULT_SNR_GRID = (-5.0, 0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0)


#: The most SNR points one grid may hold (a typo such as 0:30:1e-6 would otherwise fill the memory).
MAX_GRID_POINTS = 1000


def parse_snr_grid(text: str) -> list[float]:
    """``"-5:30:5"`` (start:stop:step, stop included), ``"0,10,20"`` or ``"7"`` → list of dB values.

    NaN, infinities, empty ranges and non-positive steps raise :class:`InvalidSNRError`.
    """
    values: list[float] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if ":" in part:
            values += _parse_range(part)
        else:
            values.append(_number(part))
    if not values:
        raise InvalidSNRError(f"no SNR values in {text!r}")
    for v in values:
        validate_snr_db(v)
    return sorted(set(values))


def _parse_range(part: str) -> list[float]:
    pieces = part.split(":")
    if len(pieces) not in (2, 3):
        raise InvalidSNRError(f"SNR range {part!r} must be start:stop or start:stop:step")
    start, stop = _number(pieces[0]), _number(pieces[1])
    step = _number(pieces[2]) if len(pieces) == 3 else 1.0
    for v in (start, stop, step):
        validate_snr_db(v)
    if step <= 0:
        raise InvalidSNRError(f"SNR step must be positive in {part!r}")
    if stop < start:
        raise InvalidSNRError(f"SNR range {part!r} is empty (stop < start)")
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    if count > MAX_GRID_POINTS:
        raise InvalidSNRError(f"SNR grid {part!r} has {count} points, more than the limit of {MAX_GRID_POINTS}")
    return [round(start + i * step, 10) for i in range(count)]


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidSNRError(f"{text!r} is not a number (SNR in dB)") from None
