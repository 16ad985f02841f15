"""The :class:`Scheme` interface: a complete transmitter and receiver pair (DESIGN.md §1)."""

from __future__ import annotations

import dataclasses
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar, Optional, Union

import torch
from torch import nn

from semcom.channels import ChannelSpec, parse_channel
from semcom.channels.snr import SNRLike
from semcom.data import crop_back, pad_to_multiple
from semcom.rng import Generators
from semcom.schemes.description import SchemeDescription, parse_rho, weights_record


@dataclass(frozen=True)
class Transmission:
    """One batch sent through a scheme.

    Attributes:
        reconstruction: ``float32 [B, 3, H, W]`` in [0, 1], the receiver's image.
        channel_uses: k, complex channel uses per image (pilots and side information included).
        source_size: n = 3 H W.
        snr_db_estimate: ``float32 [B]`` the SNR the receiver used (dB), or None if it needs none.
        denoise_steps: de-noiser network evaluations per image (0 for schemes without one).
        bits_per_pixel: ``float32 [B]`` for digital schemes; NaN for analog ones.
        outage: ``bool [B]``, True where a digital link failed and the receiver fell back.
        info: scheme-level details recorded in every row of the batch (JSON-serializable).
        image_info: per-image details (one dict per image), merged over ``info`` in each row.
        data_uses: complex channel uses that carry the source (k without pilots), where it differs from k.
        design_rho: the scheme's configured bandwidth ratio, for schemes that set k = floor(rho n).
        noise_var_used: ``float32 [B]`` the noise variance (per complex symbol, linear) the receiver's
            learned part was told: the latent de-noisers' sigma²_eff that set the matched step, ADJSCC's SNR
            input as a variance; None when no part takes one.
        noise_var_rule: how ``noise_var_used`` was formed from the per-symbol variances
            (:func:`semcom.channels.frontend.receiver_input`: ``uniform``, ``zf-median``, ``mmse-pooled``;
            ``snr-estimate`` for ADJSCC).
    """

    reconstruction: torch.Tensor
    channel_uses: int
    source_size: int
    snr_db_estimate: Optional[torch.Tensor] = None
    denoise_steps: int = 0
    bits_per_pixel: Optional[torch.Tensor] = None
    outage: Optional[torch.Tensor] = None
    info: dict[str, Any] = field(default_factory=dict)
    image_info: Optional[list[dict[str, Any]]] = None
    data_uses: Optional[int] = None
    design_rho: Optional[Fraction] = None
    noise_var_used: Optional[torch.Tensor] = None
    noise_var_rule: str = ""

    def row_info(self, i: int) -> dict[str, Any]:
        """The ``info`` column of image i's row: scheme details, what the receiver was told, image details."""
        told = {}
        if self.noise_var_used is not None:
            told = {"noise_var_used": float(f"{float(self.noise_var_used[i]):.6g}"),
                    "noise_var_rule": self.noise_var_rule}
        return {**self.info, **told, **(self.image_info[i] if self.image_info else {})}

    @property
    def rho(self) -> Fraction:
        """Bandwidth ratio k / n (DESIGN.md §2)."""
        return Fraction(self.channel_uses, self.source_size)

    @property
    def nominal_rho(self) -> Fraction:
        """The design bandwidth ratio, before pilots: results are grouped by it (DESIGN.md §2)."""
        if self.design_rho is not None:
            return Fraction(self.design_rho)
        return Fraction(self.data_uses if self.data_uses is not None else self.channel_uses, self.source_size)

    def per_image_bpp(self, i: int) -> float:
        return math.nan if self.bits_per_pixel is None else float(self.bits_per_pixel[i])

    def per_image_outage(self, i: int) -> bool:
        return False if self.outage is None else bool(self.outage[i])


PRECISIONS = ("fp32", "bf16")


