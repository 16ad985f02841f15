"""Latent diffusion de-noising: the noise schedule and channel-to-step map, the U-Net, the reverse loops."""

from semcom.diffusion.denoiser import DenoiserConfig, LatentDenoiser
from semcom.diffusion.sampling import ReverseConfig, ReverseResult, denoise_from, reverse_process, timesteps_from
from semcom.diffusion.schedule import ScheduleConfig, alphas_cumprod, channel_abar, matched_step, to_forward_process

__all__ = ["DenoiserConfig", "LatentDenoiser", "ReverseConfig", "ReverseResult", "ScheduleConfig", "alphas_cumprod",
           "channel_abar", "denoise_from", "matched_step", "reverse_process", "timesteps_from", "to_forward_process"]
