"""OFDM over 3GPP TR 38.901 TDL channels, through Sionna PHY (``sionna-no-rt``).

Spec::

    ofdm:model=tdl-a,delay_spread=1e-07,fft=64,cp=16,scs=30000,speed=3,csi=ls,pilots=2,eq=lmmse

A scheme's ``complex64 [B, k]`` unit-power symbols fill the data resource elements (REs) of as many slots as
they need (``symbols`` OFDM symbols of ``fft`` subcarriers each, ``guards`` of them empty, ``pilots`` whole
OFDM symbols of pilots per slot when ``csi=ls``). The grid goes through a TDL channel in the frequency
domain (Sionna's ``GenerateOFDMChannel`` / ``ApplyOFDMChannel``: exact while the cyclic prefix covers the
delay spread, which the spec checks), complex noise of variance sigma² is added per RE, and the receiver
estimates the channel (genie, or Sionna's LS estimator with linear interpolation) and equalizes with
Sionna's ZF or LMMSE equalizer, which also gives the effective noise variance of every data RE.

SNR (DESIGN.md §2) is P/sigma² per complex data symbol: data and pilot REs have unit power, the TDL power
delay profile sums to one, so the channel has unit gain on average over realizations (it is not
renormalized per realization, which would remove the fading), and Sionna's ``no`` is sigma² itself
(``no = 10^(-snr_db/10)``).

Channel uses (k on the results row) are time-domain samples on air: ``slots · symbols · (fft + cp)``; the
cyclic prefix, the guard carriers, the pilots and the zero padding of the last slot all count, so rho is
honest. ``coherence=image`` sends an image's slots back to back through one TDL realization that evolves
with ``speed``; ``coherence=slot`` draws every slot afresh (slots far apart in time or frequency).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, fields

import torch

from semcom.channels.awgn import complex_noise
from semcom.channels.phy import seeded, sionna_module
from semcom.channels.snr import SNRLike, per_image, snr_db_to_noise_var
from semcom.channels.spec import ChannelSpecError, check_choice, coerce_options
from semcom.rng import Generators, generator_of, is_per_image
from semcom.specs import format_spec, parse_spec

#: Longest path delay of each TR 38.901 TDL model (Tables 7.7.2-1..5), in units of the delay spread.
TDL_MAX_NORMALIZED_DELAY = {"tdl-a": 9.6586, "tdl-b": 4.7834, "tdl-c": 8.6523, "tdl-d": 12.525, "tdl-e": 20.6519}
OFDM_CSI = ("perfect", "ls")
OFDM_EQUALIZERS = ("lmmse", "zf")
OFDM_COHERENCE = ("image", "slot")


@dataclass(frozen=True)
class OFDMSpec:
    """An OFDM link over a TDL channel (module docstring for the model).

    Attributes:
        model: ``tdl-a`` … ``tdl-e`` (TR 38.901 §7.7.2).
        delay_spread: RMS delay spread (s).
        fft: subcarriers per OFDM symbol (FFT size).
        cp: cyclic prefix length (samples).
        scs: subcarrier spacing (Hz).
        speed: receiver speed (m/s), which sets the Doppler spread at ``carrier``.
        carrier: carrier frequency (Hz).
        symbols: OFDM symbols per slot.
        guards: empty guard subcarriers per OFDM symbol, split between the two band edges.
        csi: ``perfect`` (genie) or ``ls`` (least squares on pilot symbols, linear interpolation).
        pilots: whole pilot OFDM symbols per slot (with ``csi=ls`` only), spread over the slot.
        eq: ``lmmse`` or ``zf``.
        coherence: ``image`` (one TDL realization per image, evolving over its slots) or ``slot``.
    """

    model: str = "tdl-a"
    delay_spread: float = 100e-9
    fft: int = 64
    cp: int = 16
    scs: float = 30e3
    speed: float = 3.0
    carrier: float = 3.5e9
    symbols: int = 14
    guards: int = 6
    csi: str = "perfect"
    pilots: int = 2
    eq: str = "lmmse"
    coherence: str = "image"

    kind = "ofdm"
    fading = True

    def __post_init__(self):
        check_choice(self.model, tuple(TDL_MAX_NORMALIZED_DELAY), "OFDM channel model")
        check_choice(self.csi, OFDM_CSI, "csi")
        check_choice(self.eq, OFDM_EQUALIZERS, "eq")
        check_choice(self.coherence, OFDM_COHERENCE, "coherence")
        for name in ("delay_spread", "scs", "carrier"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) > 0):
                raise ChannelSpecError(f"{name} must be a positive number, got {getattr(self, name)}")
        if not (math.isfinite(self.speed) and self.speed >= 0):
            raise ChannelSpecError(f"speed must be >= 0 m/s, got {self.speed}")
        if self.fft < 2:
            raise ChannelSpecError(f"fft must be at least 2 subcarriers, got {self.fft}")
        if not 0 <= self.guards < self.fft:
            raise ChannelSpecError(f"guards={self.guards} must lie in 0..fft-1 = {self.fft - 1}: fft={self.fft} "
                                   "leaves no subcarrier for data and pilots")
        if not 0 <= self.cp <= self.fft:
            raise ChannelSpecError(f"cp must lie in 0..fft={self.fft} samples, got {self.cp}")
        if self.symbols < 1:
            raise ChannelSpecError(f"symbols (OFDM symbols per slot) must be >= 1, got {self.symbols}")
        if self.pilots < 0:
            raise ChannelSpecError(f"pilots must be >= 0 pilot OFDM symbols per slot, got {self.pilots}")
        if self.csi == "ls" and not 1 <= self.pilots < self.symbols:
            raise ChannelSpecError(f"csi=ls needs 1..{self.symbols - 1} pilot OFDM symbols per slot of "
                                   f"{self.symbols}, got pilots={self.pilots}")
        if self.max_delay_samples > self.cp:
            raise ChannelSpecError(
                f"the cyclic prefix ({self.cp} samples) is shorter than {self.model}'s longest path "
                f"({self.max_delay_samples:.1f} samples at delay_spread={self.delay_spread:g} s, "
                f"{self.fft}x{self.scs:g} Hz): raise cp or lower delay_spread")

    # --- the grid, counted ---------------------------------------------------------------------------------
    @property
    def max_delay_samples(self) -> float:
        """The model's longest path delay in samples of the OFDM sample rate ``fft · scs``."""
        return TDL_MAX_NORMALIZED_DELAY[self.model] * self.delay_spread * self.fft * self.scs

    @property
    def pilot_symbols(self) -> tuple[int, ...]:
        """Indices of the pilot OFDM symbols within a slot: spread from symbol 2 to ``symbols - 3``
        (2 and 11 in a 14-symbol slot, as the NR DM-RS with one additional position), or empty."""
        if self.csi != "ls":
            return ()
        first, last = min(2, self.symbols - 1), max(min(2, self.symbols - 1), self.symbols - 3)
        if self.pilots == 1:
            return (first,)
        chosen = sorted({round(first + i * (last - first) / (self.pilots - 1)) for i in range(self.pilots)})
        spare = (i for i in range(self.symbols) if i not in chosen)
        while len(chosen) < self.pilots:  # short slots: fill the remaining places in order
            chosen = sorted(chosen + [next(spare)])
        return tuple(chosen)

    @property
    def data_per_slot(self) -> int:
        """Data REs per slot: ``(fft - guards) · (symbols - pilots)``."""
        return (self.fft - self.guards) * (self.symbols - len(self.pilot_symbols))

    @property
    def uses_per_slot(self) -> int:
        """Time-domain samples per slot, cyclic prefixes included."""
        return self.symbols * (self.fft + self.cp)

    def num_slots(self, num_data: int) -> int:
        return max(1, -(-int(num_data) // self.data_per_slot))

    def frame_len(self, num_data: int) -> int:
        """Channel uses on air for ``num_data`` data symbols."""
        return self.num_slots(num_data) * self.uses_per_slot

    @property
    def uses_pilots(self) -> bool:
        return self.csi == "ls"

    # --- text form -----------------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """Canonical text form with every setting written out; ``parse(label) == self``."""
        options = [(f.name, _text(getattr(self, f.name))) for f in fields(self)]
        if not self.uses_pilots:
            options = [o for o in options if o[0] != "pilots"]
        return format_spec(self.kind, options)

    @classmethod
    def parse(cls, text: str) -> OFDMSpec:
        _, given = parse_spec(text, "channel", ChannelSpecError)
        options = coerce_options(cls, given, text)
        spec = cls(**options)
        if "pilots" in options and not spec.uses_pilots:
            raise ChannelSpecError(f"pilots in {text!r} change nothing: pilot symbols are sent with csi=ls only")
        return spec

    # --- the link ------------------------------------------------------------------------------------------
    def transmit(self, s: torch.Tensor, snr_db: SNRLike, generator: Generators = None):
        """Send ``complex64 [B, k]`` unit-power symbols; returns a :class:`semcom.channels.link.LinkOutput`."""
        return ofdm_transmit(self, s, snr_db, generator)


def _text(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@functools.lru_cache(maxsize=32)
def _blocks(spec: OFDMSpec, grid_slots: int):
    """The Sionna blocks for a grid of ``grid_slots`` slots (built once per spec and size)."""
    ofdm, channel, tr38901, mimo = (sionna_module(m) for m in ("ofdm", "channel", "channel.tr38901", "mimo"))
    pilot_indices = [slot * spec.symbols + i for slot in range(grid_slots) for i in spec.pilot_symbols]
    grid = ofdm.ResourceGrid(
        num_ofdm_symbols=grid_slots * spec.symbols, fft_size=spec.fft, subcarrier_spacing=spec.scs,
        cyclic_prefix_length=spec.cp, num_guard_carriers=(spec.guards // 2, spec.guards - spec.guards // 2),
        pilot_pattern="kronecker" if pilot_indices else "empty", pilot_ofdm_symbol_indices=pilot_indices or None,
        device="cpu")
    model = seeded(tr38901.TDL)(spec.model[-1].upper(), spec.delay_spread, spec.carrier,
                                min_speed=spec.speed, max_speed=spec.speed, device="cpu")
    streams = mimo.StreamManagement([[1]], 1)
    equalizer = (ofdm.LMMSEEqualizer if spec.eq == "lmmse" else ofdm.ZFEqualizer)(grid, streams, device="cpu")
    return {
        "grid": grid, "model": model, "mapper": ofdm.ResourceGridMapper(grid, device="cpu"),
        "channel": channel.GenerateOFDMChannel(model, grid, normalize_channel=False, device="cpu"),
        "apply": channel.ApplyOFDMChannel(device="cpu"),
        "estimator": ofdm.LSChannelEstimator(grid, interpolation_type="lin", device="cpu") if spec.csi == "ls" else None,
        "remove_nulled": ofdm.RemoveNulledSubcarriers(grid, device="cpu"),
        "equalizer": equalizer,
    }


def draw_ofdm_channel(spec: OFDMSpec, batch: int, grid_slots: int, grids_per_image: int,
                      generator: Generators) -> torch.Tensor:
    """Frequency responses ``complex64 [batch·grids_per_image, 1, 1, 1, 1, S, fft]`` (Sionna's layout), drawn
    image by image from each image's generator."""
    blocks = _blocks(spec, grid_slots)
    if not is_per_image(generator):
        blocks["model"].generator = generator
        return blocks["channel"](batch * grids_per_image)
    drawn = []
    for index in range(batch):
        blocks["model"].generator = generator_of(generator, index)
        drawn.append(blocks["channel"](grids_per_image))
    return torch.cat(drawn)


def ofdm_transmit(spec: OFDMSpec, s: torch.Tensor, snr_db: SNRLike, generator: Generators = None):
    from semcom.channels.link import LinkOutput, equalized_from_unbiased

    batch, k = s.shape
    slots = spec.num_slots(k)
    grid_slots = slots if spec.coherence == "image" else 1
    grids = slots // grid_slots  # grids per image: 1, or one per slot
    blocks = _blocks(spec, grid_slots)
    noise_var = per_image(snr_db_to_noise_var(snr_db), batch)  # [B, 1]

    data = torch.nn.functional.pad(s.detach().to("cpu", torch.complex64), (0, slots * spec.data_per_slot - k))
    grid = blocks["mapper"](data.reshape(batch * grids, 1, 1, grid_slots * spec.data_per_slot))
    h = draw_ofdm_channel(spec, batch, grid_slots, grids, generator)
    clean = blocks["apply"](grid, h)
    noise = complex_noise((batch, clean[0].numel() * grids), noise_var, generator, "cpu").reshape(clean.shape)
    y = clean + noise

    no = noise_var.repeat_interleave(grids, dim=0).reshape(batch * grids, 1, 1)
    if blocks["estimator"] is not None:
        h_hat, error_var = blocks["estimator"](y, no)
    else:
        h_hat, error_var = blocks["remove_nulled"](h), torch.zeros(())
    x_hat, no_eff = blocks["equalizer"](y, h_hat, error_var, no)
    x_hat, no_eff = (t.reshape(batch, -1)[:, :k].to(s.device) for t in (x_hat, no_eff))
    equalized = equalized_from_unbiased(x_hat, no_eff, spec.eq)
    return LinkOutput(equalized=equalized, snr_db=per_image(snr_db, batch)[:, 0].to(s.device),
                      channel_uses=spec.frame_len(k), h=None,
                      equalizer="zf" if spec.eq == "zf" else "mmse")


__all__ = ["TDL_MAX_NORMALIZED_DELAY", "OFDMSpec", "draw_ofdm_channel"]
