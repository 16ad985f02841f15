"""``<codec>+capacity``: a standard image codec over an ideal capacity-achieving channel code.

The link carries ``k · log2(1 + SNR)`` bits for k = floor(rho · n) channel uses over AWGN. Over Rayleigh
fading the transmitter does not know h, and the link carries the instantaneous capacity
``Σ_i log2(1 + |h_i|² SNR)`` of the drawn channel: when the chosen file is larger than that, it is lost
(outage). The transmitter sizes the file for the *average* SNR's capacity, ``k · log2(1 + SNR)``; the
file is the highest codec quality that fits, headers included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

import torch

from semcom.channels import ChannelSpec, RayleighFading, snr_db_to_noise_var
from semcom.channels.snr import per_image
from semcom.digital.image_codecs import list_codecs
from semcom.schemes.base import Transmission
from semcom.schemes.registry import register_scheme
from semcom.schemes.separation import SeparationScheme


@dataclass(frozen=True)
class CapacityConfig:
    rho: Fraction = Fraction(1, 12)

    def __post_init__(self):
        if not 0 < Fraction(self.rho) <= 1:
            raise ValueError(f"rho must be in (0, 1], got {self.rho}")


class CapacitySeparation(SeparationScheme):
    """Separation bound: codec file sized to the channel capacity (Shannon's separation theorem)."""

    Config = CapacityConfig

    def transmit(self, images, snr_db, channel: ChannelSpec, generator: Optional[torch.Generator] = None):
        batch, _, height, width = images.shape
        snr = 1.0 / per_image(snr_db_to_noise_var(snr_db), batch)[:, 0].double()
        k = self.channel_uses(images.shape)
        recons, bpp, outage, details = [], [], [], []
        for i in range(batch):
            planned_bits = k * math.log2(1 + float(snr[i]))
            carried_bits = planned_bits
            if channel.kind == "rayleigh":
                h = RayleighFading(channel.coherence).generate(1, k, generator)
                carried_bits = float(torch.log2(1 + h.abs().double().pow(2) * snr[i]).sum())
            found = self.search.fit(self.as_uint8(images[i]), int(planned_bits // 8))
            lost = found is None or 8 * len(found[1]) > carried_bits
            recons.append(self.fallback(height, width) if lost else self.decode_file(found[1], height, width))
            size = 0 if found is None else len(found[1])
            bpp.append(0.0 if lost else 8 * size / (height * width))
            outage.append(lost)
            details.append({"codec": self.codec_name, "quality": None if found is None else found[0],
                            "bytes": size, "planned_bits": round(planned_bits), "carried_bits": round(carried_bits)})
        return Transmission(
            reconstruction=torch.stack(recons), channel_uses=k, source_size=3 * height * width,
            bits_per_pixel=torch.tensor(bpp), outage=torch.tensor(outage), image_info=details,
        )


for _codec in list_codecs():
    register_scheme(f"{_codec}+capacity")(
        type(f"{_codec.capitalize()}Capacity", (CapacitySeparation,), {"codec_name": _codec, "__doc__":
             f"{_codec} over an ideal capacity-achieving code (separation bound)."})
    )
