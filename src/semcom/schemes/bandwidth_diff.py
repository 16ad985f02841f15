"""``bandwidth-diff``: diffusion-driven SemCom with bandwidth constraints (paper B: Guo, Wang, Luo, Ding,
"Diffusion-driven semantic communication for generative models with bandwidth constraints", 2024).

Transmitter: codec encoder → unit-power latent ``z`` → downsampling network (C → k channels; sets rho) →
eq. 2 power normalization → channel. Receiver: equalization (MMSE under fading) and SNR estimation → the
SNR-conditioned VAE upsampler gives ``(mu, log s²)`` and ``y_hat = mu + s·eps`` (reparameterization) → the
channel read as the forward process: ``y_hat`` is taken as the diffusion sample at step u with
``abar_u = 1 / (1 + sigma²_eff)`` (DESIGN.md §2) and the reverse process runs from there → decoder.

Options: ``codec`` (taef2, or ``sd:SOURCE`` for Stable Diffusion's VAE with ``denoiser=sd:SOURCE``), ``compressor=NAME|PATH`` (the trained pair; its ``reparameterize`` flag picks
the deterministic ablation), ``denoiser=NAME|PATH`` (the codec's latent de-noiser), ``sampler=ddim|ddpm``,
``start=matched|T`` (T: the whole chain from step T-1, paper A style), ``steps`` (U-Net evaluations at
most; 0 decodes ``mu / sqrt(abar_u)`` without a reverse process). The per-image latent gain is side
information (one real, not counted in k), as in ``latent-diff``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.channels import ChannelSpec, noise_var_to_snr_db, transmit_symbols
from semcom.channels.snr import per_image, validate_snr_db
from semcom.codecs.memo import LastBatchEncoder
from semcom.diffusion import ScheduleConfig, alphas_cumprod, denoise_from, matched_step
from semcom.diffusion.latents import latent_to_symbols, rms_per_image, symbols_to_unit_latent
from semcom.models.bandwidth import BandwidthCompressor
from semcom.rng import Generators
from semcom.schemes.base import Scheme, Transmission
from semcom.schemes.description import model_class_is, recorded_setting, weights_record
from semcom.schemes.latent_diff import (codec_needs_taef2, denoisers_of, load_codec, load_denoiser, receiver_suffix,
                                        trained_codec)
from semcom.schemes.registry import register_scheme
from semcom.specs import format_spec
from semcom.zoo import WeightsError, load_weights
from semcom.zoo.catalog import MATCHED_DDIM, CatalogEntry
from semcom.zoo.registry import missing_weights_message

STARTS = ("matched", "T")


@dataclass(frozen=True)
class BandwidthDiffConfig:
    codec: str = "taef2"
    compressor: str = ""
    denoiser: str = ""
    sampler: str = "ddim"
    start: str = "matched"
    steps: int = 20


def compressor_ablation(record) -> str:
    """What a compressor's training switched off (paper B's ablations), from its record: ``"no guidance
    loss"`` (guidance weight 0), ``"no reparameterization"`` (the deterministic upsampler), or ``""``."""
    guidance = recorded_setting(record, "loss_weights", "guidance_weight")
    if guidance is not None and float(guidance) == 0:
        return "no guidance loss"
    if record and (record.get("config") or {}).get("reparameterize") is False:
        return "no reparameterization"
    return ""


_VARIANTS = {"no guidance loss": " (no guidance)", "no reparameterization": " (deterministic)", "": ""}


