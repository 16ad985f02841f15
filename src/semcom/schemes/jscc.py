"""``deepjscc`` and ``adjscc``: learned analog JSCC baselines of paper A (see :mod:`semcom.models.jscc`).

The transmitter encodes at its average SNR (ADJSCC's attention modules take it; DeepJSCC ignores it); the
receiver equalizes, estimates the SNR as the channel spec says, and decodes the unbiased symbols.
Weights come from the zoo by name or from a folder written by ``semcom train jscc``: ``weights=NAME|PATH``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.channels import ChannelSpec, transmit_symbols
from semcom.channels.snr import per_image, snr_db_to_noise_var, validate_snr_db
from semcom.models.deepjscc import DOWNSAMPLING
from semcom.models.jscc import JSCCAutoencoder
from semcom.rng import Generators
from semcom.schemes.base import Scheme, Transmission
from semcom.schemes.registry import register_scheme
from semcom.zoo import WeightsError, load_weights
from semcom.zoo.registry import missing_weights_message


@dataclass(frozen=True)
class JSCCSchemeConfig:
    weights: str = ""


class JSCCScheme(Scheme):
    """A trained JSCC autoencoder behind the scheme interface. ``arch`` is fixed by the subclass."""

    Config = JSCCSchemeConfig
    size_multiple = DOWNSAMPLING
    learned = True
    arch = ""

    def __init__(self, config=None, precision: str = "fp32"):
        super().__init__(config, precision)
        if not self.config.weights:
            raise WeightsError(missing_weights_message(self.name, "weights", f"semcom train {self.arch}"))
        model, model_config = load_weights(self.config.weights)
        if not isinstance(model, JSCCAutoencoder) or model_config.arch != self.arch:
            raise WeightsError(f"weights {self.config.weights!r} are not a {self.arch} model")
        self.model = model

    @property
    def weights_id(self) -> str:
        return self.config.weights

    def transmit(self, images, snr_db, channel: ChannelSpec, generator: Generators = None):
        validate_snr_db(snr_db)
        snrs = per_image(snr_db, images.shape[0])[:, 0].to(images.device)
        with torch.no_grad():
            symbols = self.model.encode(images, snrs)
            link = transmit_symbols(symbols, snrs, channel, generator)
            given = link.decoder_input
            recon = self.model.decode(given.symbols, link.snr_db, images.shape[-2], images.shape[-1]).float()
        return Transmission(
            reconstruction=recon.clamp(0, 1), channel_uses=link.channel_uses, source_size=images[0].numel(),
            data_uses=symbols.shape[1],
            snr_db_estimate=link.snr_db, **self._told(link),
        )

    def _told(self, link) -> dict:
        """ADJSCC's attention modules are told the front end's average SNR estimate; DeepJSCC is told nothing."""
        if not self.model.snr_adaptive:
            return {}
        return {"noise_var_used": snr_db_to_noise_var(link.snr_db), "noise_var_rule": "snr-estimate"}


@register_scheme("deepjscc")
class DeepJSCC(JSCCScheme):
    """DeepJSCC (Bourtsoulatze, Kurka, Gündüz 2019), trained at one SNR."""

    arch = "deepjscc"


@register_scheme("adjscc")
class ADJSCC(JSCCScheme):
    """ADJSCC (Xu et al. 2021): GDN + SNR attention modules, one model for a range of SNRs."""

    arch = "adjscc"
