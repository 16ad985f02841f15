"""The receiver front end as small blocks (Sionna style): channel estimator, SNR estimator, equalizer.

A :class:`ChannelSpec` picks one block of each kind (:meth:`FrontEnd.from_spec`); each block can also be
used alone. Shapes, with B images, k data symbols, nb coherence blocks and P pilots per block:

* :class:`Received` — what arrived: ``y_data complex64 [B, k]``, ``y_pilots complex64 [B, nb, P]`` (or
  None without pilots), and the true channel ``h_data [B, k]`` / ``h_pilots [B, nb, P]`` for genie blocks.
* channel estimators (:class:`PerfectCSI`, :class:`LSEstimator`) → :class:`CSI`.
* SNR estimators (:class:`KnownSNR`, :class:`PilotSNR`, :class:`BlindSNR`) → noise variance ``float32 [B]``
  (sigma² per complex symbol, linear).
* equalizers (:class:`ZFEqualizer`, :class:`MMSEEqualizer`) → :class:`Equalized`.

:func:`receiver_input` then turns the equalizer's output into what an analog decoder takes: one latent
per image and the one noise variance the decoder is told. It is where ZF and MMSE differ once the channel
varies within an image (block or fast fading): see its docstring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch

from semcom.channels.estimation import (
    Equalized,
    equalize,
    estimate_snr_blind,
    estimate_snr_from_pilots,
    ls_estimate,
)
from semcom.channels.pilots import FrameLayout, pilot_sequence
from semcom.channels.spec import ChannelSpec


@dataclass(frozen=True)
class Received:
    """Symbols at the receiver, split into data and pilots (shapes in the module docstring)."""

    y_data: torch.Tensor
    h_data: torch.Tensor
    y_pilots: Optional[torch.Tensor] = None
    h_pilots: Optional[torch.Tensor] = None
    layout: Optional[FrameLayout] = None


@dataclass(frozen=True)
class CSI:
    """Channel knowledge: ``h_data complex64 [B, k]`` at the data symbols; ``h_blocks complex64 [B, nb]`` per
    coherence block (None without pilots); ``error_factor``: the estimation error variance as a multiple of
    sigma² (0 for perfect CSI, 1/P for LS from P unit-power pilots)."""

    h_data: torch.Tensor
    h_blocks: Optional[torch.Tensor] = None
    error_factor: float = 0.0


class PerfectCSI:
    """The true channel (a genie)."""

    def __call__(self, rx: Received) -> CSI:
        return CSI(rx.h_data, rx.h_pilots[..., 0] if rx.h_pilots is not None else None, 0.0)


class LSEstimator:
    """Least squares from the pilots of each coherence block, held over the block's data symbols."""

    def __init__(self, num_pilots: int):
        self.num_pilots = num_pilots

    def __call__(self, rx: Received) -> CSI:
        pilots = pilot_sequence(self.num_pilots).to(rx.y_pilots.device)
        h_blocks = ls_estimate(rx.y_pilots, pilots)
        h_data = h_blocks.repeat_interleave(rx.layout.block_len, dim=1)[:, : rx.y_data.shape[1]]
        return CSI(h_data, h_blocks, 1.0 / self.num_pilots)


class KnownSNR:
    """The receiver is told the true noise variance ``no`` (``float [B]``)."""

    def __call__(self, rx: Received, csi: CSI, no: torch.Tensor) -> torch.Tensor:
        return no.to(torch.float32)


class PilotSNR:
    """Noise variance from the pilot residuals; ``fitted``: the channel was fitted on the same pilots."""

    def __init__(self, num_pilots: int, fitted: bool):
        self.num_pilots, self.fitted = num_pilots, fitted

    def __call__(self, rx: Received, csi: CSI, no: torch.Tensor) -> torch.Tensor:
        pilots = pilot_sequence(self.num_pilots).to(rx.y_pilots.device)
        return estimate_snr_from_pilots(rx.y_pilots, pilots, csi.h_blocks, fitted=self.fitted).noise_var


class BlindSNR:
    """Noise variance from the received power, minus the signal power the channel estimate implies."""

    def __init__(self, fading: bool):
        self.fading = fading

    def __call__(self, rx: Received, csi: CSI, no: torch.Tensor) -> torch.Tensor:
        gain = csi.h_data.abs().pow(2).mean(dim=1) if self.fading else 1.0
        return estimate_snr_blind(rx.y_data, channel_gain=gain).noise_var