@register_scheme("bandwidth-diff")
class BandwidthDiff(Scheme):
    """Paper B: downsampler, SNR-conditioned VAE upsampler, reverse diffusion from the SNR-matched step."""

    Config = BandwidthDiffConfig
    learned = True
    rate_options = ("compressor",)

    def __init__(self, config=None, precision: str = "fp32"):
        super().__init__(config, precision)
        if self.config.start not in STARTS:
            raise ValueError(f"start must be one of {STARTS}, got {self.config.start!r}")
        if self.config.sampler not in ("ddim", "ddpm"):
            raise ValueError(f"sampler must be ddim or ddpm, got {self.config.sampler!r}")
        if self.config.steps < 0:
            raise ValueError(f"steps must be >= 0, got {self.config.steps}")
        if not self.config.compressor:
            raise WeightsError("bandwidth-diff needs compressor=NAME|PATH (semcom train bandwidth-diff)")
        self.codec = load_codec(self.config.codec).eval()
        model, compressor_config = load_weights(self.config.compressor)
        if not isinstance(model, BandwidthCompressor):
            raise WeightsError(f"compressor weights {self.config.compressor!r} are not a bandwidth compressor")
        if compressor_config.latent_channels != self.codec.latent_channels:
            raise WeightsError(f"compressor {self.config.compressor!r} expects {compressor_config.latent_channels} "
                               f"latent channels, codec {self.config.codec!r} has {self.codec.latent_channels}")
        self.compressor = model.eval()
        self.denoiser = None
        multiple = 1
        if self.config.steps > 0:
            if not self.config.denoiser:
                raise WeightsError(missing_weights_message("bandwidth-diff", "denoiser", "semcom train latent-diff-denoiser",
                                                           "latent-diff-denoiser") + " (or steps=0: no reverse process)")
            self.denoiser = load_denoiser(self.config.denoiser, self.codec, self.config.codec)
            multiple = self.denoiser.size_multiple
        self.size_multiple = self.codec.downsampling * multiple
        self.schedule = self.denoiser.schedule if self.denoiser is not None else ScheduleConfig()
        self.abar = alphas_cumprod(self.schedule)
        self.encode = LastBatchEncoder(lambda images: self.codec.encode(images))

    @property
    def weights_id(self) -> str:
        return f"{self.config.codec}+{self.config.compressor}+{self.config.denoiser or 'none'}"

    @classmethod
    def label(cls, config) -> str:
        variant = _VARIANTS[compressor_ablation(weights_record(config.compressor))]
        return "Bandwidth-Diff" + variant + receiver_suffix(config)

    @classmethod
    def catalog_entries(cls, name: str, entry: dict, manifest: dict[str, dict]) -> list[CatalogEntry]:
        """A zoo compressor with the first de-noiser trained on its codec, DDIM from the matched step."""
        codec = trained_codec(entry)
        denoisers = denoisers_of(codec, manifest) if model_class_is(entry, BandwidthCompressor) and codec else []
        if not denoisers:
            return []
        options = [("codec", codec)] if codec != cls.Config().codec else []
        spec = format_spec(cls.name, options + [("compressor", name), ("denoiser", denoisers[0])]) + f",{MATCHED_DDIM}"
        rho = cls.nominal_rho(cls.Config(codec=codec, compressor=name))
        return [CatalogEntry(name, spec, str(rho), codec_needs_taef2(codec), compressor_ablation(entry))]

    def transmit(self, images, snr_db, channel: ChannelSpec, generator: Generators = None):
        validate_snr_db(snr_db)
        snrs = per_image(snr_db, images.shape[0])[:, 0].to(images.device)
        with torch.no_grad():
            latents = self.encode(images)
            rms = rms_per_image(latents)
            compressed = self.compressor.down(latents / rms)
            sent = latent_to_symbols(compressed)
            link = transmit_symbols(sent.symbols, snrs, channel, generator)
            given = link.decoder_input
            received = symbols_to_unit_latent(given.symbols, compressed.shape[1:])
            noise_var = given.noise_var.double()
            restored, mu, _ = self.compressor.restore(received, noise_var_to_snr_db(noise_var).float(), generator)
            u = matched_step(noise_var.cpu(), self.schedule)
            estimate, starts, evaluations = self._reverse(restored.float(), mu.float(), u, generator)
            recon = self.codec.decode(estimate * rms).float()
        return Transmission(
            reconstruction=recon.clamp(0, 1), channel_uses=link.channel_uses, source_size=images[0].numel(),
            data_uses=sent.symbols.shape[1],
            snr_db_estimate=link.snr_db, denoise_steps=max(evaluations),
            noise_var_used=given.noise_var, noise_var_rule=given.rule,
            info={"sampler": self.config.sampler, "start": self.config.start},
            image_info=[{"start_step": s} for s in starts],
        )

    def _reverse(self, restored, mu, u, generator):
        """The unit-power latent estimate, the start step per image and the U-Net evaluations per image."""
        batch = restored.shape[0]
        if self.config.steps == 0:
            scale = self.abar[u].sqrt().float().reshape(-1, 1, 1, 1).to(mu.device)
            return mu / scale, [-1] * batch, [0] * batch
        if self.config.start == "T":
            starts = [self.schedule.num_train_timesteps - 1] * batch
        else:
            starts = u.tolist()
        result = denoise_from(self.denoiser, restored, starts, [self.config.steps] * batch, self.config.sampler,
                              self.schedule, generator)
        return result.latents, result.start_steps, result.evaluations
