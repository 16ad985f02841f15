"""Short names for legends and summaries: scheme family, nominal rho and a short channel label.

Results files and tables keep the full, canonical specs; figures need names a reader can take in at a glance
(``"DeepJSCC@10dB · 1/48 · Rayleigh LS"`` rather than ``"deepjscc:weights=deepjscc-snr10-rho1_48 | rayleigh:
coherence=image,csi=ls,eq=mmse,pilots=8,snr=pilot | rho=0.08354"``).
"""

from __future__ import annotations

import re
from fractions import Fraction

#: Legend entries longer than this are cut (the browser test holds figures to it).
MAX_LEGEND_CHARS = 60

_JSCC_SNR = re.compile(r"snr(\d+(?:to\d+)?)")
_DIGITAL = {"jpeg": "JPEG", "avif": "AVIF", "heif": "HEIF", "webp": "WebP", "jpeg2000": "JPEG 2000"}
_LINK = {"capacity": "capacity", "ldpc": "LDPC"}


def _options(spec: str) -> tuple[str, dict[str, str]]:
    name, _, rest = spec.partition(":")
    options = dict(part.partition("=")[::2] for part in rest.split(",") if part)
    return name, options


def _jscc(name: str, weights: str) -> str:
    family = "ADJSCC" if name == "adjscc" else "DeepJSCC"
    found = _JSCC_SNR.search(weights)
    if not found:
        return family
    trained = found.group(1).replace("to", "–")
    return family if name == "adjscc" and "–" in trained else f"{family}@{trained}dB"


def _codec(codec: str) -> str:
    if codec.startswith("sd:"):
        return "SD-VAE"
    if codec.startswith("taef2"):
        return "TAEF2-PCA" if "pca" in codec else "TAEF2"
    return "VAE" if "vae" in codec else codec.rsplit("/", 1)[-1][:16]


def short_scheme(spec: str) -> str:
    """A scheme spec's family name: ``"latent-diff:codec=latent-diff-vae-f8c8-rho1_48,steps=0"`` →
    ``"Latent-Diff VAE, no de-noiser"``. Unknown schemes keep their registered name."""
    name, options = _options(spec)
    no_denoiser = options.get("steps") == "0"
    if name in ("deepjscc", "adjscc"):
        told = " (effective SNR)" if options.get("snr_input") == "effective" else ""
        return _jscc(name, options.get("weights", "")) + told
    if name == "latent-diff":
        return f"Latent-Diff {_codec(options.get('codec', 'taef2'))}" + (", no de-noiser" if no_denoiser else "")
    if name == "bandwidth-diff":
        compressor = options.get("compressor", "")
        variant = (" (no guidance)" if "noguidance" in compressor else
                   " (deterministic)" if "deterministic" in compressor else "")
        return "Bandwidth-Diff" + variant + (", no de-noiser" if no_denoiser else "")
    if name == "identity-analog":
        return "uncoded analog" + (" LMMSE" if options.get("receiver") == "lmmse" else "")
    codec, plus, link = name.partition("+")
    if plus:
        return f"{_DIGITAL.get(codec, codec)}+{_LINK.get(link, link)}"
    return name


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
    parts = [short_scheme(scheme)] + ([short_rho(rho)] if rho is not None else []) + (
        [short_channel(channel)] if channel else [])
    text = " · ".join(parts)
    return text if len(text) <= MAX_LEGEND_CHARS else text[: MAX_LEGEND_CHARS - 1] + "…"
