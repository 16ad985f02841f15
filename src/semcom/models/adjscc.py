"""ADJSCC of Xu, Ai, Chen, Yang, Sun and Rodrigues, "Wireless image transmission using deep source channel
coding with attention modules", IEEE TCSVT 32(4), 2021.

DeepJSCC-style convolutions with GDN/IGDN and PReLU, each followed by an attention feature (AF) module that
takes the channel SNR: channel-wise mean of the features, concatenated with the SNR (dB), two fully
connected layers and a sigmoid give one scale per feature channel. One model serves a range of SNRs.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

import torch
from torch import nn

from semcom.nn import GDN, IGDN

DOWNSAMPLING = 4


@dataclass(frozen=True)
class ADJSCCConfig:
    """``channels``: latent channels c (rho = c / 96); ``width``: hidden channels (paper: 256)."""

    channels: int = 8
    width: int = 256
    af_hidden_ratio: int = 16
    #: The AF modules see ``snr_db / af_snr_scale_db``: raw dB values (up to ~30) saturate the gates at
    #: initialisation and slowed training (benchmarks/adjscc_af_scale.py).
    af_snr_scale_db: float = 10.0
    #: Initial bias of each AF gate's output layer; None keeps PyTorch's default (gates start near 0.5).
    #: The features pass nine such gates (five before the power normalization, four after), which slows early
    #: training; a bias of 3 starts them near 0.95 and learned faster (jscc.md, "ADJSCC, retrained").
    af_gate_bias: Optional[float] = None

    @property
    def rho(self) -> Fraction:
        return Fraction(self.channels, 2 * 3 * DOWNSAMPLING**2)


class AttentionFeature(nn.Module):
    """AF module: ``features [B, C, H, W]``, ``snr_db [B]`` → features scaled per channel by a learned gate."""

    def __init__(self, channels: int, hidden_ratio: int = 16, snr_scale_db: float = 10.0,
                 gate_bias: Optional[float] = None):
        super().__init__()
        self.snr_scale_db = snr_scale_db
        hidden = max(channels // hidden_ratio, 4)
        self.gate = nn.Sequential(nn.Linear(channels + 1, hidden), nn.ReLU(), nn.Linear(hidden, channels), nn.Sigmoid())
        if gate_bias is not None:
            nn.init.constant_(self.gate[2].bias, gate_bias)

    def forward(self, features: torch.Tensor, snr_db: torch.Tensor) -> torch.Tensor:
        snr = (snr_db / self.snr_scale_db).to(features.dtype).reshape(-1, 1)
        context = torch.cat([features.mean(dim=(2, 3)), snr], dim=1)
        return features * self.gate(context)[:, :, None, None]


class _Stage(nn.Module):
    def __init__(self, conv: nn.Module, norm: nn.Module, channels: int, config: ADJSCCConfig, last: bool = False):
        super().__init__()
        self.conv, self.norm = conv, norm
        self.act = nn.Sigmoid() if last else nn.PReLU(channels)
        self.af = None if last else AttentionFeature(channels, config.af_hidden_ratio, config.af_snr_scale_db,
                                                     config.af_gate_bias)

    def forward(self, x: torch.Tensor, snr_db: torch.Tensor) -> torch.Tensor:
        x = self.act(self.norm(self.conv(x)))
        return x if self.af is None else self.af(x, snr_db)


class ADJSCCEncoder(nn.Module):
    """``[B, 3, H, W]`` in [0, 1] and ``snr_db [B]`` → real latent ``[B, c, H/4, W/4]``."""

    def __init__(self, config: ADJSCCConfig):
        super().__init__()
        w, c = config.width, config.channels
        plan = [(3, w, 9, 2), (w, w, 5, 2), (w, w, 5, 1), (w, w, 5, 1), (w, c, 5, 1)]
        self.stages = nn.ModuleList(
            _Stage(nn.Conv2d(cin, cout, k, stride=s, padding=k // 2), GDN(cout), cout, config) for cin, cout, k, s in plan
        )

    def forward(self, x: torch.Tensor, snr_db: torch.Tensor) -> torch.Tensor:
        for stage in self.stages:
            x = stage(x, snr_db)
        return x


class ADJSCCDecoder(nn.Module):
    """Real latent ``[B, c, H/4, W/4]`` and ``snr_db [B]`` → ``[B, 3, H, W]`` in [0, 1]."""

    def __init__(self, config: ADJSCCConfig):
        super().__init__()
        w, c = config.width, config.channels
        plan = [(c, w, 5, 1), (w, w, 5, 1), (w, w, 5, 1), (w, w, 5, 2), (w, 3, 9, 2)]
        self.stages = nn.ModuleList(
            _Stage(
                nn.ConvTranspose2d(cin, cout, k, stride=s, padding=k // 2, output_padding=s - 1),
                nn.Identity() if i == len(plan) - 1 else IGDN(cout), cout, config, last=i == len(plan) - 1,
            )
            for i, (cin, cout, k, s) in enumerate(plan)
        )

    def forward(self, z: torch.Tensor, snr_db: torch.Tensor) -> torch.Tensor:
        for stage in self.stages:
            z = stage(z, snr_db)
        return z
