"""LPIPS (VGG, lin) on random weights: the formula, the weights file, the converter and the CLI column."""

import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file, save_file

from semcom.errors import MetricUnavailableError
from semcom.evaluation.results import ResultsFile
from semcom.metrics import LPIPS_MIN_SIDE, get_metric
from semcom.metrics.perceptual import LPIPS, LPIPS_ENV, LPIPSScaling, lpips_availability, tap_distance
from semcom.zoo import WeightsError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def random_weights(tmp_path_factory) -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    # the lin weights are non-negative
    return {k: torch.rand_like(v) if k.startswith("lin.") else v.clone() for k, v in LPIPS().state_dict().items()}


@pytest.fixture(scope="module")
def weights_file(random_weights, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lpips") / "lpips_vgg.safetensors"
    save_file(random_weights, str(path))
    return path


def smooth_image(height: int = 32, width: int = 48) -> torch.Tensor:
    """``float32 [1, 3, H, W]`` in [0, 1]: gradients and a slow sinusoid."""
    y, x = torch.meshgrid(torch.linspace(0, 1, height), torch.linspace(0, 1, width), indexing="ij")
    return torch.stack([x, y, 0.5 + 0.4 * torch.sin(6 * x + 4 * y)])[None]


def test_identical_images_score_exactly_zero_and_others_more(weights_file, monkeypatch):
    monkeypatch.setenv(LPIPS_ENV, str(weights_file))
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(2, 3, 32, 40, generator=generator)
    metric = get_metric("lpips")
    assert not metric.higher_is_better
    same = metric(images, images)
    assert same.dtype == torch.float64 and same.shape == (2,) and (same == 0).all()
    other = metric(images, torch.rand(2, 3, 32, 40, generator=generator))
    assert other.dtype == torch.float64 and other.shape == (2,)
    assert torch.isfinite(other).all() and (other > 0).all()


def test_lpips_grows_with_noise(weights_file, monkeypatch):
    monkeypatch.setenv(LPIPS_ENV, str(weights_file))
    image = smooth_image()
    noise = torch.randn(image.shape, generator=torch.Generator().manual_seed(1))
    scores = [float(get_metric("lpips")(image, (image + sigma * noise).clamp(0, 1))) for sigma in (0.02, 0.08, 0.3)]
    assert 0 < scores[0] < scores[1] < scores[2], scores


def test_images_below_the_minimum_side_score_nan(weights_file, monkeypatch):
    monkeypatch.setenv(LPIPS_ENV, str(weights_file))
    small = torch.rand(1, 3, LPIPS_MIN_SIDE - 1, 64)
    assert math.isnan(float(get_metric("lpips")(small, small)))
    assert float(get_metric("lpips")(*[torch.rand(1, 3, LPIPS_MIN_SIDE, LPIPS_MIN_SIDE)] * 2)) == 0


def test_tap_distance_matches_a_hand_computation():
    # Two positions, two channels. Position 1: (3, 4) vs (4, 3) → unit vectors (.6, .8) vs (.8, .6), squared
    # difference (.04, .04). Position 2: (1, 0) vs (0, 2) → (1, 0) vs (0, 1), squared difference (1, 1).
    features = torch.tensor([[3.0, 1.0], [4.0, 0.0]]).reshape(1, 2, 1, 2)
    features0 = torch.tensor([[4.0, 0.0], [3.0, 2.0]]).reshape(1, 2, 1, 2)
    weight = torch.tensor([1.0, 2.0]).reshape(1, 2, 1, 1)
    expected = ((0.04 * 1 + 0.04 * 2) + (1 * 1 + 1 * 2)) / 2  # weighted sum per position, then the mean
    assert float(tap_distance(features, features0, weight)) == pytest.approx(expected, rel=1e-6)


def test_scaling_maps_unit_range_to_the_lpips_input():
    out = LPIPSScaling()(torch.full((1, 3, 1, 1), 0.75))
    expected = [(0.5 - shift) / scale for shift, scale in zip((-0.030, -0.088, -0.188), (0.458, 0.448, 0.450))]
    assert out.flatten().tolist() == pytest.approx(expected)


def test_without_weights_the_metric_says_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.delenv(LPIPS_ENV, raising=False)
    assert LPIPS_ENV in lpips_availability()
    with pytest.raises(MetricUnavailableError, match=LPIPS_ENV):
        get_metric("lpips")(torch.rand(1, 3, 32, 32), torch.rand(1, 3, 32, 32))
    monkeypatch.setenv(LPIPS_ENV, str(tmp_path / "absent.safetensors"))
    with pytest.raises(MetricUnavailableError, match="absent.safetensors"):
        get_metric("lpips")(torch.rand(1, 3, 32, 32), torch.rand(1, 3, 32, 32))


@pytest.mark.parametrize("damage, message", [
    ("missing", "lack lin.relu3_3.weight"),
    ("unexpected", "unexpected tensors extra.weight"),
    ("shape", r"vgg.conv2_1.bias has shape \[3\], expected \[128\]"),
    ("negative", "non-negative.*lin.relu1_2.weight"),
    ("corrupt", "cannot read"),
])
def test_unusable_weights_files_name_the_problem(random_weights, tmp_path, monkeypatch, damage, message):
    tensors = dict(random_weights)
    if damage == "missing":
        del tensors["lin.relu3_3.weight"]
    elif damage == "unexpected":
        tensors["extra.weight"] = torch.zeros(1)
    elif damage == "shape":
        tensors["vgg.conv2_1.bias"] = torch.zeros(3)
    elif damage == "negative":
        tensors["lin.relu1_2.weight"] = -tensors["lin.relu1_2.weight"]
    path = tmp_path / f"{damage}.safetensors"
    if damage == "corrupt":
        path.write_bytes(b"not a safetensors file")
    else:
        save_file(tensors, str(path))
    monkeypatch.setenv(LPIPS_ENV, str(path))
    with pytest.raises(WeightsError, match=message):
        get_metric("lpips")(torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16))


