"""``tiny-jscc``: a tiny linear JSCC, registered with semcom through this package's entry point.

Transmitter: :class:`~semcom_example_plugin.model.TinyJSCC` encoder → eq. 2 power normalization → channel.
Receiver: semcom's front end (equalizer, SNR estimate) → unit-power latent → LMMSE shrinkage by
``1 / (1 + sigma²)`` → decoder. The per-image gain is side information (one real, not counted in k), as in
semcom's ``latent-diff``. Weights: ``weights=NAME|PATH``, a zoo name (this package registers its own zoo
folder) or a ``save_pretrained`` folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from semcom.channels import ChannelSpec, transmit_symbols
from semcom.channels.snr import per_image, validate_snr_db
from semcom.diffusion.latents import latent_to_symbols, restore_scale, symbols_to_unit_latent
from semcom.schemes import Scheme, Transmission, register_scheme
from semcom.zoo import WeightsError, load_weights, register_zoo
from semcom_example_plugin.model import TinyJSCC

#: This package's zoo: ``manifest.json`` + ``weights/<name>/`` (written by ``make_zoo.py``).
ZOO = register_zoo(Path(__file__).parent / "zoo")


@dataclass(frozen=True)
class TinyJSCCSchemeConfig:
    weights: str = ""


@register_scheme("tiny-jscc")
class TinyJSCCScheme(Scheme):
    """Tiny linear JSCC (example plug-in): one strided convolution each side, LMMSE receiver."""

    Config = TinyJSCCSchemeConfig
    learned = True
    rate_options = ("weights",)  # the weights set rho: one line per family in rho figures

    def __init__(self, config=None, precision: str = "fp32"):
        super().__init__(config, precision)
        if not self.config.weights:
            raise WeightsError("tiny-jscc needs weights=NAME|PATH, e.g. tiny-jscc:weights=tiny-jscc-rho1_48")
        model, model_config = load_weights(self.config.weights)
        if not isinstance(model, TinyJSCC):
            raise WeightsError(f"weights {self.config.weights!r} are not a tiny-jscc model")
        self.model = model
        self.size_multiple = model_config.patch

    @property
    def weights_id(self) -> str:
        return self.config.weights

    @classmethod
    def label(cls, config) -> str:
        return "Tiny JSCC"

    def transmit(self, images, snr_db, channel: ChannelSpec, generator=None) -> Transmission:
        validate_snr_db(snr_db)
        snrs = per_image(snr_db, images.shape[0])[:, 0].to(images.device)
        with torch.no_grad():
            latents = self.model.encode(images).float()
            sent = latent_to_symbols(latents)
            link = transmit_symbols(sent.symbols, snrs, channel, generator)
            given = link.decoder_input
            received = symbols_to_unit_latent(given.symbols, latents.shape[1:])
            shrink = 1 / (1 + given.noise_var.to(received.device).reshape(-1, 1, 1, 1))
            recon = self.model.decode(restore_scale(received * shrink, sent.gain)).float()
        return Transmission(
            reconstruction=recon.clamp(0, 1), channel_uses=link.channel_uses, source_size=images[0].numel(),
            data_uses=sent.symbols.shape[1], snr_db_estimate=link.snr_db,
            noise_var_used=given.noise_var, noise_var_rule=given.rule,
        )
