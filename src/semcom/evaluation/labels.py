"""Short names for legends and summaries: scheme family, nominal rho and a short channel label.

Results files and tables keep the full, canonical specs; figures need names a reader can take in at a glance
(``"DeepJSCC@10dB · 1/48 · Rayleigh LS"`` rather than ``"deepjscc:weights=deepjscc-snr10-rho1_48 | rayleigh:
coherence=image,csi=ls,eq=mmse,pilots=8,snr=pilot | rho=0.08354"``). Scheme names come from each scheme
class's description of its config (:func:`semcom.schemes.describe_spec`), not from the text of the spec.
"""

from __future__ import annotations

from fractions import Fraction

from semcom.schemes import describe_spec

#: Legend entries longer than this are cut (the browser test holds figures to it).
MAX_LEGEND_CHARS = 60


def _options(spec: str) -> tuple[str, dict[str, str]]:
    name, _, rest = spec.partition(":")
    options = dict(part.partition("=")[::2] for part in rest.split(",") if part)
    return name, options


def short_scheme(spec: str) -> str:
    """A scheme spec's legend name: ``"latent-diff:codec=latent-diff-vae-f8c8-rho1_48,steps=0"`` →
    ``"Latent-Diff VAE, no de-noiser"``. Unknown schemes keep their registered name."""
    return describe_spec(spec).label


def short_channel(label: str) -> str:
    """``"rayleigh:coherence=image,csi=ls,eq=mmse,pilots=8,snr=pilot"`` → ``"Rayleigh LS"``."""
    kind, options = _options(label)
    if kind == "awgn":
        return "AWGN" + (", blind SNR" if options.get("snr") == "blind" else "")
    if kind == "ofdm":
        model = options.get("model", "tdl-a").upper()
        spread = options.get("delay_spread")
        spread = f" {float(spread) * 1e9:g} ns" if spread else ""
        return f"OFDM {model}{spread}" + (" LS" if options.get("csi") == "ls" else "")
    if kind == "mimo":
        text = f"MIMO {options.get('nt', '2')}x{options.get('nr', '2')}"
        if float(options.get("corr", 0)) > 0:
            text += f", corr {options['corr']}"
        return text + (" ZF" if options.get("eq") == "zf" else "")
    if kind != "rayleigh":
        return kind
    text = "Rayleigh" + (" LS" if options.get("csi") == "ls" else "")
    coherence = options.get("coherence", "image")
    if coherence == "fast":
        text += ", fast"
    elif coherence != "image":
        text += f", Tc={coherence}"
    return text


def short_rho(rho: float | Fraction) -> str:
    return str(Fraction(rho).limit_denominator(100000))


def legend_label(scheme: str, channel: str | None = None, rho: float | None = None) -> str:
    """``family · rho · channel`` (each part where given), at most :data:`MAX_LEGEND_CHARS` characters."""
    return joined_label(short_scheme(scheme), channel, rho)


def family_label(scheme: str, channel: str | None = None) -> str:
    """The legend entry of a spec's method at every rho (``"Latent-Diff TAEF2 · AWGN"``): a rho figure's line."""
    return joined_label(describe_spec(scheme).family, channel)


def joined_label(name: str, channel: str | None = None, rho: float | None = None) -> str:
    """``name · rho · channel`` (each part where given), cut to :data:`MAX_LEGEND_CHARS` characters."""
    parts = [name] + ([short_rho(rho)] if rho is not None else []) + ([short_channel(channel)] if channel else [])
    text = " · ".join(parts)
    return text if len(text) <= MAX_LEGEND_CHARS else text[: MAX_LEGEND_CHARS - 1] + "…"
