"""Stable Diffusion's VAE and U-Net as the codec and de-noiser of the latent schemes (paper B's setting),
loaded with diffusers ``from_pretrained`` from a hub id or a local pipeline folder.

Scheme specs name them ``sd:SOURCE``, e.g. ``bandwidth-diff:codec=sd:stabilityai/stable-diffusion-2-1-base,
denoiser=sd:stabilityai/stable-diffusion-2-1-base,...``. SOURCE holds the usual pipeline sub-folders:
``vae`` (``AutoencoderKL``), ``unet`` (``UNet2DConditionModel``), ``scheduler`` (its betas become the
channel-to-step map's schedule) and, optionally, ``text_encoder`` + ``tokenizer`` (CLIP; needs
``pip install semcom[sd]``) for the empty-prompt conditioning that de-noises unconditionally. Without a
text encoder the conditioning is zeros. Nothing is downloaded unless SOURCE is a hub id and the hub is
reachable; nothing of it is shipped.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from semcom.diffusion.schedule import ScheduleConfig
from semcom.errors import SemcomError
from semcom.files import file_identity, load_once

PREFIX = "sd:"


class StableDiffusionError(SemcomError):
    """A Stable Diffusion source that cannot be loaded."""


def _load(cls, source: str, subfolder: str):
    try:
        return cls.from_pretrained(source, subfolder=subfolder)
    except (OSError, ValueError, EnvironmentError) as exc:
        raise StableDiffusionError(f"cannot load {subfolder!r} of {source!r}: {exc}") from None


class StableDiffusionCodec(nn.Module):
    """``AutoencoderKL`` as a latent codec: images ``float32 [B, 3, H, W]`` in [0, 1] ↔ scaled latents
    ``float32 [B, c, H/f, W/f]`` (posterior mean times the VAE's ``scaling_factor``)."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae
        self.latent_channels = vae.config.latent_channels
        self.downsampling = 2 ** (len(vae.config.block_out_channels) - 1)
        self.scaling = float(vae.config.scaling_factor)

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        return self.vae.encode(images * 2 - 1).latent_dist.mean * self.scaling

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        return (self.vae.decode(latents / self.scaling).sample + 1) / 2


class StableDiffusionDenoiser(nn.Module):
    """``UNet2DConditionModel`` as an epsilon-predicting latent de-noiser ``(z_t, t) → eps`` with a fixed
    (empty-prompt) conditioning ``float32 [1, L, D]``; ``schedule`` is the U-Net's own noise schedule."""

    def __init__(self, unet, conditioning: torch.Tensor, schedule: ScheduleConfig):
        super().__init__()
        self.unet = unet
        self.register_buffer("conditioning", conditioning)
        self.schedule = schedule
        self.latent_channels = unet.config.in_channels
        self.size_multiple = 2 ** (len(unet.config.block_out_channels) - 1)

    def forward(self, latents: torch.Tensor, steps: torch.Tensor) -> torch.Tensor:
        context = self.conditioning.expand(latents.shape[0], -1, -1)
        return self.unet(latents, steps, encoder_hidden_states=context).sample


def load_stable_diffusion_codec(source: str) -> StableDiffusionCodec:
    """Stable Diffusion's VAE from ``source``, read once per process (each call returns its own copy)."""
    return load_once(("sd-vae", *_identity(source)), lambda: _load_codec(source))


def load_stable_diffusion_denoiser(source: str) -> StableDiffusionDenoiser:
    """Stable Diffusion's U-Net with its schedule and empty-prompt context, read once per process."""
    return load_once(("sd-unet", *_identity(source)), lambda: _load_denoiser(source))


def _identity(source: str) -> tuple:
    """A local folder's files by identity (an edited folder is read again); a hub name as given."""
    local = Path(source)
    if not local.is_dir():
        return (source,)
    return tuple(file_identity(p) for p in sorted(local.rglob("*")) if p.is_file())


def _load_codec(source: str) -> StableDiffusionCodec:
    from diffusers import AutoencoderKL

    return StableDiffusionCodec(_load(AutoencoderKL, source, "vae").eval())


def _load_denoiser(source: str) -> StableDiffusionDenoiser:
    from diffusers import DDPMScheduler, UNet2DConditionModel

    unet = _load(UNet2DConditionModel, source, "unet").eval()
    scheduler = _load(DDPMScheduler, source, "scheduler")
    if scheduler.config.prediction_type != "epsilon":
        raise StableDiffusionError(f"{source}: the U-Net predicts {scheduler.config.prediction_type!r}; "
                                   "the de-noiser must predict epsilon")
    schedule = ScheduleConfig(num_train_timesteps=scheduler.config.num_train_timesteps,
                              beta_start=scheduler.config.beta_start, beta_end=scheduler.config.beta_end,
                              beta_schedule=scheduler.config.beta_schedule)
    return StableDiffusionDenoiser(unet, _empty_prompt(source, unet.config.cross_attention_dim), schedule)


def _empty_prompt(source: str, width: int) -> torch.Tensor:
    local = Path(source)
    has_text_encoder = (local / "text_encoder").is_dir() if local.is_dir() else True
    if not has_text_encoder:
        return torch.zeros(1, 1, width)
    try:
        from transformers import AutoTokenizer, CLIPTextModel
    except ImportError:
        raise StableDiffusionError("the empty-prompt conditioning needs transformers: pip install 'semcom[sd]'") from None
    tokenizer = _load(AutoTokenizer, source, "tokenizer")
    encoder = _load(CLIPTextModel, source, "text_encoder").eval()
    tokens = tokenizer([""], padding="max_length", max_length=tokenizer.model_max_length, return_tensors="pt")
    with torch.no_grad():
        return encoder(tokens.input_ids).last_hidden_state.float()
