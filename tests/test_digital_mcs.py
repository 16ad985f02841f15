"""MCS definitions, the packaged threshold table and MCS selection (semcom.digital.mcs)."""

from __future__ import annotations

import math
from fractions import Fraction
from importlib import resources

import pytest

from semcom.digital import ALL_MCS, MCS, load_mcs_table, select_mcs


def test_all_mcs_names_and_efficiency():
    names = [m.name for m in ALL_MCS]
    assert len(ALL_MCS) == 12 and len(set(names)) == 12
    assert "qpsk-1/2" in names and "16qam-3/4" in names and "64qam-5/6" in names
    for m in ALL_MCS:
        assert MCS.parse(m.name) == m
        assert m.spectral_efficiency == pytest.approx(m.bits_per_symbol * float(m.rate))
    assert MCS(4, "3/4") == MCS(4, Fraction(3, 4)) and MCS(4, "3/4").spectral_efficiency == 3.0
    with pytest.raises(ValueError):
        MCS(8, "1/2")
    with pytest.raises(ValueError):
        MCS(2, "7/8")
    with pytest.raises(ValueError):
        MCS.parse("bpsk-1/2")


def test_packaged_table_is_complete_and_plausible():
    assert resources.files("semcom.digital").joinpath("mcs_table.json").is_file()
    table = load_mcs_table()
    assert table.target_bler == 1e-2
    assert set(table.thresholds_db) == {m.name for m in ALL_MCS}
    for m in ALL_MCS:  # nothing beats the Shannon limit of its spectral efficiency
        assert table.threshold(m) > 10 * math.log10(2**m.spectral_efficiency - 1)
    for bits in (2, 4, 6):
        same = [m for m in ALL_MCS if m.bits_per_symbol == bits]
        ladder = sorted(same, key=lambda m: m.spectral_efficiency)
        values = [table.threshold(m) for m in ladder]
        assert values == sorted(values) and len(set(values)) == len(values), values
    assert 0.0 < table.threshold("qpsk-1/2") <= 3.0  # within 3 dB of its Shannon limit (0 dB)
    meta = table.metadata
    assert meta["command"].startswith("python -m semcom.digital.measure_mcs")
    for key in ("seed", "date", "semcom_commit", "max_blocks_per_point", "blocks_per_point"):
        assert key in meta
    for entry in table.raw["mcs"]:  # the recorded points support the threshold
        points = {p["snr_db"]: p for p in entry["points"]}
        at = points[entry["threshold_db"]]
        assert at["bler"] < 1e-2 and at["blocks"] >= 500
        below = points.get(entry["threshold_db"] - 0.25)
        assert below is not None and below["bler"] >= 1e-2


def test_select_mcs_is_monotone_and_none_below_lowest():
    table = load_mcs_table()
    lowest = min(table.thresholds_db.values())
    assert select_mcs(lowest - 0.01) is None
    assert select_mcs(lowest).name == min(table.thresholds_db, key=table.thresholds_db.get)
    previous = 0.0
    for tenth in range(int(lowest * 10), 300):
        chosen = select_mcs(tenth / 10, table)
        assert chosen is not None and table.threshold(chosen) <= tenth / 10
        assert chosen.spectral_efficiency >= previous
        previous = chosen.spectral_efficiency
    assert select_mcs(40.0).name == "64qam-5/6"


def test_select_mcs_with_custom_mapping():
    custom = {"qpsk-1/2": 2.0, "16qam-1/2": 8.0, "64qam-1/2": 9.0, "16qam-3/4": 8.5}
    assert select_mcs(1.0, custom) is None
    assert select_mcs(5.0, custom).name == "qpsk-1/2"
    assert select_mcs(8.2, custom).name == "16qam-1/2"
    assert select_mcs(9.5, custom).name == "16qam-3/4"  # SE 3 tie with 64qam-1/2: lower threshold wins
