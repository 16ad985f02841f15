"""MIMO spatial multiplexing over flat Rayleigh fading, with Sionna PHY's ZF and LMMSE equalizers.

Spec::

    mimo:nt=2,nr=2,corr=0,eq=lmmse,coherence=image

A scheme's ``complex64 [B, k]`` unit-power symbols are spread over ``nt`` streams, one per transmit
antenna: channel use t carries symbols ``t·nt … t·nt + nt - 1``, so an image takes ``ceil(k / nt)`` channel
uses (the row's k; rho counts channel uses, so it is ``1/nt`` of the SISO value). Each use sees
``y = H x + n`` with ``H`` ``[nr, nt]`` i.i.d. CN(0, 1), or Kronecker-correlated with the exponential model
``R[i, j] = corr^|i - j|`` at both ends (Sionna's ``KroneckerModel`` and ``exp_corr_mat``), constant over a
coherence block (``image``, ``fast`` or L channel uses), and ``n`` CN(0, sigma²) per receive antenna.

SNR (DESIGN.md §2) is P/sigma² per complex data symbol: every stream's symbols have unit power (``nt``
per channel use in all), and sigma² is the noise per receive antenna. With ``nt = nr = 1`` this is flat
Rayleigh fading. The receiver knows H (perfect CSI) and the SNR; Sionna's ``zf_equalizer`` or
``lmmse_equalizer`` gives each stream's symbol and its effective noise variance, which the schemes get.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import torch

from semcom.channels.awgn import complex_noise
from semcom.channels.fading import coherence_length
from semcom.channels.phy import sionna_module
from semcom.channels.snr import SNRLike, per_image, snr_db_to_noise_var
from semcom.channels.spec import ChannelSpecError, check_choice, coerce_options
from semcom.rng import Generators, randn
from semcom.specs import format_spec, parse_spec

MIMO_EQUALIZERS = ("lmmse", "zf")
MAX_ANTENNAS = 64


@dataclass(frozen=True)
class MIMOSpec:
    """Spatial multiplexing over ``nt × nr`` flat Rayleigh fading (module docstring for the model).

    Attributes:
        nt: transmit antennas = streams.
        nr: receive antennas (``>= nt``: a linear equalizer cannot separate more streams than antennas).
        corr: exponential correlation coefficient of neighbouring antennas, at both ends, in [0, 1).
        eq: ``lmmse`` or ``zf``.
        coherence: ``image`` (one H per image), ``fast`` (one per channel use) or L channel uses.
    """

    nt: int = 2
    nr: int = 2
    corr: float = 0.0
    eq: str = "lmmse"
    coherence: str | int = "image"

    kind = "mimo"
    fading = True
    uses_pilots = False

    def __post_init__(self):
        check_choice(self.eq, MIMO_EQUALIZERS, "eq")
        if not 1 <= self.nt <= MAX_ANTENNAS or not 1 <= self.nr <= MAX_ANTENNAS:
            raise ChannelSpecError(f"nt and nr must be 1..{MAX_ANTENNAS} antennas, got nt={self.nt}, nr={self.nr}")
        if self.nr < self.nt:
            raise ChannelSpecError(f"nr={self.nr} receive antennas cannot separate nt={self.nt} streams with a "
                                   "linear equalizer; use nr >= nt")
        if not (math.isfinite(self.corr) and 0 <= self.corr < 1):
            raise ChannelSpecError(f"corr must lie in [0, 1), got {self.corr}")
        try:
            coherence_length(self.coherence, 1)
        except ValueError as exc:
            raise ChannelSpecError(str(exc)) from None

    def frame_len(self, num_data: int) -> int:
        """Channel uses for ``num_data`` symbols: ``ceil(num_data / nt)``."""
        return -(-int(num_data) // self.nt)

    @property
    def label(self) -> str:
        return format_spec(self.kind, [(f.name, f"{getattr(self, f.name):g}" if f.name == "corr"
                                        else getattr(self, f.name)) for f in fields(self)])

    @classmethod
    def parse(cls, text: str) -> MIMOSpec:
        _, given = parse_spec(text, "channel", ChannelSpecError)
        coherence = given.pop("coherence", None)
        options = coerce_options(cls, given, text)
        if coherence is not None:
            options["coherence"] = int(coherence) if coherence.isdigit() else coherence.lower()
        return cls(**options)

    def transmit(self, s: torch.Tensor, snr_db: SNRLike, generator: Generators = None):
        """Send ``complex64 [B, k]`` unit-power symbols; returns a :class:`semcom.channels.link.LinkOutput`."""
        return mimo_transmit(self, s, snr_db, generator)


def draw_mimo_channel(spec: MIMOSpec, batch: int, uses: int, generator: Generators = None) -> torch.Tensor:
    """Channel matrices ``complex64 [B, uses, nr, nt]``, constant over each coherence block (CPU)."""
    block = coherence_length(spec.coherence, uses)
    blocks = -(-uses // block)
    h = randn((batch, blocks, spec.nr, spec.nt), generator, None, torch.complex64)
    if spec.corr > 0:
        channel = sionna_module("channel")
        corr = torch.tensor(spec.corr, dtype=torch.float32)
        model = channel.KroneckerModel(channel.exp_corr_mat(corr, spec.nt, device="cpu"),
                                       channel.exp_corr_mat(corr, spec.nr, device="cpu"), device="cpu")
        h = model(h)
    return h.repeat_interleave(block, dim=1)[:, :uses]


def mimo_transmit(spec: MIMOSpec, s: torch.Tensor, snr_db: SNRLike, generator: Generators = None):
    from semcom.channels.link import LinkOutput, equalized_from_unbiased

    mimo = sionna_module("mimo")
    batch, k = s.shape
    uses = spec.frame_len(k)
    noise_var = per_image(snr_db_to_noise_var(snr_db), batch)  # [B, 1]
    x = torch.nn.functional.pad(s.detach().to("cpu", torch.complex64), (0, uses * spec.nt - k))
    x = x.reshape(batch, uses, spec.nt)
    h = draw_mimo_channel(spec, batch, uses, generator)
    y = (h @ x[..., None])[..., 0]
    y = y + complex_noise((batch, uses * spec.nr), noise_var, generator, "cpu").reshape(y.shape)
    covariance = noise_var[:, :, None, None] * torch.eye(spec.nr, dtype=torch.complex64)
    equalizer = mimo.lmmse_equalizer if spec.eq == "lmmse" else mimo.zf_equalizer
    x_hat, no_eff = equalizer(y, h, covariance.expand(batch, uses, spec.nr, spec.nr))
    x_hat, no_eff = (t.reshape(batch, -1)[:, :k].to(s.device) for t in (x_hat, no_eff))
    return LinkOutput(equalized=equalized_from_unbiased(x_hat, no_eff, spec.eq),
                      snr_db=per_image(snr_db, batch)[:, 0].to(s.device),
                      channel_uses=uses, h=None, equalizer="zf" if spec.eq == "zf" else "mmse")


__all__ = ["MIMOSpec", "draw_mimo_channel"]
