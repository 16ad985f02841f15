"""Channels and the receiver front end. Every channel is stateless and takes ``snr_db`` on each call."""

from semcom.channels.awgn import AWGNChannel, complex_noise
from semcom.channels.estimation import (
    Equalized,
    SNREstimate,
    equalize,
    estimate_snr_blind,
    estimate_snr_from_pilots,
    ls_estimate,
)
from semcom.channels.fading import RayleighFading, coherence_length
from semcom.channels.frontend import (
    CSI,
    BlindSNR,
    FrontEnd,
    KnownSNR,
    LSEstimator,
    MMSEEqualizer,
    PerfectCSI,
    PilotSNR,
    Received,
    ReceiverInput,
    ZFEqualizer,
    receiver_input,
)
from semcom.channels.link import LinkOutput, data_symbols_within, transmit_symbols
from semcom.channels.packing import (
    bandwidth_ratio,
    complex_to_real,
    num_channel_uses,
    parse_ratio,
    real_to_complex,
    source_size,
)
from semcom.channels.pilots import FrameLayout, build_frame, pilot_sequence, split_frame
from semcom.channels.power import PowerNormalized, mean_power, normalize_power
from semcom.channels.snr import noise_var_to_snr_db, snr_db_to_noise_var, validate_snr_db
from semcom.channels.mimo import MIMOSpec
from semcom.channels.ofdm import OFDMSpec
from semcom.channels.spec import ChannelSpec, ChannelSpecError, parse_channel

__all__ = [name for name in dir() if not name.startswith("_")]
