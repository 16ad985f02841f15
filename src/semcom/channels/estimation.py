"""Receiver front end: LS channel estimation, ZF/MMSE equalization and SNR estimation."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.channels.snr import noise_var_to_snr_db


@dataclass(frozen=True)
class Equalized:
    """Equalizer output, modelled per symbol as ``symbols = scale · s + e`` with ``e ~ CN(0, noise_var)``.

    Attributes:
        symbols: ``complex64 [B, k]`` equalized symbols.
        scale: ``float32 [B, k]`` the (real) bias factor: 1 for ZF, ``|h|²/(|h|²+sigma²)`` for MMSE.
        noise_var: ``float32 [B, k]`` variance of ``e`` (linear).
    """

    symbols: torch.Tensor
    scale: torch.Tensor
    noise_var: torch.Tensor

    @property
    def mse(self) -> torch.Tensor:
        """Expected ``|symbols - s|²`` per symbol for unit-power ``s``: ``(1 - scale)² + noise_var``."""
        return (1 - self.scale) ** 2 + self.noise_var

    @property
    def unbiased(self) -> torch.Tensor:
        """``symbols / scale``: ``s`` plus noise of variance ``noise_var / scale²`` (``effective_noise_var``)."""
        return self.symbols / self.scale

    @property
    def effective_noise_var(self) -> torch.Tensor:
        """Noise variance of :attr:`unbiased`, i.e. ``1 / SNR_eff`` per symbol: ``float32 [B, k]``."""
        return self.noise_var / self.scale**2


def equalize(
    y: torch.Tensor, h: torch.Tensor, noise_var: torch.Tensor, method: str = "mmse", signal_power: float = 1.0
) -> Equalized:
    """Equalize a flat-fading channel symbol by symbol.

    Args:
        y: ``complex64 [B, k]`` received symbols.
        h: ``complex64 [B, k]`` channel (true or estimated).
        noise_var: ``float32`` broadcastable to ``[B, k]``: the noise plus any channel-estimation error
            variance the receiver accounts for (linear).
        method: ``"zf"`` (``y / h``) or ``"mmse"`` (``conj(h) y / (|h|² + sigma²/P)``).

    For one tap per symbol, unbiased MMSE equals ZF; the difference is the shrinkage, which lowers the mean
    squared error where ``|h|²`` is small (deep fades, low SNR).
    """
    noise_var = torch.as_tensor(noise_var, dtype=torch.float32, device=y.device).expand(y.shape)
    gain2 = h.abs().pow(2).clamp_min(1e-20)
    if method == "zf":
        return Equalized(symbols=y / h, scale=torch.ones_like(gain2), noise_var=noise_var / gain2)
    if method == "mmse":
        denom = gain2 + noise_var / signal_power
        scale = gain2 / denom
        return Equalized(
            symbols=h.conj() * y / denom, scale=scale, noise_var=gain2 * noise_var / denom**2
        )
    raise ValueError(f"unknown equalizer {method!r}; use 'zf' or 'mmse'")


def ls_estimate(y_pilots: torch.Tensor, pilots: torch.Tensor) -> torch.Tensor:
    """Least-squares channel estimate per block.

    Args:
        y_pilots: ``complex64 [B, nb, P]`` received pilots; pilots: ``complex64 [P]`` transmitted ones.
    Returns:
        ``complex64 [B, nb]``; its error variance is ``sigma² / (P · mean|p|²)``.
    """
    return (y_pilots * pilots.conj()).sum(-1) / pilots.abs().pow(2).sum()


@dataclass(frozen=True)
class SNREstimate:
    """An SNR estimate per image: ``snr_db`` and ``noise_var`` are ``float32 [B]``."""

    snr_db: torch.Tensor
    noise_var: torch.Tensor


def estimate_snr_from_pilots(
    y_pilots: torch.Tensor,
    pilots: torch.Tensor,
    h: torch.Tensor,
    fitted: bool = True,
    signal_power: float = 1.0,
) -> SNREstimate:
    """Noise variance from the pilot residuals ``y_p - h p``, averaged over blocks.

    ``h`` (``complex64 [B, nb]``) is either the LS fit from the same pilots (``fitted=True``: one complex
    degree of freedom per block is used up, so at least 2 pilots are needed) or the true channel.
    Shapes as in :func:`ls_estimate`; returns the average SNR P/sigma².
    """
    num_pilots = y_pilots.shape[-1]
    if fitted and num_pilots < 2:
        raise ValueError("pilot-based SNR estimation with an LS channel fit needs at least 2 pilots per block")
    residual = y_pilots - h[..., None] * pilots
    dof = residual.shape[1] * (num_pilots - int(fitted))
    noise_var = (residual.abs().pow(2).sum(dim=(1, 2)) / dof).clamp_min(1e-12)
    return SNREstimate(snr_db=noise_var_to_snr_db(noise_var, signal_power), noise_var=noise_var)


def estimate_snr_blind(
    y: torch.Tensor, signal_power: float = 1.0, channel_gain=1.0, max_snr_db: float = 60.0
) -> SNREstimate:
    """Blind estimate from received power: ``sigma² ≈ mean|y|² - |h|² P``.

    ``channel_gain`` is the mean ``|h|²`` over the image, a float or ``float [B]`` (AWGN: 1).

    Its standard error is about ``sqrt(2 sigma² P / k)``: fine at low SNR, poor once sigma² falls below
    that, so the result is clipped at ``max_snr_db``. ``y`` is ``complex64 [B, k]``.
    """
    received = y.abs().pow(2).to(torch.float64).mean(dim=1)
    channel_gain = torch.as_tensor(channel_gain, dtype=torch.float64, device=y.device)
    floor = signal_power * 10 ** (-max_snr_db / 10)
    noise_var = (received - channel_gain * signal_power).clamp_min(floor).to(torch.float32)
    return SNREstimate(snr_db=noise_var_to_snr_db(noise_var, signal_power), noise_var=noise_var)
