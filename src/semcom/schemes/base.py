"""The :class:`Scheme` interface: a complete transmitter and receiver pair (DESIGN.md §1)."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar, Optional

import torch

from semcom.channels import ChannelSpec
from semcom.channels.snr import SNRLike


@dataclass(frozen=True)
class Transmission:
    """One batch sent through a scheme.

    Attributes:
        reconstruction: ``float32 [B, 3, H, W]`` in [0, 1], the receiver's image.
        channel_uses: k, complex channel uses per image (pilots and side information included).
        source_size: n = 3 H W.
        snr_db_estimate: ``float32 [B]`` the SNR the receiver used (dB), or None if it needs none.
        denoise_steps: de-noiser network evaluations per image (0 for schemes without one).
        bits_per_pixel: ``float32 [B]`` for digital schemes; NaN for analog ones.
        outage: ``bool [B]``, True where a digital link failed and the receiver fell back.
        info: scheme-level details recorded in every row of the batch (JSON-serializable).
        image_info: per-image details (one dict per image), merged over ``info`` in each row.
        data_uses: complex channel uses that carry the source (k without pilots), where it differs from k.
        design_rho: the scheme's configured bandwidth ratio, for schemes that set k = floor(rho n).
    """

    reconstruction: torch.Tensor
    channel_uses: int
    source_size: int
    snr_db_estimate: Optional[torch.Tensor] = None
    denoise_steps: int = 0
    bits_per_pixel: Optional[torch.Tensor] = None
    outage: Optional[torch.Tensor] = None
    info: dict[str, Any] = field(default_factory=dict)
    image_info: Optional[list[dict[str, Any]]] = None
    data_uses: Optional[int] = None
    design_rho: Optional[Fraction] = None

    def row_info(self, i: int) -> dict[str, Any]:
        return {**self.info, **(self.image_info[i] if self.image_info else {})}

    @property
    def rho(self) -> Fraction:
        """Bandwidth ratio k / n (DESIGN.md §2)."""
        return Fraction(self.channel_uses, self.source_size)

    @property
    def nominal_rho(self) -> Fraction:
        """The design bandwidth ratio, before pilots: results are grouped by it (DESIGN.md §2)."""
        if self.design_rho is not None:
            return Fraction(self.design_rho)
        return Fraction(self.data_uses if self.data_uses is not None else self.channel_uses, self.source_size)

    def per_image_bpp(self, i: int) -> float:
        return math.nan if self.bits_per_pixel is None else float(self.bits_per_pixel[i])

    def per_image_outage(self, i: int) -> bool:
        return False if self.outage is None else bool(self.outage[i])


class Scheme(ABC):
    """A transmitter–receiver pair, reachable by name through :mod:`semcom.schemes.registry`.

    Subclasses set ``Config`` (a frozen dataclass of their options) and implement :meth:`transmit`.
    ``name`` is set by the registry decorator.
    """

    name: ClassVar[str] = ""
    Config: ClassVar[type]
    #: Side length the model needs the image padded to a multiple of (1: any size).
    size_multiple: ClassVar[int] = 1

    def __init__(self, config=None):
        self.config = config if config is not None else self.Config()

    @property
    def weights_id(self) -> str:
        """Identifier of the weights in use (``"none"`` for schemes without learned parts)."""
        return "none"

    def prepare(self, dataset) -> None:
        """Called by sweeps once before a dataset is evaluated (e.g. to learn an outage fallback image)."""

    @abstractmethod
    def transmit(
        self,
        images: torch.Tensor,
        snr_db: SNRLike,
        channel: ChannelSpec,
        generator: Optional[torch.Generator] = None,
    ) -> Transmission:
        """Send ``images`` (``float32 [B, 3, H, W]`` in [0, 1]) over ``channel`` at ``snr_db`` (dB).

        All randomness comes from ``generator``.
        """
