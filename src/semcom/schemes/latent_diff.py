"""``latent-diff``: Latent-Diff DNSC of paper A (Xu, Meng, Chen, Xu, Dong, Sun, "Latent semantic
diffusion-based channel adaptive de-noising SemCom for future 6G systems", 2023).

Transmitter: codec encoder (paper A's Table I VAE, or the pretrained TAEF2) → eq. 2 power normalization →
channel. Receiver: equalization and SNR estimation as the channel spec says → unit-power latent → the
latent de-noiser's reverse process (:mod:`semcom.diffusion.sampling`: Algorithm 2 as written with
``start=fixed``, or from the SNR-matched step with ``start=matched``; DDPM or DDIM) → decoder. ``steps=0``
is the paper's "without de-noiser" ablation. One set of weights serves every SNR.

Options: ``codec=taef2|NAME|PATH|sd:SOURCE`` (a zoo/trained LatentVAE, a PCA projection of TAEF2 that
sets rho, or Stable Diffusion's VAE), ``denoiser=NAME|PATH|sd:SOURCE``, ``sampler``, ``start``, ``steps``. The per-image gain ``||z||/sqrt(k)`` is side information (one real, not counted in k).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

import torch

from semcom.channels import ChannelSpec, transmit_symbols
from semcom.channels.snr import per_image, validate_snr_db
from semcom.codecs.memo import LastBatchEncoder
from semcom.codecs.stable_diffusion import PREFIX as STABLE_DIFFUSION
from semcom.diffusion import LatentDenoiser, ReverseConfig, ScheduleConfig, reverse_process
from semcom.diffusion.latents import latent_to_symbols, restore_scale, symbols_to_unit_latent
from semcom.rng import Generators
from semcom.schemes.base import Scheme, Transmission
from semcom.schemes.description import model_class_is, parse_rho, recorded_setting, weights_record
from semcom.schemes.registry import register_scheme
from semcom.zoo import WeightsError, load_weights
from semcom.zoo.catalog import MATCHED_DDIM, NO_DENOISER, CatalogEntry
from semcom.zoo.registry import missing_weights_message


@dataclass(frozen=True)
class LatentDiffConfig:
    codec: str = "taef2"
    denoiser: str = ""
    sampler: str = "ddim"
    start: str = "matched"
    steps: int = 20


#: What the shipped receiver is (the zoo catalog's ``MATCHED_DDIM``): legends leave it unnamed.
_SHIPPED_RECEIVER = dict(part.split("=") for part in MATCHED_DDIM.split(","))
_START_WORDS = {"matched": "from the matched step", "fixed": "from t = N", "T": "from t = T"}


def receiver_suffix(config) -> str:
    """How a legend tells a diffusion receiver apart from the shipped one (DDIM, 5 U-Net evaluations from the
    SNR-matched step): ``""`` for that receiver, ``", no de-noiser"`` for ``steps=0``, otherwise e.g.
    ``", DDIM 20 from the matched step"`` or ``", DDPM 30 from t = N"``."""
    if config.steps == 0:
        return ", no de-noiser"
    mine = {"sampler": config.sampler, "start": config.start, "steps": str(config.steps)}
    if mine == _SHIPPED_RECEIVER:
        return ""
    return f", {config.sampler.upper()} {config.steps} {_START_WORDS.get(config.start, 'from ' + config.start)}"


def load_codec(name: str):
    """``"taef2"`` → the pretrained TAEF2; ``"sd:SOURCE"`` → Stable Diffusion's VAE; otherwise a zoo name or trained folder holding a LatentVAE, or a
    LatentProjection (which is attached to its own base codec)."""
    if name == "taef2":
        from semcom.codecs import load_taef2

        return load_taef2()
    if name.startswith(STABLE_DIFFUSION):
        from semcom.codecs.stable_diffusion import load_stable_diffusion_codec

        return load_stable_diffusion_codec(name[len(STABLE_DIFFUSION):])
    from semcom.codecs.latent_vae import LatentVAE
    from semcom.codecs.projection import LatentProjection, ProjectedCodec

    model, config = load_weights(name)
    if isinstance(model, LatentProjection):
        return ProjectedCodec(load_codec(config.base), model)
    if not isinstance(model, LatentVAE):
        raise WeightsError(f"codec weights {name!r} are neither a latent VAE nor a latent projection")
    return model


def load_denoiser(name: str, codec, codec_name: str):
    """De-noiser weights NAME|PATH (a :class:`LatentDenoiser`) or ``sd:SOURCE`` (Stable Diffusion's U-Net),
    checked against the codec's latent channels. Both expose ``latent_channels``, ``size_multiple`` and
    the ``schedule`` they were trained with."""
    if name.startswith(STABLE_DIFFUSION):
        from semcom.codecs.stable_diffusion import load_stable_diffusion_denoiser  # diffusers: imported on use

        model = load_stable_diffusion_denoiser(name[len(STABLE_DIFFUSION):])
    else:
        model, _ = load_weights(name)
        if not isinstance(model, LatentDenoiser):
            raise WeightsError(f"denoiser weights {name!r} are not a latent de-noiser")
    if model.latent_channels != codec.latent_channels:
        raise WeightsError(f"denoiser {name!r} expects {model.latent_channels} latent channels, "
                           f"codec {codec_name!r} has {codec.latent_channels}")
    return model.eval()


def codec_label(codec: str, family: bool = False) -> str:
    """A codec option's legend name: ``TAEF2``, ``TAEF2-PCA`` (a projection of TAEF2; with ``family``, the
    codec it projects: the same method at another rho), ``VAE`` (the project's), ``SD-VAE``."""
    from semcom.codecs.latent_vae import LatentVAE
    from semcom.codecs.projection import LatentProjection

    if codec == "taef2":
        return "TAEF2"
    if codec.startswith(STABLE_DIFFUSION):
        return "SD-VAE"
    record = weights_record(codec)
    if model_class_is(record, LatentProjection):
        base = codec_label(str(record["config"].get("base", "taef2")), family)
        return base if family else f"{base}-PCA"
    if model_class_is(record, LatentVAE):
        return "VAE"
    return codec.rstrip("/").rsplit("/", 1)[-1][:16]


def codec_rho(codec: str) -> Optional[Fraction]:
    """The bandwidth ratio a codec's latent sets (k = c h w / 2 for n = 3 H W): TAEF2's from its shape, a
    trained codec's from its record; None for Stable Diffusion's (set by the checkpoint) and unknown ones."""
    if codec == "taef2":
        from semcom.codecs.taef2 import DOWNSAMPLING, LATENT_CHANNELS

        return Fraction(LATENT_CHANNELS, 6 * DOWNSAMPLING**2)
    return parse_rho((weights_record(codec) or {}).get("rho"))


def codec_needs_taef2(codec: str) -> bool:
    """Whether a codec is TAEF2 or built on it (TAEF2's weights are not shipped)."""
    from semcom.codecs.projection import LatentProjection

    record = weights_record(codec)
    return codec == "taef2" or (model_class_is(record, LatentProjection)
                                and codec_needs_taef2(str(record["config"].get("base", "taef2"))))


def trained_codec(record: Optional[dict]) -> Optional[str]:
    """The codec that de-noiser or compressor weights were trained on (their record's ``codec``)."""
    return recorded_setting(record, "", "codec")


def denoisers_of(codec: str, manifest: dict[str, dict]) -> list[str]:
    """Zoo de-noisers trained on ``codec``, in manifest order."""
    return [name for name, entry in manifest.items()
            if model_class_is(entry, LatentDenoiser) and trained_codec(entry) == codec]


@register_scheme("latent-diff")
class LatentDiff(Scheme):
    """Latent-Diff DNSC (paper A): a latent codec plus a diffusion de-noiser at the receiver."""

    Config = LatentDiffConfig
    learned = True
    rate_options = ("codec", "denoiser")

    def __init__(self, config=None, precision: str = "fp32"):
        super().__init__(config, precision)
        self.reverse = ReverseConfig(self.config.sampler, self.config.start, self.config.steps)
        self.codec = load_codec(self.config.codec).eval()
        self.denoiser = None
        multiple = 1
        if self.config.steps > 0:
            if not self.config.denoiser:
                raise WeightsError(missing_weights_message("latent-diff", "denoiser", "semcom train latent-diff-denoiser",
                                                           "latent-diff-denoiser") + " (or steps=0: the no-denoiser ablation)")
            self.denoiser = load_denoiser(self.config.denoiser, self.codec, self.config.codec)
            multiple = self.denoiser.size_multiple
        self.size_multiple = self.codec.downsampling * multiple
        self.encode = LastBatchEncoder(lambda images: self.codec.encode(images))

    @property
    def weights_id(self) -> str:
        return f"{self.config.codec}+{self.config.denoiser or 'none'}"

    @classmethod
    def label(cls, config) -> str:
        return f"Latent-Diff {codec_label(config.codec)}" + receiver_suffix(config)

    @classmethod
    def family(cls, config) -> str:
        return f"Latent-Diff {codec_label(config.codec, family=True)}" + receiver_suffix(config)

    @classmethod
    def nominal_rho(cls, config) -> Optional[Fraction]:
        return codec_rho(config.codec)

    @classmethod
    def catalog_entries(cls, name: str, entry: dict, manifest: dict[str, dict]) -> list[CatalogEntry]:
        """A zoo codec with each de-noiser trained on it (DDIM from the matched step), and once without a
        de-noiser (``steps=0``, paper A's ablation). A codec built without zoo weights (``taef2``) is paired
        at its first de-noiser's entry."""
        from semcom.codecs.latent_vae import LatentVAE
        from semcom.codecs.projection import LatentProjection

        if model_class_is(entry, LatentVAE) or model_class_is(entry, LatentProjection):
            codec = name
        elif model_class_is(entry, LatentDenoiser) and trained_codec(entry) not in manifest:
            codec = trained_codec(entry)
        else:
            return []
        denoisers = denoisers_of(codec, manifest) if codec else []
        if not denoisers or (codec != name and denoisers[0] != name):
            return []
        label = codec if codec.startswith(f"{cls.name}-") else f"{cls.name}-{codec}"
        rho, taef2 = str(codec_rho(codec)), codec_needs_taef2(codec)
        entries = [CatalogEntry(label if len(denoisers) == 1 else f"{label} + {denoiser}",
                                f"{cls.name}:codec={codec},denoiser={denoiser},{MATCHED_DDIM}", rho, taef2)
                   for denoiser in denoisers]
        return entries + [CatalogEntry(f"{label} (no de-noiser)", f"{cls.name}:codec={codec},steps=0", rho, taef2,
                                       ablation=NO_DENOISER)]

    def transmit(self, images, snr_db, channel: ChannelSpec, generator: Generators = None):
        validate_snr_db(snr_db)
        snrs = per_image(snr_db, images.shape[0])[:, 0].to(images.device)
        with torch.no_grad():
            latents = self.encode(images)
            sent = latent_to_symbols(latents)
            link = transmit_symbols(sent.symbols, snrs, channel, generator)
            given = link.decoder_input
            received = symbols_to_unit_latent(given.symbols, latents.shape[1:])
            schedule = self.denoiser.schedule if self.denoiser is not None else ScheduleConfig()
            result = reverse_process(self.denoiser, received, given.noise_var, self.reverse, schedule, generator)
            recon = self.codec.decode(restore_scale(result.latents, sent.gain)).float()
        return Transmission(
            reconstruction=recon.clamp(0, 1), channel_uses=link.channel_uses, source_size=images[0].numel(),
            data_uses=sent.symbols.shape[1],
            snr_db_estimate=link.snr_db, denoise_steps=max(result.evaluations),
            noise_var_used=given.noise_var, noise_var_rule=given.rule,
            info={"sampler": self.config.sampler, "start": self.config.start},
            image_info=[{"start_step": s} for s in result.start_steps],
        )
