"""The wheel and sdist are small and hold no weights; a wheel's zoo has the manifest only, so its weights come
from the cache or the hub (tests/test_zoo_hub.py downloads them from a local server)."""

import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import wheel_size  # noqa: E402

from semcom.zoo import WeightsError, load_manifest, load_weights  # noqa: E402
from semcom.zoo.registry import where  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return wheel_size.build(tmp_path_factory.mktemp("build"))


@pytest.mark.slow
def test_the_wheel_is_under_10_mb_and_neither_archive_holds_weights(built):
    assert built["wheel"].stat().st_size < 10 * 2**20
    assert wheel_size.weights_inside(built["wheel"]) == []
    assert wheel_size.weights_inside(built["sdist"]) == []
    names = wheel_size.members(built["wheel"])
    assert {"semcom/zoo/manifest.json", "semcom/digital/mcs_table.json", "semcom/zoo/hub.py"} <= set(names)


@pytest.mark.slow
def test_a_wheel_zoo_resolves_every_entry_to_the_hub(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SEMCOM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SEMCOM_OFFLINE", "1")
    monkeypatch.delenv("SEMCOM_WEIGHTS_URL", raising=False)
    zoo = tmp_path / "site-packages" / "semcom" / "zoo"
    zoo.mkdir(parents=True)
    with zipfile.ZipFile(built["wheel"]) as wheel:
        (zoo / "manifest.json").write_bytes(wheel.read("semcom/zoo/manifest.json"))
    entries = load_manifest(zoo)
    assert len(entries) >= 20 and {where(e) for e in entries.values()} == {"remote"}
    with pytest.raises(WeightsError, match=r"deepjscc-snr10-rho1_12.*https://huggingface.co/.*SEMCOM_OFFLINE"):
        load_weights("deepjscc-snr10-rho1_12", zoo_dir=zoo)
    assert not (tmp_path / "cache").exists() or not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))
