"""One complete channel use: pilots, channel, estimation, equalization (DESIGN.md §1–2).

Schemes call :func:`transmit_symbols` with power-normalized symbols and get back what the receiver sees
after its front end, with the effective noise variance per symbol that de-noisers need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch

from semcom.channels.awgn import AWGNChannel
from semcom.channels.estimation import (
    Equalized,
    equalize,
    estimate_snr_blind,
    estimate_snr_from_pilots,
    ls_estimate,
)
from semcom.channels.fading import RayleighFading
from semcom.channels.pilots import FrameLayout, build_frame, pilot_sequence, split_frame
from semcom.channels.snr import SNRLike, noise_var_to_snr_db, per_image, snr_db_to_noise_var
from semcom.channels.spec import ChannelSpec


@dataclass(frozen=True)
class LinkOutput:
    """What the receiver holds after its front end.

    Attributes:
        equalized: data symbols as :class:`Equalized` (``symbols = scale · s + e``), ``[B, k]``.
        snr_db: ``float32 [B]``, the average SNR P/sigma² as the receiver knows or estimates it (dB).
        channel_uses: complex channel uses per image on air, pilots included.
        h: ``complex64 [B, k]`` true channel at the data symbols (ones for AWGN), for analysis only.
    """

    equalized: Equalized
    snr_db: torch.Tensor
    channel_uses: int
    h: torch.Tensor


def frame_layout(spec: ChannelSpec, num_data: int) -> Optional[FrameLayout]:
    """Pilot layout of a frame carrying ``num_data`` symbols, or None when the spec uses no pilots."""
    if not spec.uses_pilots:
        return None
    if spec.kind == "rayleigh" and isinstance(spec.coherence, int):
        block = spec.coherence - spec.pilots
    else:
        block = num_data
    return FrameLayout(num_data=num_data, block_len=block, num_pilots=spec.pilots)


def transmit_symbols(
    s: torch.Tensor, snr_db: SNRLike, spec: ChannelSpec, generator: Optional[torch.Generator] = None
) -> LinkOutput:
    """Send ``complex64 [B, k]`` unit-power symbols over the channel of ``spec`` at ``snr_db`` (dB).

    ``snr_db`` is a float or ``float [B]``. The random source is ``generator`` alone.
    """
    batch, k = s.shape
    true_var = per_image(snr_db_to_noise_var(snr_db), batch)
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
    else:
        y_pilots, y_data, h_pilots, h_data = None, y, None, h

    if spec.csi == "ls":
        h_blocks = ls_estimate(y_pilots, pilot_sequence(spec.pilots))
        h_used = h_blocks.repeat_interleave(layout.block_len, dim=1)[:, :k]
    else:
        h_blocks = h_pilots[..., 0] if h_pilots is not None else None
        h_used = h_data

    if spec.snr == "known":
        noise_var = true_var[:, 0]
    elif spec.snr == "pilot":
        noise_var = estimate_snr_from_pilots(
            y_pilots, pilot_sequence(spec.pilots), h_blocks, fitted=spec.csi == "ls"
        ).noise_var
    else:
        gain = h_used.abs().pow(2).mean(dim=1) if spec.kind == "rayleigh" else 1.0
        noise_var = estimate_snr_blind(y_data, channel_gain=gain).noise_var

    # LS estimation error (variance sigma²/pilots) acts as extra noise on a unit-power signal.
    eq_var = noise_var[:, None] * (1 + 1 / spec.pilots if spec.csi == "ls" else 1.0)
    method = "zf" if spec.kind == "awgn" else spec.eq
    equalized = equalize(y_data, h_used, eq_var, method=method)
    return LinkOutput(equalized=equalized, snr_db=noise_var_to_snr_db(noise_var), channel_uses=y.shape[1], h=h_data)
