"""The PCA channel projection that sets a pretrained codec's bandwidth ratio."""

from fractions import Fraction

import pytest
import torch

from semcom.codecs.latent_vae import LatentVAE, LatentVAEConfig
from semcom.codecs.projection import LatentProjection, LatentProjectionConfig, ProjectedCodec, fit_projection
from semcom.schemes.latent_diff import load_codec
from semcom.training.latent_data import encode_dataset
from semcom.zoo import save_pretrained


def _low_rank_latents(generator, channels=6, rank=2, count=4):
    mixing = torch.randn(channels, rank, generator=generator, dtype=torch.float64)
    offset = torch.randn(channels, generator=generator, dtype=torch.float64)
    return [(torch.einsum("cr,rhw->chw", mixing, torch.randn(rank, 8, 8, generator=generator,
                                                               dtype=torch.float64))
             + offset[:, None, None]).float() for _ in range(count)]


def test_pca_recovers_a_low_rank_latent_exactly():
    latents = _low_rank_latents(torch.Generator().manual_seed(0))
    projection = fit_projection(latents, LatentProjectionConfig(source_channels=6, channels=2))
    for z in latents:
        coefficients = projection.reduce(z[None])
        assert coefficients.shape == (1, 2, 8, 8)
        torch.testing.assert_close(projection.expand(coefficients)[0], z, atol=1e-4, rtol=0)
    torch.testing.assert_close(projection.basis @ projection.basis.T, torch.eye(2), atol=1e-5, rtol=0)


def test_pca_keeps_more_energy_than_any_other_channel_subset():
    generator = torch.Generator().manual_seed(1)
    latents = [torch.randn(6, 8, 8, generator=generator) * torch.arange(1, 7).float()[:, None, None]
               for _ in range(3)]
    projection = fit_projection(latents, LatentProjectionConfig(source_channels=6, channels=2))
    error = sum((projection.expand(projection.reduce(z[None]))[0] - z).pow(2).sum() for z in latents)
    # dropping the four weakest raw channels (variances 1..16) is the best channel subset here
    subset_error = sum(z[:4].pow(2).sum() for z in latents)
    assert error <= subset_error * 1.001


def test_config_checks_and_rho():
    assert LatentProjectionConfig(channels=8).rho == Fraction(1, 48)
    assert LatentProjectionConfig(channels=4).rho == Fraction(1, 96)
    with pytest.raises(ValueError, match="channels"):
        LatentProjectionConfig(source_channels=4, channels=5)
    with pytest.raises(ValueError, match="channels"):
        fit_projection([torch.zeros(3, 2, 2)], LatentProjectionConfig(source_channels=4, channels=2))


def test_a_saved_projection_loads_as_a_codec_on_its_base(tmp_path):
    torch.manual_seed(0)
    vae_config = LatentVAEConfig(latent_channels=4, widths=(8, 8), norm_groups=4)
    save_pretrained(LatentVAE(vae_config), vae_config, tmp_path / "vae")
    config = LatentProjectionConfig(base=str(tmp_path / "vae"), source_channels=4, channels=2, downsampling=2)
    projection = LatentProjection(config)
    projection.mean.fill_(0.5)
    save_pretrained(projection, config, tmp_path / "pca")
    codec = load_codec(str(tmp_path / "pca"))
    assert isinstance(codec, ProjectedCodec) and codec.latent_channels == 2 and codec.downsampling == 2
    images = torch.rand(1, 3, 16, 16)
    assert codec.encode(images).shape == (1, 2, 8, 8)
    assert codec.decode(codec.encode(images)).shape == images.shape
    with pytest.raises(ValueError, match="channels"):
        ProjectedCodec(LatentVAE(vae_config), LatentProjection(LatentProjectionConfig(source_channels=8, channels=2)))


def test_projected_latents_come_from_the_base_codec_cache(tmp_path):
    torch.manual_seed(0)
    base = LatentVAE(LatentVAEConfig(latent_channels=4, widths=(8, 8), norm_groups=4)).eval()
    projection = LatentProjection(LatentProjectionConfig(source_channels=4, channels=2, downsampling=2))
    projection.mean.fill_(0.25)
    images = [type("Item", (), {"image_id": f"im{i}", "image": torch.rand(3, 12, 16)})() for i in range(2)]
    raw = encode_dataset(base, images, tmp_path, "toy", progress=False, normalize=False)
    projected = encode_dataset(ProjectedCodec(base, projection), images, tmp_path, "toy", progress=False)
    assert len(list(tmp_path.glob("latents-toy-*.safetensors"))) == 1  # only the base codec's latents
    for r, p in zip(raw, projected):
        expected = projection.reduce(r.image[None])[0]
        torch.testing.assert_close(p.image, expected / expected.pow(2).mean().sqrt())
    again = encode_dataset(base, [], tmp_path, "toy", progress=False, normalize=False)  # served from the cache
    torch.testing.assert_close(torch.stack([a.image for a in again]), torch.stack([r.image for r in raw]))
