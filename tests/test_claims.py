"""scripts/claims.py: a claim gets a verdict only when every point it uses holds the whole Kodak set."""

import importlib.util
import sys
from pathlib import Path

import pytest

from semcom.evaluation import ResultsFile
from semcom.evaluation.results import ResultRow

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("claims", ROOT / "scripts" / "claims.py")
claims = importlib.util.module_from_spec(spec)
sys.modules["claims"] = claims  # dataclasses look their module up there
spec.loader.exec_module(claims)


def _rows(scheme: str, psnr: float, images: int) -> list[ResultRow]:
    return [ResultRow(scheme=scheme, weights_id="", dataset="kodak", image_id=f"kodim{i:02d}", channel="awgn",
                      snr_db=snr, rho=1 / 48, k=1, n=48, psnr=psnr + (i % 2) * 0.1, ssim=0.5, ms_ssim=0.5)
            for i in range(1, images + 1) for snr in claims.SNRS]


@pytest.mark.parametrize("ours,images,word", [(4.0, 24, "reproduced"), (1.5, 24, "not reproduced"),
                                              (4.0, 23, "not measurable yet")])
def test_the_low_snr_gap_claim(tmp_path, ours, images, word):
    path = tmp_path / "paper_a_snr.csv"
    ResultsFile(path).append(_rows(claims.DENOISED48, 20.0 + ours, images) + _rows(claims.ADJSCC48, 20.0, 24))
    a1 = next(c for c in claims.claims() if c.key == "A1")
    value, count, _ = a1.measure(claims.Points(path, ("psnr", "ssim")))
    assert value == pytest.approx(ours, abs=0.01) and count == images
    assert claims.verdict(a1, value, count)[0] == word


def test_a_fading_point_counts_an_image_only_with_all_its_draws(tmp_path):
    """A paper-B run stopped inside an image's 20 Rayleigh draws: that image is not behind the point yet."""
    from dataclasses import replace

    path = tmp_path / "paper_b_snr.csv"
    rows = [replace(r, channel=claims.RAYLEIGH, realization=d) for r in _rows(claims.DJ10, 20.0, 24) for d in range(20)]
    ResultsFile(path).append(rows[:-1])  # the last image lacks its last draw at the last SNR
    points = claims.Points(path, ("psnr",))
    assert points.images(claims.DJ10, claims.SNRS[0], claims.RAYLEIGH) == 24
    assert points.images(claims.DJ10, claims.SNRS[-1], claims.RAYLEIGH) == 23


@pytest.mark.parametrize("bandwidth_psnr,word,share", [(19.0, "not reproduced", 0.0),
                                                        (30.0, "not measurable yet", None)])
def test_an_every_point_ordering_fails_early_only_on_complete_points(tmp_path, bandwidth_psnr, word, share):
    """B1 with AWGN on all 24 images and no Rayleigh row yet: losing at a complete point decides it, winning
    there does not (the Rayleigh points could still fail)."""
    path = tmp_path / "paper_b_snr.csv"
    bandwidth = claims.BANDWIDTH.format("")
    ResultsFile(path).append(_rows(bandwidth, bandwidth_psnr, 24) + _rows(claims.DJ10, 20.0, 24)
                             + _rows(claims.DJ20, 20.0, 24))
    b1 = next(c for c in claims.claims() if c.key == "B1")
    value, count, detail = b1.measure(claims.Points(path, ("psnr", "ssim")))
    assert claims.verdict(b1, value, count)[0] == word
    if share is not None:
        assert value == share and "8 points still incomplete" in detail
    else:
        assert count == 0 and detail == "8 of 16 points"


def test_fewer_fading_draws_read_only_the_first_ones(tmp_path):
    """claims.py --fading-realizations 4: an image with draws 0-3 counts, and its later draws are not averaged in."""
    from dataclasses import replace

    path = tmp_path / "paper_b_snr.csv"
    rows = [replace(r, channel=claims.RAYLEIGH, realization=d, psnr=20.0 + d)
            for r in _rows(claims.DJ10, 0.0, 24) for d in range(20 if r.image_id == "kodim01" else 4)]
    ResultsFile(path).append(rows)
    four, twenty = claims.Points(path, ("psnr",), fading=4), claims.Points(path, ("psnr",))
    assert four.images(claims.DJ10, 10.0, claims.RAYLEIGH) == 24
    assert four.mean(claims.DJ10, "psnr", 10.0, claims.RAYLEIGH) == pytest.approx(21.5)  # draws 0-3 only
    assert twenty.images(claims.DJ10, 10.0, claims.RAYLEIGH) == 1
