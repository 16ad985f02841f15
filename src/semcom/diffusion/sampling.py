"""Reverse processes of the latent de-noiser, written out so a reader sees every step.

Both receivers of paper A run here (DESIGN.md §2):

* ``start="fixed"`` — Algorithm 2 as written: the received latent, power-normalized with eq. 16, is taken
  as ``z_N`` and N ancestral (DDPM) steps ``t = N … 1`` are run, N being the chosen number of de-noising
  steps (15/30/45/60 in the paper), whatever the SNR.
* ``start="matched"`` — paper B's reading of the channel as the forward process: the reverse process
  starts at the step u with ``abar_u = 1 / (1 + sigma²)`` and runs ``steps`` steps from u down to 0.

DDPM steps are the ancestral update of Ho et al. with the posterior ("fixed_small") variance, as diffusers'
``DDPMScheduler`` takes them on custom descending timesteps (a test checks they agree); DDIM steps are the
deterministic (eta = 0) update of Song et al. on the same ``abar``. A batch runs together, each image on its
own timestep. ``steps = 0`` returns the
input unchanged: the "without de-noiser" ablation.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.diffusion.schedule import ScheduleConfig, alphas_cumprod, matched_step, to_forward_process
from semcom.rng import Generators, generator_of, randn

SAMPLERS = ("ddpm", "ddim")
STARTS = ("matched", "fixed")


@dataclass(frozen=True)
class ReverseConfig:
    """``sampler``: ddpm | ddim; ``start``: matched | fixed; ``steps``: for ``fixed`` the N of Algorithm 2,
    for ``matched`` the number of steps from u (capped at u + 1; 0 disables the de-noiser)."""

    sampler: str = "ddim"
    start: str = "matched"
    steps: int = 20

    def __post_init__(self):
        if self.sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {SAMPLERS}, got {self.sampler!r}")
        if self.start not in STARTS:
            raise ValueError(f"start must be one of {STARTS}, got {self.start!r}")
        if self.steps < 0:
            raise ValueError(f"steps must be >= 0, got {self.steps}")


@dataclass
class ReverseResult:
    """``latents``: ``float32 [B, c, h, w]`` de-noised, unit power per real value; ``start_steps``: the
    0-based step each image started from (-1 when no step ran); ``evaluations``: U-Net calls per image."""

    latents: torch.Tensor
    start_steps: list[int]
    evaluations: list[int]


def timesteps_from(start: int, count: int) -> list[int]:
    """``count`` distinct descending 0-based steps from ``start`` to 0 (evenly spaced, both ends kept)."""
    count = max(1, min(count, start + 1))
    grid = torch.linspace(start, 0, count).round().long().tolist()
    return sorted(set(grid), reverse=True)


def start_and_input(received: torch.Tensor, noise_var: torch.Tensor, config: ReverseConfig,
                    schedule: ScheduleConfig) -> tuple[torch.Tensor, list[int]]:
    """The sample the reverse process starts from and its step, per image.

    ``received``: ``float32 [B, c, h, w]``, ``z + sigma·eps`` with unit signal power per real value;
    ``noise_var``: ``float [B]``, the receiver's (estimated) sigma² per real value. Both receivers scale by
    ``1 / sqrt(1 + sigma²)`` (eq. 16: unit total power, which is also ``sqrt(abar_u)``).
    """
    if config.start == "fixed":
        starts = [config.steps - 1] * received.shape[0]
    else:
        starts = matched_step(noise_var.double(), schedule).tolist()
    return to_forward_process(received, noise_var.double()), starts


@torch.no_grad()
def reverse_process(denoiser, received: torch.Tensor, noise_var: torch.Tensor, config: ReverseConfig,
                    schedule: ScheduleConfig = ScheduleConfig(),
                    generator: Generators = None) -> ReverseResult:
    """De-noise received latents (see :func:`start_and_input`)."""
    if config.steps == 0:
        return ReverseResult(received.clone(), [-1] * received.shape[0], [0] * received.shape[0])
    sample, starts = start_and_input(received, noise_var, config, schedule)
    counts = [config.steps if config.start == "matched" else start + 1 for start in starts]
    return denoise_from(denoiser, sample, starts, counts, config.sampler, schedule, generator)


@torch.no_grad()
def denoise_from(denoiser, sample: torch.Tensor, starts: list[int], counts: list[int], sampler: str,
                 schedule: ScheduleConfig = ScheduleConfig(), generator: Generators = None) -> ReverseResult:
    """Run the reverse process on ``sample`` (``float32 [B, c, h, w]``, already distributed as the forward
    process at step ``starts[i]`` for image i) with ``counts[i]`` steps from there down to 0.

    The whole batch runs at once: at iteration j every image that still has a j-th step takes it, with
    its own timestep (a ``[B]`` tensor to the U-Net). DDPM's noise is drawn up front per image in the order a
    one-image call draws it (:mod:`semcom.rng`), so batching does not change a single random number.
    """
    plans = [timesteps_from(start, count) for start, count in zip(starts, counts)]
    step = _ddpm_step if sampler == "ddpm" else _ddim_step
    # DDPM on diffusers' float32 table; DDIM on the float64 one rounded to float32 (what it has always used)
    table = alphas_cumprod(schedule, torch.float32) if sampler == "ddpm" else alphas_cumprod(schedule).float()
    abar = table.to(sample.device)
    noise = _ddpm_noise(plans, sample.shape[1:], generator) if sampler == "ddpm" else None
    sample = sample.clone()
    for j in range(max(len(plan) for plan in plans)):
        active = [i for i, plan in enumerate(plans) if j < len(plan)]
        rows = slice(None) if len(active) == len(plans) else torch.tensor(active, device=sample.device)
        t = torch.tensor([plans[i][j] for i in active], device=sample.device)
        t_prev = torch.tensor([plans[i][j + 1] if j + 1 < len(plans[i]) else -1 for i in active],
                              device=sample.device)  # -1: the last step, onto abar = 1
        x = sample[rows]
        eps = denoiser(x, t).to(x.dtype)
        a_t, a_prev = _column(abar[t], x), _column(torch.where(t_prev >= 0, abar[t_prev.clamp_min(0)], 1.0), x)
        z = None if noise is None else torch.stack([noise[i][j] for i in active]).to(x.device, x.dtype)
        sample[rows] = step(x, eps, a_t, a_prev, z)
    return ReverseResult(sample, list(starts), [len(plan) for plan in plans])


def _column(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return values.to(like.dtype).reshape(-1, *([1] * (like.dim() - 1)))


def _ddim_step(x, eps, a_t, a_prev, noise):
    """Deterministic DDIM (eta = 0): predict z0 from eps, move it to the previous step's noise level."""
    predicted_z0 = (x - (1 - a_t).sqrt() * eps) / a_t.sqrt()
    return a_prev.sqrt() * predicted_z0 + (1 - a_prev).sqrt() * eps


