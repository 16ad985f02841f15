"""The noise schedule, and the map from a channel's noise to a diffusion step (paper B; DESIGN.md §2).

A latent normalized to unit power per real value, received over a channel with noise variance ``sigma²``
per real value, is ``z + sigma·eps``. Scaled by ``sqrt(abar_u)`` with ``abar_u = 1 / (1 + sigma²)`` it is
``sqrt(abar_u)·z + sqrt(1 - abar_u)·eps``: exactly the forward process (paper A eq. 11) at step ``u``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class ScheduleConfig:
    """Paper A: linear betas from 1e-4 to 0.02, T = 1000, epsilon prediction. ``beta_schedule`` may also
    be ``scaled_linear`` (betas linear in their square root: Stable Diffusion's U-Nets)."""

    num_train_timesteps: int = 1000
    beta_start: float = 1e-4
    beta_end: float = 0.02
    beta_schedule: str = "linear"

    def __post_init__(self):
        if self.beta_schedule not in ("linear", "scaled_linear"):
            raise ValueError(f"beta_schedule must be linear or scaled_linear, got {self.beta_schedule!r}")


def alphas_cumprod(config: ScheduleConfig = ScheduleConfig(), dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """``[T]``: abar_t for t = 0 … T-1 (diffusers' 0-based indexing of steps 1 … T), computed in ``dtype``
    (float32 gives diffusers' own table bit for bit)."""
    if config.beta_schedule == "scaled_linear":
        betas = torch.linspace(config.beta_start**0.5, config.beta_end**0.5, config.num_train_timesteps,
                               dtype=dtype) ** 2
    else:
        betas = torch.linspace(config.beta_start, config.beta_end, config.num_train_timesteps, dtype=dtype)
    return torch.cumprod(1 - betas, dim=0)


def channel_abar(noise_var: torch.Tensor | float) -> torch.Tensor:
    """``abar_u = 1 / (1 + sigma²)`` for noise variance ``sigma²`` per real value (linear)."""
    return 1 / (1 + torch.as_tensor(noise_var, dtype=torch.float64))


def matched_step(noise_var: torch.Tensor | float, config: ScheduleConfig = ScheduleConfig()) -> torch.Tensor:
    """``int64 [...]``: the 0-based step whose abar is nearest ``1 / (1 + sigma²)`` (in log abar, which is
    the noise level's natural scale). ``sigma²`` beyond the schedule's end maps to the last step."""
    noise_var = torch.as_tensor(noise_var, dtype=torch.float64).cpu()  # the schedule table lives on the CPU
    log_abar = torch.log(alphas_cumprod(config))
    target = torch.log(channel_abar(noise_var)).reshape(-1, 1)
    steps = (log_abar.reshape(1, -1) - target).abs().argmin(dim=1)
    return steps.reshape(noise_var.shape)


def to_forward_process(received: torch.Tensor, noise_var: torch.Tensor) -> torch.Tensor:
    """Scale ``z + sigma·eps`` (``float [B, ...]``, unit signal power per real value) by ``sqrt(abar_u)``
    per image so it has the forward process's statistics at step u; ``noise_var`` is ``float [B]``."""
    scale = channel_abar(noise_var).sqrt().to(received.device, received.dtype)
    return received * scale.reshape(-1, *([1] * (received.dim() - 1)))
