"""scripts/take_rows.py: a longer run's rows replace the committed file only when they extend it."""

import gzip
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("take_rows", ROOT / "scripts" / "take_rows.py")
take_rows = importlib.util.module_from_spec(spec)
spec.loader.exec_module(take_rows)

HEADER = b"scheme,image_id,psnr\n"


def test_rows_appended_by_a_longer_run_are_taken_without_a_row_still_being_written(tmp_path):
    target, source = tmp_path / "committed.csv", tmp_path / "run.csv.gz"
    target.write_bytes(HEADER + b"a,kodim01,20.0\n")
    source.write_bytes(gzip.compress(HEADER + b"a,kodim01,20.0\na,kodim02,21.0\na,kodim03,2"))
    assert take_rows.main([str(source), str(target)]) == 0
    assert target.read_bytes() == HEADER + b"a,kodim01,20.0\na,kodim02,21.0\n"
    assert not list(tmp_path.glob("*.part"))


def test_a_file_that_does_not_extend_the_committed_rows_is_refused_and_nothing_changes(tmp_path, capsys):
    target, source = tmp_path / "committed.csv", tmp_path / "other.csv"
    committed = HEADER + b"a,kodim01,20.0\n"
    target.write_bytes(committed)
    source.write_bytes(HEADER + b"a,kodim01,19.9\na,kodim02,21.0\n")
    assert take_rows.main([str(source), str(target)]) == 2
    assert target.read_bytes() == committed
    error = capsys.readouterr().err.strip()
    assert error.startswith("take_rows:") and "not a prefix" in error and "\n" not in error
    (tmp_path / "broken.csv.gz").write_bytes(b"not gzip")
    assert take_rows.main([str(tmp_path / "broken.csv.gz"), str(target)]) == 2
    assert take_rows.main([str(tmp_path / "missing.csv"), str(target)]) == 2
    assert target.read_bytes() == committed