def _ddpm_step(x, eps, a_t, a_prev, noise):
    """Ancestral DDPM step (Ho et al. eq. 7, "fixed_small" variance), as diffusers' DDPMScheduler takes it
    on custom timesteps; the step that lands on 0 adds nothing (its ``noise`` is zeros, :func:`_ddpm_noise`)."""
    beta_t, beta_prev = 1 - a_t, 1 - a_prev
    alpha_t = a_t / a_prev
    predicted_z0 = (x - beta_t ** 0.5 * eps) / a_t ** 0.5
    mean = (a_prev ** 0.5 * (1 - alpha_t)) / beta_t * predicted_z0 + alpha_t ** 0.5 * beta_prev / beta_t * x
    variance = torch.clamp(beta_prev / beta_t * (1 - alpha_t), min=1e-20)
    return mean + variance ** 0.5 * noise


def _ddpm_noise(plans: list[list[int]], shape, generator: Generators) -> list[list[torch.Tensor]]:
    """Per image, one ``[c, h, w]`` draw for each step with t > 0 (zeros stand in for t = 0), drawn image
    after image: the order the former one-image-at-a-time loop drew them in."""
    noise = []
    for i, plan in enumerate(plans):
        own = generator_of(generator, i)
        noise.append([randn((1, *shape), own)[0] if t > 0 else torch.zeros(tuple(shape)) for t in plan])
    return noise