class ZFEqualizer:
    """``y / h``: unbiased, noise ``sigma² / |h|²`` per symbol."""

    method = "zf"

    def __call__(self, y: torch.Tensor, h: torch.Tensor, noise_var: torch.Tensor) -> Equalized:
        return equalize(y, h, noise_var, method="zf")


class MMSEEqualizer:
    """``conj(h) y / (|h|² + sigma²)``: biased towards 0 where the channel is weak, lower error there."""

    method = "mmse"

    def __call__(self, y: torch.Tensor, h: torch.Tensor, noise_var: torch.Tensor) -> Equalized:
        return equalize(y, h, noise_var, method="mmse")


@dataclass(frozen=True)
class FrontEnd:
    """One block of each kind, composed: :meth:`__call__` gives the equalized data and the noise variance."""

    estimator: object
    snr_estimator: object
    equalizer: object

    @classmethod
    def from_spec(cls, spec: ChannelSpec) -> "FrontEnd":
        estimator = LSEstimator(spec.pilots) if spec.csi == "ls" else PerfectCSI()
        if spec.snr == "known":
            snr_estimator = KnownSNR()
        elif spec.snr == "pilot":
            snr_estimator = PilotSNR(spec.pilots, fitted=spec.csi == "ls")
        else:
            snr_estimator = BlindSNR(fading=spec.kind == "rayleigh")
        # AWGN has h = 1, where both equalizers reduce to the identity; ZF is the exact one.
        equalizer = ZFEqualizer() if spec.kind == "awgn" or spec.eq == "zf" else MMSEEqualizer()
        return cls(estimator, snr_estimator, equalizer)

    def __call__(self, rx: Received, no: torch.Tensor) -> tuple[Equalized, torch.Tensor]:
        """``no``: the true noise variance ``float32 [B]`` (used by :class:`KnownSNR` only). Returns the
        :class:`Equalized` data and the estimated noise variance ``float32 [B]``."""
        csi = self.estimator(rx)
        noise_var = self.snr_estimator(rx, csi, no)
        # an imperfect estimate's error (variance error_factor·sigma² on a unit-power signal) acts as noise
        eq_var = noise_var[:, None] * (1 + csi.error_factor)
        return self.equalizer(rx.y_data, csi.h_data, eq_var), noise_var


@dataclass(frozen=True)
class ReceiverInput:
    """What an analog decoder is given: ``symbols complex64 [B, k]`` modelled as ``s + noise`` with one
    noise variance per image ``noise_var float32 [B]``, and the ``rule`` that set it."""

    symbols: torch.Tensor
    noise_var: torch.Tensor
    rule: str


def receiver_input(equalized: Equalized, method: str) -> ReceiverInput:
    """One noise variance per image for decoders trained on ``s + CN(0, sigma²)`` (the latent de-noisers,
    the JSCC decoders), from the equalizer's per-symbol model ``symbols = scale·s + e``.

    Where the effective noise ``var(e)/scale²`` is the same for every symbol of an image (AWGN, one fade per
    image), there is nothing to choose: the symbols are ``symbols / scale`` and the variance is that value
    (rule ``"uniform"``). Where it varies (block or fast fading), its mean is dominated by deep fades
    (for fast Rayleigh fading under ZF its expectation is infinite), so:

    * ``method="zf"``: the ZF symbols ``y / h``, told the **median** effective noise variance (``"zf-median"``);
    * ``method="mmse"``: the MMSE symbols divided by their mean bias ``a = mean(scale)`` (one number per
      image), told their actual mean squared error ``mean((scale/a - 1)² + var(e)/a²)``
      (``"mmse-pooled"``). Deep fades are shrunk towards 0 instead of amplified.
    """
    effective = equalized.effective_noise_var
    uniform = (effective.amax(dim=1) - effective.amin(dim=1)) <= 1e-6 * effective.amax(dim=1)
    if bool(uniform.all()):
        return ReceiverInput(equalized.unbiased, effective.mean(dim=1), "uniform")
    if method == "zf":
        return ReceiverInput(equalized.unbiased, effective.median(dim=1).values, "zf-median")
    bias = equalized.scale.mean(dim=1, keepdim=True)
    error = ((equalized.scale / bias - 1) ** 2 + equalized.noise_var / bias**2).mean(dim=1)
    return ReceiverInput(equalized.symbols / bias, error, "mmse-pooled")
