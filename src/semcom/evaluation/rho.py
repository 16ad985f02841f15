"""The nominal bandwidth ratio of a results row: what summaries, tables and figures group by."""

from __future__ import annotations

from fractions import Fraction


#: Design ratios 1/N with N = 2^a 3^b (1/2, 1/3, ..., 1/12, 1/24, 1/48, 1/96, ...): the ones schemes use.
_DESIGN = sorted({Fraction(1, 2 ** a * 3 ** b) for a in range(11) for b in range(3) if 2 ** a * 3 ** b > 1})


def nominal_rho(rho: float) -> Fraction:
    """The design ratio a rho belongs to. Summaries group rows by the scheme's configured rho (recorded in each
    row's ``info["rho_nominal"]``), which this returns unchanged. For rows written before that was recorded,
    it snaps a measured k/n to the nearest design ratio 1/(2^a 3^b), else to 1/N, within 5%: pilots move k
    slightly above rho·n (1/12 + 8/n reads as 1/12)."""
    if 0 < rho < 1:
        for candidates in (_DESIGN, [Fraction(1, max(1, round(1 / rho)))]):
            best = min(candidates, key=lambda c: abs(rho / c - 1))
            if abs(rho / best - 1) <= 0.05:
                return best
    return Fraction(rho).limit_denominator(200)


def row_rho(row) -> float:
    """The nominal rho of a results row: its recorded ``rho_nominal``, else its measured k/n snapped."""
    recorded = row.info.get("rho_nominal") if isinstance(row.info, dict) else None
    return float(Fraction(recorded)) if recorded else float(nominal_rho(row.rho))
