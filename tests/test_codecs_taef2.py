"""TAEF2 loader: the shared third-party weights load without unpickling, reproduce the recorded round-trip
PSNR on Kodak, and missing/corrupt files or downloads fail with a clear error."""

import shutil

import pytest
import torch

from semcom.codecs import TAEF2Error, find_taef2, load_taef2
from semcom.codecs.taef2 import FILES, download_taef2
from semcom.data import get_dataset
from semcom.metrics import psnr

# PROVENANCE.txt of ../shared/weights/taef2: noiseless round trip of kodim01..06, RGB in [0, 1].
RECORDED_PSNR = [27.18, 31.43, 33.22, 31.58, 28.00, 28.36]


@pytest.fixture(scope="module")
def taef2_dir(shared_data_dir):
    return shared_data_dir.parent / "weights" / "taef2"


def test_round_trip_matches_recorded_psnr_and_shapes(taef2_dir, shared_data_dir):
    model = load_taef2(taef2_dir)
    measured = []
    with torch.no_grad():
        for item in get_dataset("kodak", data_dir=str(shared_data_dir), limit=6):
            latent = model.encode(item.image[None])
            assert latent.shape == (1, 32, item.image.shape[1] // 8, item.image.shape[2] // 8)
            assert latent.dtype == torch.float32 and 0.7 < float(latent.std()) < 1.0
            measured.append(float(psnr(item.image[None], model.decode(latent))))
    assert measured == pytest.approx(RECORDED_PSNR, abs=0.01)


def test_found_through_environment(taef2_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("SEMCOM_TAEF2", str(taef2_dir))
    assert find_taef2() == taef2_dir
    monkeypatch.setenv("SEMCOM_TAEF2", str(tmp_path))
    monkeypatch.delenv("SEMCOM_SHARED", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TAEF2Error, match="not found .*SEMCOM_TAEF2"):
        find_taef2()


def test_corrupt_or_foreign_file_is_refused(taef2_dir, tmp_path):
    for name in FILES:
        shutil.copyfile(taef2_dir / name, tmp_path / name)
    (tmp_path / "taef2_decoder.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(TAEF2Error, match="sha256"):
        load_taef2(tmp_path)


def test_download_checks_sha256(taef2_dir, tmp_path):
    """The download path, fed from a local file:// mirror (no network here)."""
    target = download_taef2(tmp_path / "dl", url_template=taef2_dir.as_uri() + "/{name}")
    assert load_taef2(target) is not None
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in FILES:
        (bad / name).write_bytes(b"tampered")
    with pytest.raises(TAEF2Error, match="sha256"):
        download_taef2(tmp_path / "dl2", url_template=bad.as_uri() + "/{name}")
    assert not any((tmp_path / "dl2").iterdir())  # nothing half-written is left behind
