"""The CLIP score through transformers ``from_pretrained``, on a tiny random CLIP vision encoder."""

import pytest
import torch

from semcom.errors import MetricUnavailableError
from semcom.metrics import get_metric
from semcom.metrics.semantic import CLIP_ENV, clip_preprocess


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory):
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    folder = tmp_path_factory.mktemp("clip")
    torch.manual_seed(0)
    config = CLIPVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                              image_size=32, patch_size=8, projection_dim=8)
    CLIPVisionModelWithProjection(config).save_pretrained(folder)
    return folder


def test_clip_score_is_100_for_identical_images_and_lower_otherwise(tiny_clip, monkeypatch):
    monkeypatch.setenv(CLIP_ENV, str(tiny_clip))
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(2, 3, 40, 56, generator=generator)
    metric = get_metric("clip")
    same = metric(images, images)
    assert same.dtype == torch.float64 and torch.allclose(same, torch.full((2,), 100.0, dtype=torch.float64))
    other = metric(images, torch.rand(2, 3, 40, 56, generator=generator))
    assert ((0 <= other) & (other < 100)).all()


def test_clip_preprocess_crops_the_centre_to_the_input_size():
    images = torch.zeros(1, 3, 40, 80)
    images[..., 20:60] = 1.0  # a bright centre square
    out = clip_preprocess(images, 32)
    assert out.shape == (1, 3, 32, 32)
    assert float(out[0, 0, 16, 16]) == pytest.approx((1 - 0.48145466) / 0.26862954, abs=1e-3)


def test_clip_score_without_an_encoder_says_what_is_missing(monkeypatch):
    monkeypatch.delenv(CLIP_ENV, raising=False)
    with pytest.raises(MetricUnavailableError, match=CLIP_ENV):
        get_metric("clip")(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8))
