"""Shared parts of the digital separation baselines: source codec + channel code (DESIGN.md §1).

Over Rayleigh fading the transmitter knows the average SNR but not h. It designs the link for an outage
target ε (``outage_target``, default 0.1): the SNR it plans with is the one that |h|² ~ Exp(1) exceeds
with probability 1 - ε, ``SNR · (-ln(1 - ε))`` (ε-outage design for one fading block per image; the
real outage rate is measured and reported, ε only sets the back-off). Over AWGN it plans with the SNR.

When the link cannot carry even the lowest codec quality, or the received stream does not decode, the
receiver is in *outage* and shows a flat image of the dataset's mean colour (per RGB channel, learned in
:meth:`prepare` from up to 256 evenly spaced images; mid-grey before that). This is the MMSE guess of an
image without information, and the results row is marked ``outage=1``.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, ClassVar, Optional

import numpy as np
import torch

from semcom.channels import ChannelSpec
from semcom.channels.outage import outage_snr_db, rayleigh_outage_snr_db
from semcom.channels.snr import per_image, validate_snr_db
from semcom.data import to_uint8
from semcom.digital.image_codecs import CodecDecodeError, ImageCodec, QualitySearch, get_codec, list_codecs
from semcom.rng import Generators, generator_of
from semcom.schemes.base import Scheme, Transmission
from semcom.schemes.registry import register_scheme

FALLBACK_SAMPLES = 256
#: Legend names of the image codecs (others keep their registered name).
CODEC_LABELS = {"jpeg": "JPEG", "avif": "AVIF", "heif": "HEIF", "webp": "WebP", "jpeg2000": "JPEG 2000"}


@dataclass(frozen=True)
class SeparationConfig:
    """``rho``: channel uses per source value (k = floor(rho·n)); ``outage_target``: ε of the fading design.

    ``budget``: what k counts. ``air`` (default): every channel use on air, so pilots, cyclic prefixes and
    guard carriers come out of k. ``data``: k data symbols, with the channel's overhead on top, as the analog
    schemes count their k; over OFDM this gives the digital link exactly the analog schemes' channel uses on
    air at the same rho.
    """

    rho: Fraction = Fraction(1, 12)
    outage_target: float = 0.1
    budget: str = "air"

    def __post_init__(self):
        if self.budget not in ("air", "data"):
            raise ValueError(f"budget must be air or data, got {self.budget!r}")
        if not 0 < Fraction(self.rho) <= 1:
            raise ValueError(f"rho must be in (0, 1], got {self.rho}")
        if not 0 < self.outage_target < 1:
            raise ValueError(f"outage_target must be in (0, 1), got {self.outage_target}")


@dataclass
class Delivery:
    """What one image's digital link delivered: the received codec file (None: outage) and row details."""

    file: Optional[bytes]
    sent_bytes: int
    details: dict = field(default_factory=dict)


