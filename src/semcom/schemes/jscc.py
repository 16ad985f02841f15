"""``deepjscc`` and ``adjscc``: learned analog JSCC baselines of paper A (see :mod:`semcom.models.jscc`).

The transmitter encodes at its average SNR (ADJSCC's attention modules take it; DeepJSCC ignores it); the
receiver equalizes, estimates the SNR as the channel spec says, and decodes the unbiased symbols.
Weights come from the zoo by name or from a folder written by ``semcom train jscc``: ``weights=NAME|PATH``.

What ADJSCC's decoder is told (``snr_input``): ``estimate`` (default) is the front end's average SNR
(the given SNR with ``snr=known``, or its pilot/blind estimate); ``effective`` is ``1/noise_var`` of the
symbols it decodes (:attr:`semcom.channels.LinkOutput.decoder_input`: over AWGN the same number, over
fading, OFDM and MIMO the SNR after equalization, pooled over the image). DeepJSCC is told nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.channels import ChannelSpec, transmit_symbols
from semcom.channels.snr import noise_var_to_snr_db, per_image, snr_db_to_noise_var, validate_snr_db
from semcom.models.deepjscc import DOWNSAMPLING
from semcom.models.jscc import JSCCAutoencoder
from semcom.rng import Generators
from semcom.schemes.base import Scheme, Transmission
from semcom.schemes.description import recorded_setting, weights_record
from semcom.schemes.registry import register_scheme
from semcom.zoo import WeightsError, load_weights
from semcom.zoo.registry import missing_weights_message


@dataclass(frozen=True)
class JSCCSchemeConfig:
    weights: str = ""
    snr_input: str = "estimate"

    def __post_init__(self):
        if self.snr_input not in SNR_INPUTS:
            raise ValueError(f"snr_input must be one of {', '.join(SNR_INPUTS)}, got {self.snr_input!r}")


SNR_INPUTS = ("estimate", "effective")


class JSCCScheme(Scheme):
    """A trained JSCC autoencoder behind the scheme interface. ``arch`` is fixed by the subclass."""

    Config = JSCCSchemeConfig
    size_multiple = DOWNSAMPLING
    learned = True
    rate_options = ("weights",)
    arch = ""
    #: The legend name of the architecture, and whether its decoder takes the SNR (named without it when
    #: trained over a range).
    title = ""
    snr_adaptive = False

    def __init__(self, config=None, precision: str = "fp32"):
        super().__init__(config, precision)
        if not self.config.weights:
            raise WeightsError(missing_weights_message(self.name, "weights", f"semcom train {self.arch}"))
        model, model_config = load_weights(self.config.weights)
        if not isinstance(model, JSCCAutoencoder) or model_config.arch != self.arch:
            raise WeightsError(f"weights {self.config.weights!r} are not a {self.arch} model")
        self.model = model
        if not model.snr_adaptive and self.config.snr_input != "estimate":
            raise WeightsError(f"snr_input changes nothing for {self.name}: its decoder takes no SNR")

    @property
    def weights_id(self) -> str:
        return self.config.weights

    @classmethod
    def label(cls, config) -> str:
        """``"DeepJSCC@10dB"``: the architecture and the SNR its weights were trained at (a single value; an
        SNR-adaptive model trained over a range is named without it), ``(effective SNR)`` when told so."""
        trained = trained_snr_db(weights_record(config.weights))
        name = cls.title if trained is None or ("–" in trained and cls.snr_adaptive) else f"{cls.title}@{trained}dB"
        return name + (" (effective SNR)" if config.snr_input == "effective" else "")

    def transmit(self, images, snr_db, channel: ChannelSpec, generator: Generators = None):
        validate_snr_db(snr_db)
        snrs = per_image(snr_db, images.shape[0])[:, 0].to(images.device)
        with torch.no_grad():
            symbols = self.model.encode(images, snrs)
            link = transmit_symbols(symbols, snrs, channel, generator)
            given = link.decoder_input
            told_db = link.snr_db if self.config.snr_input == "estimate" else noise_var_to_snr_db(given.noise_var)
            told_db = told_db.to(images.device)
            recon = self.model.decode(given.symbols, told_db, images.shape[-2], images.shape[-1]).float()
        return Transmission(
            reconstruction=recon.clamp(0, 1), channel_uses=link.channel_uses, source_size=images[0].numel(),
            data_uses=symbols.shape[1],
            snr_db_estimate=link.snr_db, **self._told(told_db),
        )

    def _told(self, told_db: torch.Tensor) -> dict:
        """ADJSCC's attention modules are told ``told_db`` (see ``snr_input``); DeepJSCC is told nothing."""
        if not self.model.snr_adaptive:
            return {}
        rule = "snr-estimate" if self.config.snr_input == "estimate" else "effective-snr"
        return {"noise_var_used": snr_db_to_noise_var(told_db.cpu()), "noise_var_rule": rule}


def trained_snr_db(record) -> str | None:
    """The training SNR of JSCC weights as text (``"10"``, ``"0–28"`` for a range), from their recorded
    ``train_config``; None when the record does not say."""
    low = recorded_setting(record, "train_config", "snr_db_min")
    high = recorded_setting(record, "train_config", "snr_db_max")
    if low is None or high is None:
        return None
    try:
        low, high = f"{float(low):g}", f"{float(high):g}"
    except (TypeError, ValueError):
        return None
    return low if low == high else f"{low}–{high}"


@register_scheme("deepjscc")
class DeepJSCC(JSCCScheme):
    """DeepJSCC (Bourtsoulatze, Kurka, Gündüz 2019), trained at one SNR."""

    arch = "deepjscc"
    title = "DeepJSCC"


@register_scheme("adjscc")
class ADJSCC(JSCCScheme):
    """ADJSCC (Xu et al. 2021): GDN + SNR attention modules, one model for a range of SNRs."""

    arch = "adjscc"
    title = "ADJSCC"
    snr_adaptive = True