def check_precision(precision: str, scheme: type["Scheme"]) -> None:
    """Raise ValueError for a precision that does not exist, or that would change nothing for ``scheme``."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision != "fp32" and not scheme.learned:
        raise ValueError(f"precision={precision} changes nothing for {scheme.name}: it has no learned parts")


class Scheme(nn.Module, ABC):
    """A transmitter–receiver pair, reachable by name through :mod:`semcom.schemes.registry`.

    A scheme is a ``torch.nn.Module``: its learned parts are submodules, so ``scheme.to("cuda")`` moves all
    of them, and :attr:`device` says where it runs. Calling it (:meth:`forward`) is the notebook-friendly
    way to send images; sweeps call :meth:`transmit` on images already padded to :attr:`size_multiple`.

    Subclasses set ``Config`` (a frozen dataclass of their options) and implement :meth:`transmit`;
    ``name`` is set by the registry decorator.
    """

    name: ClassVar[str] = ""
    Config: ClassVar[type]
    #: Side length the model needs the image padded to a multiple of (1: any size).
    size_multiple: ClassVar[int] = 1
    #: Whether the scheme has learned parts (``precision`` applies to those alone).
    learned: ClassVar[bool] = False
    #: Config options that choose the bandwidth ratio (``rho``, or weights trained for one rho). The same
    #: method at several rho differs only in these: a rho figure joins such specs into one line.
    rate_options: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config=None, precision: str = "fp32"):
        super().__init__()
        self.config = config if config is not None else self.Config()
        check_precision(precision, type(self))
        self.precision = precision
        self.register_buffer("_device_anchor", torch.zeros(0), persistent=False)
        self.eval()

    # What figures, reports and the zoo catalog know of a config: computed without loading weights.

    @classmethod
    def describe(cls, config, precision: str = "fp32") -> SchemeDescription:
        """The label, family, nominal rho and setting of ``config`` (:class:`SchemeDescription`)."""
        from semcom.schemes.registry import canonical_options

        options = canonical_options(cls, config, precision)
        setting = ",".join(f"{key}={value}" for key, value in options if key not in cls.rate_options)
        return SchemeDescription(cls.label(config), cls.family(config), cls.nominal_rho(config), setting)

    @classmethod
    def label(cls, config) -> str:
        """A short legend name of the scheme with this config (default: the registered name)."""
        return cls.name

    @classmethod
    def family(cls, config) -> str:
        """The legend name of the same method at every rho (default: :meth:`label`)."""
        return cls.label(config)

    @classmethod
    def nominal_rho(cls, config) -> Optional[Fraction]:
        """The bandwidth ratio ``config`` sets: its ``rho`` field, else the ``rho`` recorded with the weights
        that the first of :attr:`rate_options` naming zoo weights or a saved folder names; None if neither."""
        if parse_rho(getattr(config, "rho", None)) is not None:
            return parse_rho(config.rho)
        for option in cls.rate_options:
            rho = parse_rho((weights_record(str(getattr(config, option, ""))) or {}).get("rho"))
            if rho is not None:
                return rho
        return None

    @classmethod
    def catalog_entries(cls, name: str, entry: dict, manifest: dict[str, dict]) -> list:
        """The runnable catalog entries (:class:`semcom.zoo.catalog.CatalogEntry`) that zoo weights ``name``
        (manifest ``entry``; ``manifest`` holds every entry, for pairing) give this scheme. Default: weights
        recorded for this scheme make ``NAME:weights=<name>`` when the config has a ``weights`` option."""
        from semcom.zoo.catalog import CatalogEntry

        if entry.get("scheme") != cls.name or "weights" not in {f.name for f in dataclasses.fields(cls.Config)}:
            return []
        rho = cls.nominal_rho(cls.Config(weights=name))
        return [CatalogEntry(name, f"{cls.name}:weights={name}", str(rho) if rho else str(entry.get("rho")))]

    @property
    def device(self) -> torch.device:
        """Where the scheme's networks and channel arithmetic run (random draws: :mod:`semcom.rng`)."""
        return self._device_anchor.device

    @property
    def weights_id(self) -> str:
        """Identifier of the weights in use (``"none"`` for schemes without learned parts)."""
        return "none"

    def autocast(self):
        """The context a transmission runs in: bf16 autocast on the scheme's device when ``precision=bf16``.
        Networks then compute in bf16; everything between them (power normalization, the channel, the
        equalizer, the sampler's update) stays float32, since schemes cast network outputs back."""
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.precision == "bf16")

    def prepare(self, dataset) -> None:
        """Called by sweeps once before a dataset is evaluated (e.g. to learn an outage fallback image)."""

    @abstractmethod
    def transmit(
        self,
        images: torch.Tensor,
        snr_db: SNRLike,
        channel: ChannelSpec,
        generator: Generators = None,
    ) -> Transmission:
        """Send ``images`` (``float32 [B, 3, H, W]`` in [0, 1], on :attr:`device`, sides multiples of
        :attr:`size_multiple`) over ``channel`` at ``snr_db`` (dB, a float or ``float [B]``).

        All randomness comes from ``generator``: one for the batch or one per image (:mod:`semcom.rng`).
        """

    def forward(
        self,
        images: torch.Tensor,
        snr_db: SNRLike,
        channel: Union[str, ChannelSpec] = "awgn",
        seed: Optional[int] = 0,
        generator: Generators = None,
    ) -> Transmission:
        """Send images of any size: ``scheme(images, 10.0, channel="rayleigh:csi=ls", seed=0)``.

        Args:
            images: ``float32 [B, 3, H, W]`` or ``[3, H, W]`` in [0, 1], any H and W, on any device (they
                are moved to the scheme's). They are padded (reflected) to :attr:`size_multiple` and the
                reconstruction is cropped back, so ``reconstruction`` has the input's shape.
            snr_db: float or ``float [B]`` (dB, DESIGN.md §2).
            channel: a spec string (``"awgn"``, ``"rayleigh:csi=ls"``) or a :class:`ChannelSpec`.
            seed: image i draws from a CPU generator seeded ``seed + i``, so it gets exactly what
                ``semcom transmit --seed seed+i`` gives it, whatever the batch. Ignored when ``generator``
                is given; ``None`` with no generator uses torch's default generator.
            generator: one generator for the batch or a sequence of one per image.

        Returns the :class:`Transmission`; ``source_size`` is n of the input image (before padding).
        """
        single = images.dim() == 3
        x = (images[None] if single else images).to(self.device, torch.float32)
        spec = parse_channel(channel)
        if generator is None and seed is not None:
            generator = [torch.Generator().manual_seed(int(seed) + i) for i in range(x.shape[0])]
        padded, pad = pad_to_multiple(x, self.size_multiple)
        with torch.no_grad(), self.autocast():
            sent = self.transmit(padded, snr_db, spec, generator)
        recon = crop_back(sent.reconstruction, pad)
        return dataclasses.replace(sent, reconstruction=recon[0] if single else recon, source_size=x[0].numel())
