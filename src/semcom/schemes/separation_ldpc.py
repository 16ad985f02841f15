"""``<codec>+ldpc``: a standard image codec over a practical LDPC + QAM link.

Transmitter: codec file (highest quality that fits) with a 4-byte length header → scrambling → IEEE 802.11
LDPC codewords → Gray QAM → channel (pilots, estimation, equalization as the channel spec says).
Receiver: exact soft LLRs with the per-symbol effective noise variance → belief propagation → bytes →
codec decoder. The modulation and code rate come from the measured AWGN table (highest spectral
efficiency whose block error rate is below 1e-2 at the design SNR: the average SNR over AWGN, the
ε-outage SNR over flat fading, and over OFDM and MIMO the ε-outage SNR of the worst codeword, MCS by MCS),
unless fixed by ``mcs=NAME``.
No usable MCS, a file that does not fit, or a stream the codec cannot decode is an outage.

``<codec>+nr-ldpc`` is the same pipeline with 5G NR code blocks (CRC-24B, 5G LDPC with rate matching to
3840 coded bits, NR Gray QAM up to 256-QAM, Sionna's demapper and decoder: :mod:`semcom.digital.nr`) and
its own measured table (``mcs_table_nr.json``). With ``heif`` it is the field's "BPG + 5G LDPC" baseline
(HEVC intra is BPG's codec). It needs ``pip install 'semcom[phy]'``.
"""

from __future__ import annotations

from dataclasses import dataclass

from semcom.channels import ChannelSpec, data_symbols_within
from semcom.channels.outage import outage_snr_db
from semcom.digital.bitpipe import num_codewords, payload_capacity_bytes, send_bytes, symbol_interleaver
from semcom.digital.mcs import MCS, family_mcs, load_mcs_table, select_mcs
from semcom.schemes.separation import Delivery, SeparationConfig, SeparationScheme, register_for_every_codec

LENGTH_HEADER_BYTES = 4


@dataclass(frozen=True)
class LDPCSchemeConfig(SeparationConfig):
    """Adds ``mcs``: ``auto`` (from the measured table) or a fixed name such as ``16qam-3/4``."""

    mcs: str = "auto"
    family = "80211n"

    def __post_init__(self):
        super().__post_init__()
        names = {m.name for m in family_mcs(self.family)}
        if self.mcs != "auto" and self.mcs not in names:
            raise ValueError(f"mcs must be 'auto' or one of {', '.join(sorted(names))}, got {self.mcs!r}")


class LDPCSeparation(SeparationScheme):
    """Practical separation: codec + LDPC + QAM with adaptive modulation and coding."""

    Config = LDPCSchemeConfig
    link_label = "LDPC"
    #: whether each image's codewords are interleaved over its whole frame (:func:`send_bytes`)
    interleave = False

    def __init__(self, config=None, precision: str = "fp32"):
        super().__init__(config, precision)
        self._auto_mcs: dict = {}  # (channel label, SNR, data symbols) -> the MCS chosen there

    def choose_mcs(self, snr_db: float, channel, symbols: int) -> MCS | None:
        """The fixed MCS, or the best one the design SNR supports for ``symbols`` data symbols. Over AWGN and
        flat Rayleigh that is one number (:meth:`design_snr_db`); over OFDM and MIMO each MCS is tried from
        the highest spectral efficiency down against the ε-outage SNR of its worst codeword
        (:mod:`semcom.channels.outage`). The choice depends on the operating point only, so it is made once
        per (channel, SNR, size), not once per image."""
        if self.config.mcs != "auto":
            return MCS.parse(self.config.mcs)
        key = (channel.label, float(snr_db), int(symbols))
        if key not in self._auto_mcs:
            self._auto_mcs[key] = self._design_mcs(float(snr_db), channel, int(symbols))
        return self._auto_mcs[key]

    def _design_mcs(self, snr_db: float, channel, symbols: int) -> MCS | None:
        table = load_mcs_table(family=self.Config.family)
        if not channel.fading or channel.kind == "rayleigh":
            return select_mcs(self.design_snr_db(snr_db, channel), table)
        for mcs in sorted(family_mcs(self.Config.family), key=lambda m: (-m.spectral_efficiency, table.threshold(m))):
            block = mcs.code.n // mcs.bits_per_symbol
            sent = num_codewords(symbols, mcs) * block
            order = symbol_interleaver(sent) if self.interleave else None
            if sent and outage_snr_db(channel, snr_db, sent, self.config.outage_target, block,
                                      order) >= table.threshold(mcs):
                return mcs
        return None

    def deliver(self, image, snr_db, channel_uses, channel: ChannelSpec, generator) -> Delivery:
        symbols = data_symbols_within(channel_uses, channel)
        mcs = self.choose_mcs(snr_db, channel, symbols)
        capacity = payload_capacity_bytes(symbols, mcs) - LENGTH_HEADER_BYTES if mcs else -1
        found = self.search.fit(self.as_uint8(image), capacity) if capacity > 0 else None
        details = {"mcs": mcs.name if mcs else None, "quality": found[0] if found else None}
        if found is None:
            details["outage_reason"] = ("no MCS decodes at this SNR" if mcs is None else
                                        "no codec quality fits the MCS's budget" if capacity > 0 else
                                        "the MCS's budget holds no file")
            return Delivery(None, 0, details)
        payload = len(found[1]).to_bytes(LENGTH_HEADER_BYTES, "big") + found[1]
        link = send_bytes(payload, symbols, mcs, snr_db, channel, generator, interleave=self.interleave)
        details.update(blocks=link.blocks, block_errors=link.block_errors)
        if link.block_errors:
            details["outage_reason"] = (f"decoding failed: {link.block_errors} of {link.blocks} LDPC blocks in "
                                        "error")  # used only when the codec then cannot decode the file
        size = int.from_bytes(link.received[:LENGTH_HEADER_BYTES], "big")
        return Delivery(link.received[LENGTH_HEADER_BYTES:LENGTH_HEADER_BYTES + size], len(found[1]), details)


register_for_every_codec("ldpc", LDPCSeparation, lambda c: f"{c} over IEEE 802.11 LDPC + Gray QAM, adaptive MCS.")


@dataclass(frozen=True)
class NRLDPCSchemeConfig(LDPCSchemeConfig):
    """As :class:`LDPCSchemeConfig`, with the NR MCS names (``nr-16qam-3/4``, …)."""

    family = "nr"


class NRLDPCSeparation(LDPCSeparation):
    """Practical separation over 5G NR LDPC code blocks and NR QAM (Sionna PHY), adaptive MCS; each image's
    codewords are interleaved over its whole frame, so each sees the frame's time and frequency diversity."""

    Config = NRLDPCSchemeConfig
    link_label = "nr-ldpc"
    interleave = True


register_for_every_codec("nr-ldpc", NRLDPCSeparation,
                         lambda c: f"{c} over 5G NR LDPC (CRC-24B, rate matching) + NR QAM, adaptive MCS (Sionna).")
