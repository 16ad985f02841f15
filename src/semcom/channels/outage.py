"""The ε-outage effective SNR of a channel: what a transmitter without channel knowledge can plan for.

For one image of ``num_symbols`` data symbols, the link's per-symbol effective SNRs ``SNR_i = 1 / no_eff_i``
(after estimation and equalization) are pooled into the capacity-equivalent SNR
``SNR_eff = 2^(mean_i log2(1 + SNR_i)) - 1`` (Gaussian inputs: the SNR of the AWGN channel that carries as
many bits). Its ε-quantile over channel draws is the design SNR: the highest SNR the image's link falls below
with probability at most ε. For flat Rayleigh with one fade per image this is the closed form
``SNR · (-ln(1 - ε))``; for OFDM over frequency-selective TDL channels and for MIMO, whose diversity makes
the pooled SNR far steadier, it is measured here from ``draws`` channel draws of a fixed seed (the
statistics of the channel, not the realization the image will meet).

A coded link loses the image when any codeword fails, so the LDPC schemes pool per codeword and plan for the
ε-quantile of the worst codeword's SNR, MCS by MCS (each MCS has its own codeword length in symbols).
"""

from __future__ import annotations

import functools
import math

import torch

from semcom.channels.snr import noise_var_to_snr_db


def pooled_snr_db(effective_noise_var: torch.Tensor) -> torch.Tensor:
    """Capacity-equivalent SNR (dB) of each row of per-symbol effective noise variances ``float [B, k]``."""
    bits = torch.log2(1 + 1 / effective_noise_var.double()).mean(dim=1)
    return noise_var_to_snr_db(1 / (torch.pow(2.0, bits) - 1).clamp_min(1e-30))


@functools.lru_cache(maxsize=64)
def effective_noise_draws(channel, snr_db: float, num_symbols: int, draws: int = 100, seed: int = 0) -> torch.Tensor:
    """Per-symbol effective noise variances ``float32 [draws, num_symbols]`` of ``draws`` images' worth of
    channel draws at the average SNR ``snr_db`` (dB), each from a fixed seed. ``channel`` is a spec object."""
    from semcom.channels.link import transmit_symbols

    generators = [torch.Generator().manual_seed(seed * 100_003 + i) for i in range(draws)]
    probe = torch.ones((draws, max(1, int(num_symbols))), dtype=torch.complex64)
    return transmit_symbols(probe, float(snr_db), channel, generators).equalized.effective_noise_var.cpu()


def outage_snr_db(channel, snr_db: float, num_symbols: int, epsilon: float, block: int = 0,
                  order=None, draws: int = 100, seed: int = 0) -> float:
    """The ε-quantile (dB) over channel draws of the image's pooled SNR (:func:`pooled_snr_db`).

    With ``block`` > 0 the symbols are pooled per codeword of ``block`` consecutive symbols and an image
    counts its worst codeword, since one failed codeword loses the whole file: the quantile is then of
    ``min over codewords`` of their pooled SNRs. ``order`` (``int [num_symbols]``) is the interleaver: symbol
    i of the coded stream sits at position ``order[i]`` on air.
    """
    effective = effective_noise_draws(channel, float(snr_db), int(num_symbols), draws, seed)
    if order is not None:
        effective = effective[:, torch.as_tensor(order)]
    if 0 < block <= effective.shape[1]:
        whole = effective.shape[1] // block * block
        codewords = effective[:, :whole].reshape(effective.shape[0] * (whole // block), block)
        pooled = pooled_snr_db(codewords).reshape(effective.shape[0], -1).amin(dim=1)
    else:
        pooled = pooled_snr_db(effective)
    return float(torch.quantile(pooled.double(), epsilon))


def rayleigh_outage_snr_db(snr_db: float, epsilon: float) -> float:
    """Closed form for one Rayleigh fade per image: ``snr_db + 10 log10(-ln(1 - ε))``."""
    return snr_db + 10 * math.log10(-math.log1p(-epsilon))
