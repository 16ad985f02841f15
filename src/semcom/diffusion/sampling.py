"""Reverse processes of the latent de-noiser, written out so a reader sees every step.

Both receivers of paper A run here (DESIGN.md §2):

* ``start="fixed"`` — Algorithm 2 as written: the received latent, power-normalized with eq. 16, is taken
  as ``z_N`` and N ancestral (DDPM) steps ``t = N … 1`` are run, N being the chosen number of de-noising
  steps (15/30/45/60 in the paper), whatever the SNR.
* ``start="matched"`` — paper B's reading of the channel as the forward process: the reverse process
  starts at the step u with ``abar_u = 1 / (1 + sigma²)`` and runs ``steps`` steps from u down to 0.

DDPM steps use diffusers' ``DDPMScheduler`` (custom descending timesteps, its posterior variance); DDIM
steps are the deterministic (eta = 0) update of Song et al. on the same ``abar``. ``steps = 0`` returns the
input unchanged: the "without de-noiser" ablation.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.diffusion.schedule import ScheduleConfig, alphas_cumprod, matched_step, to_forward_process

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
                    generator: torch.Generator | None = None) -> ReverseResult:
    """De-noise received latents (see :func:`start_and_input`)."""
    if config.steps == 0:
        return ReverseResult(received.clone(), [-1] * received.shape[0], [0] * received.shape[0])
    sample, starts = start_and_input(received, noise_var, config, schedule)
    counts = [config.steps if config.start == "matched" else start + 1 for start in starts]
    return denoise_from(denoiser, sample, starts, counts, config.sampler, schedule, generator)


@torch.no_grad()
def denoise_from(denoiser, sample: torch.Tensor, starts: list[int], counts: list[int], sampler: str,
                 schedule: ScheduleConfig = ScheduleConfig(),
                 generator: torch.Generator | None = None) -> ReverseResult:
    """Run the reverse process on ``sample`` (``float32 [B, c, h, w]``, already distributed as the forward
    process at step ``starts[i]`` for image i) with ``counts[i]`` steps from there down to 0. Images run
    one at a time since each has its own start step."""
    step_fn = _ddpm_stepper(schedule) if sampler == "ddpm" else _ddim
    outputs, evaluations = [], []
    for image, start, count in zip(sample.split(1), starts, counts):
        steps = timesteps_from(start, count)
        outputs.append(step_fn(denoiser, image, steps, schedule, generator))
        evaluations.append(len(steps))
    return ReverseResult(torch.cat(outputs), list(starts), evaluations)


def _ddpm_stepper(schedule):
    """DDPM steps with one diffusers scheduler built per call (its timesteps are reset per image)."""
    from diffusers import DDPMScheduler

    scheduler = DDPMScheduler(num_train_timesteps=schedule.num_train_timesteps, beta_start=schedule.beta_start,
                              beta_end=schedule.beta_end, beta_schedule=schedule.beta_schedule,
                              prediction_type="epsilon", clip_sample=False)

    def run(denoiser, sample, steps, schedule, generator):
        scheduler.set_timesteps(timesteps=steps)
        for t in scheduler.timesteps:
            eps = denoiser(sample, t.reshape(1))
            sample = scheduler.step(eps, t, sample, generator=generator).prev_sample
        return sample

    return run


def _ddim(denoiser, sample, steps, schedule, generator):
    abar = alphas_cumprod(schedule).to(sample.dtype)
    for i, t in enumerate(steps):
        a_t = abar[t]
        a_prev = abar[steps[i + 1]] if i + 1 < len(steps) else torch.ones((), dtype=sample.dtype)
        eps = denoiser(sample, torch.tensor([t]))
        predicted_z0 = (sample - (1 - a_t).sqrt() * eps) / a_t.sqrt()
        sample = a_prev.sqrt() * predicted_z0 + (1 - a_prev).sqrt() * eps
    return sample
