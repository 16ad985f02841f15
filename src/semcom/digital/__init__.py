"""Digital transmission: Gray QAM, IEEE 802.11n LDPC codes, 5G NR code blocks (Sionna PHY, :mod:`.nr`), MCS
selection and a byte pipe over the channel.

``bytes → scramble → LDPC encode → Gray QAM → channel (semcom.channels) → exact LLRs with the effective noise
variance → belief propagation → bytes``. See :func:`send_bytes`.
"""

from semcom.digital.bitpipe import BitPipeResult, num_codewords, payload_capacity_bytes, send_bytes
from semcom.digital.ldpc import LDPCCode, LDPCDecodeResult, lift_base_matrix
from semcom.digital.mcs import ALL_MCS, MCS, NR_MCS, MCSTable, family_mcs, load_mcs_table, select_mcs
from semcom.digital.modulation import QAM
from semcom.digital.nr import NRQAM, NRCode

__all__ = [
    "ALL_MCS",
    "BitPipeResult",
    "LDPCCode",
    "LDPCDecodeResult",
    "MCS",
    "MCSTable",
    "NRCode",
    "NRQAM",
    "NR_MCS",
    "QAM",
    "family_mcs",
    "lift_base_matrix",
    "load_mcs_table",
    "num_codewords",
    "payload_capacity_bytes",
    "select_mcs",
    "send_bytes",
]