class SeparationScheme(Scheme):
    """Base of ``<codec>+<channel code>`` schemes. Subclasses set ``codec_name`` and implement :meth:`deliver`."""

    codec_name: ClassVar[str] = ""
    #: The channel code in legends (``JPEG+capacity``).
    link_label: ClassVar[str] = ""
    rate_options = ("rho",)

    @classmethod
    def label(cls, config) -> str:
        return f"{CODEC_LABELS.get(cls.codec_name, cls.codec_name)}+{cls.link_label}"

    def __init__(self, config=None, precision: str = "fp32"):
        super().__init__(config, precision)
        self.codec: ImageCodec = get_codec(self.codec_name)
        self.search = QualitySearch(self.codec)
        self.fallback_rgb = torch.full((3,), 0.5)

    def prepare(self, dataset) -> None:
        count = len(dataset)
        picks = np.unique(np.linspace(0, count - 1, min(count, FALLBACK_SAMPLES)).round().astype(int))
        means = torch.stack([dataset[int(i)].image.mean(dim=(1, 2)) for i in picks])
        self.fallback_rgb = means.mean(dim=0)

    @abstractmethod
    def deliver(
        self, image: torch.Tensor, snr_db: float, channel_uses: int, channel: ChannelSpec,
        generator: Optional[torch.Generator],
    ) -> Delivery:
        """Choose a codec file for ``image`` (``float32 [3, H, W]``) and send it over the link."""

    def transmit(self, images, snr_db, channel: ChannelSpec, generator: Generators = None):
        validate_snr_db(snr_db)
        batch, _, height, width = images.shape
        snrs = per_image(snr_db, batch)[:, 0]
        k = self.channel_uses(images.shape)
        if self.config.budget == "data":
            k = channel.frame_len(k)
        recons, bpp, outage, details = [], [], [], []
        for i in range(batch):
            delivery = self.deliver(images[i].cpu(), float(snrs[i]), k, channel, generator_of(generator, i))
            recon = self.decode_or_none(delivery.file, height, width)
            lost = recon is None
            recons.append(self.fallback(height, width) if lost else recon)
            bpp.append(0.0 if lost else 8 * delivery.sent_bytes / (height * width))
            outage.append(lost)
            info = {"codec": self.codec_name, "bytes": delivery.sent_bytes, **delivery.details}
            if lost:  # why the receiver shows the fallback image (in the row's info column)
                info["outage_reason"] = info.get("outage_reason") or "decoding failed: the codec could not read the stream"
            else:
                info.pop("outage_reason", None)
            details.append(info)
        return Transmission(
            reconstruction=torch.stack(recons).to(images.device), channel_uses=k, source_size=3 * height * width,
            design_rho=Fraction(self.config.rho),
            bits_per_pixel=torch.tensor(bpp), outage=torch.tensor(outage), image_info=details,
        )

    def design_snr_db(self, snr_db: float, channel: ChannelSpec, num_symbols: int = 0) -> float:
        """The SNR (dB) the transmitter plans for: the average over AWGN; over fading the ε-outage SNR, in
        closed form for flat Rayleigh, else the measured ε-quantile of the pooled effective SNR of an image of
        ``num_symbols`` data symbols (:mod:`semcom.channels.outage`)."""
        if not channel.fading:
            return snr_db
        if channel.kind == "rayleigh":
            return rayleigh_outage_snr_db(snr_db, self.config.outage_target)
        return outage_snr_db(channel, snr_db, num_symbols, self.config.outage_target)

    def channel_uses(self, image_shape) -> int:
        """k = floor(rho · n) for an image ``[3, H, W]``."""
        n = int(np.prod(image_shape[-3:]))
        return int(Fraction(self.config.rho) * n)

    def fallback(self, height: int, width: int) -> torch.Tensor:
        return self.fallback_rgb[:, None, None].expand(3, height, width).clone()

    def decode_file(self, data: bytes, height: int, width: int) -> torch.Tensor:
        """``float32 [3, H, W]`` from a codec file (raises CodecDecodeError)."""
        array = self.codec.decode(data, (height, width))
        return torch.from_numpy(array.copy()).permute(2, 0, 1).float().div(255)

    def decode_or_none(self, data: Optional[bytes], height: int, width: int) -> Optional[torch.Tensor]:
        if data is None:
            return None
        try:
            return self.decode_file(data, height, width)
        except CodecDecodeError:
            return None

    @staticmethod
    def as_uint8(image: torch.Tensor) -> np.ndarray:
        """``float32 [3, H, W]`` in [0, 1] → ``uint8 [H, W, 3]`` for the codec."""
        return to_uint8(image).permute(1, 2, 0).contiguous().numpy()


def register_for_every_codec(suffix: str, base: type[SeparationScheme], describe: Callable[[str], str]) -> None:
    """Register ``<codec>+<suffix>`` for each image codec as a subclass of ``base``."""
    for codec in list_codecs():
        name = f"{codec.capitalize()}{base.__name__}"
        register_scheme(f"{codec}+{suffix}")(type(name, (base,), {"codec_name": codec, "__doc__": describe(codec)}))