def load_converter():
    spec = importlib.util.spec_from_file_location("convert_lpips_weights", ROOT / "scripts" / "convert_lpips_weights.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_converter_round_trip(random_weights, tmp_path):
    converter = load_converter()
    sources = {source: random_weights[key] for key, source in converter.key_map().items()}
    torchvision_vgg16 = {k: v for k, v in sources.items() if k.startswith("features.")}
    torchvision_vgg16["classifier.0.weight"] = torch.zeros(4, 4)  # present in the real file, not used
    lins = {k: v for k, v in sources.items() if k.startswith("lin")}
    torch.save(torchvision_vgg16, tmp_path / "vgg16.pth")
    torch.save(lins, tmp_path / "vgg.pth")
    out = tmp_path / "out" / "lpips_vgg.safetensors"
    assert converter.main([str(tmp_path / "vgg16.pth"), str(tmp_path / "vgg.pth"), "-o", str(out)]) == 0
    converted = load_file(str(out))
    assert converted.keys() == random_weights.keys()
    assert all(torch.equal(converted[k], random_weights[k]) for k in converted)

    del lins["lin4.model.1.weight"]
    torch.save(lins, tmp_path / "vgg.pth")
    with pytest.raises(SystemExit, match="lin4.model.1.weight"):
        converter.main([str(tmp_path / "vgg16.pth"), str(tmp_path / "vgg.pth"), "-o", str(tmp_path / "x.safetensors")])


def test_evaluate_fills_the_lpips_column(weights_file, tmp_path, monkeypatch):
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(2):  # 32 × 32: at least LPIPS_MIN_SIDE per side
        array = (smooth_image(32, 32)[0].permute(1, 2, 0).numpy() * (200 + 20 * i)).astype(np.uint8)
        Image.fromarray(array).save(folder / f"img{i}.png")
    monkeypatch.setenv(LPIPS_ENV, str(weights_file))
    out = tmp_path / "r.csv"
    run = subprocess.run([sys.executable, "-m", "semcom", "evaluate", "-s", "identity-analog", "--dataset", str(folder),
                          "--snr-db", "10", "--metrics", "psnr,lpips", "-o", str(out)],
                         check=False, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    rows = ResultsFile(out).read()
    assert len(rows) == 2
    assert all(math.isfinite(r.lpips) and r.lpips > 0 and math.isfinite(r.psnr) for r in rows)
    assert all(math.isnan(r.ssim) for r in rows)  # only the metrics asked for are computed
