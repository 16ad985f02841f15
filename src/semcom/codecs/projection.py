"""A fixed linear channel projection (PCA) that sets the bandwidth ratio of a pretrained latent codec.

TAEF2 gives 32 latent channels at f8, i.e. rho = 32 / (6·64) = 1/12. Paper A's comparison runs at 1/48 and
1/96, which with f8 means 8 or 4 channels. Without retraining the codec, the least-squares way to keep k of
C channels is principal component analysis over the codec's latents: transmit the k leading coefficients
per latent pixel, and at the receiver map them back with the transposed basis (the dropped components are
set to their mean). Paper B learns this reduction instead (``bandwidth-diff``); the projection is the
untrained reference for it.

Only the basis and the mean are weights; the base codec is attached at load time
(:func:`semcom.schemes.latent_diff.load_codec`), so a shipped projection never contains TAEF2's tensors.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import torch
from torch import nn


@dataclass(frozen=True)
class LatentProjectionConfig:
    """``base``: the codec it reduces (``"taef2"`` or a zoo name); ``source_channels``: C; ``channels``: k
    kept; ``downsampling``: the base codec's spatial factor f (so that rho = k / (6 f²))."""

    base: str = "taef2"
    source_channels: int = 32
    channels: int = 8
    downsampling: int = 8

    def __post_init__(self):
        if not 0 < self.channels <= self.source_channels:
            raise ValueError(f"channels must be in 1..{self.source_channels}, got {self.channels}")

    @property
    def rho(self) -> Fraction:
        return Fraction(self.channels, 6 * self.downsampling**2)


class LatentProjection(nn.Module):
    """``basis``: ``float32 [k, C]`` orthonormal rows (leading principal directions); ``mean``:
    ``float32 [C]`` the per-channel latent mean."""

    def __init__(self, config: LatentProjectionConfig):
        super().__init__()
        self.config = config
        self.register_buffer("basis", torch.eye(config.source_channels)[: config.channels].clone())
        self.register_buffer("mean", torch.zeros(config.source_channels))

    def reduce(self, latents: torch.Tensor) -> torch.Tensor:
        """``[B, C, h, w]`` base latents → ``[B, k, h, w]`` coefficients."""
        centred = latents - self.mean[:, None, None]
        return torch.einsum("kc,bchw->bkhw", self.basis, centred)

    def expand(self, coefficients: torch.Tensor) -> torch.Tensor:
        """``[B, k, h, w]`` coefficients → ``[B, C, h, w]`` base latents (dropped directions at the mean)."""
        return torch.einsum("kc,bkhw->bchw", self.basis, coefficients) + self.mean[:, None, None]


def fit_projection(latents: list[torch.Tensor], config: LatentProjectionConfig) -> LatentProjection:
    """PCA over every latent pixel of ``latents`` (each ``float [C, h, w]``), in float64."""
    pixels = torch.cat([z.double().flatten(1) for z in latents], dim=1)  # [C, N]
    if pixels.shape[0] != config.source_channels:
        raise ValueError(f"latents have {pixels.shape[0]} channels, config says {config.source_channels}")
    mean = pixels.mean(dim=1)
    covariance = torch.cov(pixels)
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance)  # ascending
    order = eigenvalues.argsort(descending=True)[: config.channels]
    projection = LatentProjection(config)
    projection.basis.copy_(eigenvectors[:, order].T.float())
    projection.mean.copy_(mean.float())
    return projection


class ProjectedCodec(nn.Module):
    """A base codec followed by a :class:`LatentProjection`: the same ``encode``/``decode`` interface as
    the other latent codecs, with ``latent_channels = k``."""

    def __init__(self, base: nn.Module, projection: LatentProjection):
        super().__init__()
        if base.latent_channels != projection.config.source_channels:
            raise ValueError(f"projection expects {projection.config.source_channels} channels, "
                             f"the base codec has {base.latent_channels}")
        self.base, self.projection = base, projection
        self.latent_channels = projection.config.channels
        self.downsampling = base.downsampling

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """``float32 [B, 3, H, W]`` in [0, 1] → ``float32 [B, k, H/f, W/f]``."""
        return self.projection.reduce(self.base.encode(images))

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        return self.base.decode(self.projection.expand(latents))
