"""Digital transmission: Gray QAM, IEEE 802.11n LDPC codes, MCS selection and a byte pipe over the channel.

``bytes → scramble → LDPC encode → Gray QAM → channel (semcom.channels) → exact LLRs with the effective noise
variance → belief propagation → bytes``. See :func:`send_bytes`.
"""

from semcom.digital.bitpipe import BitPipeResult, num_codewords, payload_capacity_bytes, send_bytes
from semcom.digital.ldpc import LDPCCode, LDPCDecodeResult, lift_base_matrix
from semcom.digital.mcs import ALL_MCS, MCS, MCSTable, load_mcs_table, select_mcs
from semcom.digital.modulation import QAM

__all__ = [
    "ALL_MCS",
    "BitPipeResult",
    "LDPCCode",
    "LDPCDecodeResult",
    "MCS",
    "MCSTable",
    "QAM",
    "lift_base_matrix",
    "load_mcs_table",
    "num_codewords",
    "payload_capacity_bytes",
    "select_mcs",
    "send_bytes",
]
