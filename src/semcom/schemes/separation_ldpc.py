"""``<codec>+ldpc``: a standard image codec over a practical LDPC + QAM link.

Transmitter: codec file (highest quality that fits) with a 4-byte length header → scrambling → IEEE 802.11
LDPC codewords → Gray QAM → channel (pilots, estimation, equalization as the channel spec says).
Receiver: exact soft LLRs with the per-symbol effective noise variance → belief propagation → bytes →
codec decoder. The modulation and code rate come from the measured AWGN table (highest spectral
efficiency whose block error rate is below 1e-2 at the average SNR), unless fixed by ``mcs=NAME``.
No usable MCS, a file that does not fit, or a stream the codec cannot decode is an outage.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

import torch

from semcom.channels import ChannelSpec
from semcom.channels.link import frame_layout
from semcom.channels.snr import per_image, validate_snr_db
from semcom.digital.bitpipe import payload_capacity_bytes, send_bytes
from semcom.digital.image_codecs import CodecDecodeError, list_codecs
from semcom.digital.mcs import ALL_MCS, MCS, select_mcs
from semcom.schemes.base import Transmission
from semcom.schemes.registry import register_scheme
from semcom.schemes.separation import SeparationScheme

LENGTH_HEADER_BYTES = 4


@dataclass(frozen=True)
class LDPCSchemeConfig:
    rho: Fraction = Fraction(1, 12)
    mcs: str = "auto"

    def __post_init__(self):
        if not 0 < Fraction(self.rho) <= 1:
            raise ValueError(f"rho must be in (0, 1], got {self.rho}")
        names = {m.name for m in ALL_MCS}
        if self.mcs != "auto" and self.mcs not in names:
            raise ValueError(f"mcs must be 'auto' or one of {', '.join(sorted(names))}, got {self.mcs!r}")


def data_symbols_within(channel_uses: int, channel: ChannelSpec) -> int:
    """Largest number of data symbols whose frame, pilots included, fits into ``channel_uses``."""
    if not channel.uses_pilots:
        return channel_uses
    lo, hi = 0, channel_uses
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if frame_layout(channel, mid).frame_len <= channel_uses:
            lo = mid
        else:
            hi = mid - 1
    return lo


class LDPCSeparation(SeparationScheme):
    """Practical separation: codec + LDPC + QAM with adaptive modulation and coding."""

    Config = LDPCSchemeConfig

    def choose_mcs(self, snr_db: float) -> Optional[MCS]:
        if self.config.mcs != "auto":
            return next(m for m in ALL_MCS if m.name == self.config.mcs)
        return select_mcs(snr_db)

    def transmit(self, images, snr_db, channel: ChannelSpec, generator: Optional[torch.Generator] = None):
        validate_snr_db(snr_db)
        batch, _, height, width = images.shape
        snrs = per_image(snr_db, batch)[:, 0]
        k = self.channel_uses(images.shape)
        symbols = data_symbols_within(k, channel)
        recons, bpp, outage, details = [], [], [], []
        for i in range(batch):
            mcs = self.choose_mcs(float(snrs[i]))
            capacity = payload_capacity_bytes(symbols, mcs) - LENGTH_HEADER_BYTES if mcs else -1
            found = self.search.fit(self.as_uint8(images[i]), capacity) if capacity > 0 else None
            detail = {"codec": self.codec_name, "mcs": mcs.name if mcs else None,
                      "quality": found[0] if found else None, "bytes": len(found[1]) if found else 0}
            recon = None
            if found is not None:
                payload = len(found[1]).to_bytes(LENGTH_HEADER_BYTES, "big") + found[1]
                link = send_bytes(payload, symbols, mcs, float(snrs[i]), channel, generator)
                detail.update(blocks=link.blocks, block_errors=link.block_errors)
                size = int.from_bytes(link.received[:LENGTH_HEADER_BYTES], "big")
                stream = link.received[LENGTH_HEADER_BYTES:LENGTH_HEADER_BYTES + size]
                try:
                    recon = self.decode_file(stream, height, width)
                except CodecDecodeError:
                    recon = None
            lost = recon is None
            recons.append(self.fallback(height, width) if lost else recon)
            bpp.append(0.0 if lost else 8 * detail["bytes"] / (height * width))
            outage.append(lost)
            details.append(detail)
        return Transmission(
            reconstruction=torch.stack(recons), channel_uses=k, source_size=3 * height * width,
            bits_per_pixel=torch.tensor(bpp), outage=torch.tensor(outage), image_info=details,
        )


for _codec in list_codecs():
    register_scheme(f"{_codec}+ldpc")(
        type(f"{_codec.capitalize()}LDPC", (LDPCSeparation,), {"codec_name": _codec, "__doc__":
             f"{_codec} over IEEE 802.11 LDPC + Gray QAM with adaptive MCS."})
    )
