"""``<codec>+capacity``: a standard image codec over an ideal capacity-achieving channel code.

The link carries ``k · log2(1 + SNR)`` bits for k = floor(rho · n) channel uses over AWGN. Over Rayleigh
fading the link carries the instantaneous capacity ``Σ_i log2(1 + |h_i|² SNR)`` of the drawn channel (over
OFDM and MIMO: ``Σ log2(1 + SNR_i)`` over the data symbols of the equalized link, each with its effective
SNR ``1/no_eff``: the capacity with Gaussian inputs of the ZF/LMMSE receiver, not of the channel itself), and
the transmitter, which does not know h, sizes the file for the capacity at its design SNR (the ε-outage
SNR, see :mod:`semcom.schemes.separation`): a file larger than what the drawn channel carries is lost
(outage). The file is the highest codec quality that fits, headers included.
"""

from __future__ import annotations

import math
import torch

from semcom.channels import ChannelSpec, RayleighFading, data_symbols_within, snr_db_to_noise_var, transmit_symbols
from semcom.schemes.separation import Delivery, SeparationConfig, SeparationScheme, register_for_every_codec


class CapacitySeparation(SeparationScheme):
    """Separation bound: codec file sized to the channel capacity (Shannon's separation theorem)."""

    Config = SeparationConfig
    link_label = "capacity"

    def deliver(self, image, snr_db, channel_uses, channel: ChannelSpec, generator) -> Delivery:
        snr = 1 / float(snr_db_to_noise_var(snr_db))
        symbols = data_symbols_within(channel_uses, channel)
        design_snr = 1 / float(snr_db_to_noise_var(self.design_snr_db(snr_db, channel, symbols)))
        planned_bits = channel_uses * math.log2(1 + design_snr)
        carried_bits = channel_uses * math.log2(1 + snr)
        if channel.kind == "rayleigh":
            h = RayleighFading(channel.coherence).generate(1, channel_uses, generator)
            carried_bits = float(torch.log2(1 + h.abs().double().pow(2) * snr).sum())
        elif channel.fading:
            probe = torch.ones((1, symbols), dtype=torch.complex64)
            effective = transmit_symbols(probe, snr_db, channel, generator).equalized.effective_noise_var
            carried_bits = float(torch.log2(1 + 1 / effective.double()).sum())
        found = self.search.fit(self.as_uint8(image), int(planned_bits // 8))
        sent = 0 if found is None else len(found[1])
        details = {"quality": None if found is None else found[0], "planned_bits": round(planned_bits),
                   "carried_bits": round(carried_bits)}
        delivered = found is not None and 8 * sent <= carried_bits
        if found is None:
            details["outage_reason"] = "no codec quality fits the planned capacity"
        elif not delivered:
            details["outage_reason"] = "decoding failed: the channel carried fewer bits than the file (a fade)"
        return Delivery(found[1] if delivered else None, sent, details)


register_for_every_codec("capacity", CapacitySeparation, lambda c: f"{c} over an ideal capacity-achieving code.")
