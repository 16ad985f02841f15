"""One complete channel use: pilots, channel, estimation, equalization (DESIGN.md §1–2).

Schemes call :func:`transmit_symbols` with power-normalized symbols and get back what the receiver sees
after its front end, with the effective noise variance per symbol that de-noisers need.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.channels.awgn import AWGNChannel
from semcom.channels.estimation import Equalized
from semcom.channels.fading import RayleighFading
from semcom.channels.frontend import FrontEnd, Received, ReceiverInput, receiver_input
from semcom.channels.pilots import FrameLayout, build_frame, split_frame
from semcom.channels.snr import SNRLike, noise_var_to_snr_db, per_image, snr_db_to_noise_var
from semcom.channels.spec import ChannelSpec, parse_channel
from semcom.rng import Generators


@dataclass(frozen=True)
class LinkOutput:
    """What the receiver holds after its front end.

    Attributes:
        equalized: data symbols as :class:`Equalized` (``symbols = scale · s + e``), ``[B, k]``.
        snr_db: ``float32 [B]``, the average SNR P/sigma² as the receiver knows or estimates it (dB).
        channel_uses: complex channel uses per image on air, pilots included.
        h: ``complex64 [B, k]`` true channel at the data symbols (ones for AWGN), for analysis only; None
            for OFDM and MIMO, whose channel is not one number per symbol.
        equalizer: ``"zf"`` or ``"mmse"``, the equalizer that ran.
    """

    equalized: Equalized
    snr_db: torch.Tensor
    channel_uses: int
    h: torch.Tensor | None
    equalizer: str = "zf"

    @property
    def decoder_input(self) -> ReceiverInput:
        """The symbols and the one noise variance per image an analog decoder is given
        (:func:`semcom.channels.frontend.receiver_input`)."""
        return receiver_input(self.equalized, self.equalizer)


def frame_layout(spec: ChannelSpec, num_data: int) -> FrameLayout | None:
    """Pilot layout of a frame carrying ``num_data`` symbols, or None when the spec uses no pilots."""
    if not spec.uses_pilots:
        return None
    if spec.kind == "rayleigh" and isinstance(spec.coherence, int):
        block = spec.coherence - spec.pilots
    else:
        block = num_data
    return FrameLayout(num_data=num_data, block_len=block, num_pilots=spec.pilots)


def transmit_symbols(s: torch.Tensor, snr_db: SNRLike, spec, generator: Generators = None) -> LinkOutput:
    """Send ``complex64 [B, k]`` unit-power symbols over the channel of ``spec`` at ``snr_db`` (dB).

    ``spec`` is any channel spec (:func:`semcom.channels.spec.parse_channel`: AWGN, flat Rayleigh, OFDM,
    MIMO) or its text. ``snr_db`` is a float or ``float [B]``. The random source is ``generator`` alone (one
    for the batch or one per image, :mod:`semcom.rng`); the result is on ``s.device``.
    """
    return parse_channel(spec).transmit(s, snr_db, generator)


def equalized_from_unbiased(x_hat: torch.Tensor, no_eff: torch.Tensor, method: str) -> Equalized:
    """:class:`Equalized` from an equalizer's unbiased output ``x_hat = s + e`` with ``var(e) = no_eff``
    (Sionna's convention, both ``[B, k]``). For ``lmmse`` the biased LMMSE estimate is restored: its bias
    is ``d = 1 / (1 + no_eff)`` for a unit-power signal, so ``symbols = d·x_hat``, ``noise_var = d²·no_eff``
    (for one antenna this is exactly :func:`semcom.channels.estimation.equalize` with ``mmse``)."""
    no_eff = no_eff.to(torch.float32)
    if method == "zf":
        return Equalized(symbols=x_hat, scale=torch.ones_like(no_eff), noise_var=no_eff)
    bias = 1 / (1 + no_eff)
    return Equalized(symbols=x_hat * bias, scale=bias, noise_var=bias**2 * no_eff)


def flat_transmit(spec: ChannelSpec, s: torch.Tensor, snr_db: SNRLike, generator: Generators = None) -> LinkOutput:
    """:func:`transmit_symbols` for AWGN and flat Rayleigh fading (:class:`ChannelSpec`)."""
    batch, k = s.shape
    true_var = per_image(snr_db_to_noise_var(snr_db), batch).to(s.device)
    layout = frame_layout(spec, k)
    frame = build_frame(s, layout) if layout else s

    if spec.kind == "awgn":
        y = AWGNChannel()(frame, snr_db, generator)
        h = torch.ones_like(frame)
    else:
        coherence = layout.coherence_len if layout and isinstance(spec.coherence, int) else spec.coherence
        y, h = RayleighFading(coherence)(frame, snr_db, generator, return_channel=True)

    if layout:
        y_pilots, y_data = split_frame(y, layout)
        h_pilots, h_data = split_frame(h, layout)
        rx = Received(y_data, h_data, y_pilots, h_pilots, layout)
    else:
        rx = Received(y, h)
    front_end = FrontEnd.from_spec(spec)
    equalized, noise_var = front_end(rx, true_var[:, 0])
    return LinkOutput(equalized=equalized, snr_db=noise_var_to_snr_db(noise_var).to(s.device),
                      channel_uses=y.shape[1], h=rx.h_data, equalizer=front_end.equalizer.method)


def data_symbols_within(channel_uses: int, channel) -> int:
    """Largest number of data symbols whose frame (pilots, cyclic prefixes, guards and streams counted by
    the spec's ``frame_len``) fits into ``channel_uses``."""
    lo, hi = 0, channel_uses * getattr(channel, "nt", 1)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if channel.frame_len(mid) <= channel_uses:
            lo = mid
        else:
            hi = mid - 1
    return lo
