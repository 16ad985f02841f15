"""Scheme specs for everything the zoo ships: one place that turns manifest entries into runnable schemes.

The demo, ``semcom reproduce`` and the benchmarks all take their scheme lists from here, so a newly shipped
weights entry shows up in all three. Each registered scheme class says which entries its weights make
(:meth:`semcom.schemes.Scheme.catalog_entries`), so a plug-in's zoo entries appear without a change here.
Specs are grouped by nominal rho; each spec is a string that :func:`semcom.schemes.create_scheme` accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from semcom.zoo.registry import load_manifest

#: De-noising steps of the latent receivers in the catalog: DDIM from the SNR-matched step (DESIGN.md §2).
#: Paper A's step sweep on Kodak-24 (docs/results/latent_diff.md) peaks at 1-2 evaluations; 5 leaves room at low SNR.
MATCHED_DDIM = "sampler=ddim,start=matched,steps=5"
TAEF2_DENOISER = "latent-diff-denoiser-taef2"
#: The ablation of a latent scheme without its de-noiser (``steps=0``), listed beside each de-noised one.
NO_DENOISER = "no de-noiser"
#: The digital baseline added at every rho of the catalog.
BASELINE = "jpeg+capacity"


@dataclass(frozen=True)
class CatalogEntry:
    """One runnable scheme: ``label`` (short, for tables), ``spec`` (for the registry), ``rho`` as "1/48",
    whether it needs the TAEF2 weights (not shipped), and ``ablation``: ``""`` for a scheme as published,
    else what is switched off (:data:`NO_DENOISER`, or a training ablation such as ``"no guidance loss"``)."""

    label: str
    spec: str
    rho: str
    needs_taef2: bool = False
    ablation: str = ""


def taef2_available() -> bool:
    """Whether the TAEF2 weights are on disk (``$SEMCOM_TAEF2``, ``$SEMCOM_SHARED``, ../shared or the cache)."""
    from semcom.codecs.taef2 import find_taef2
    from semcom.errors import SemcomError

    try:
        find_taef2()
    except (SemcomError, OSError):
        return False
    return True


def ensure_taef2(progress: bool = True) -> str:
    """Find TAEF2 or download it into the user cache; ``""`` when it is here, else the one-line reason."""
    from semcom.codecs.taef2 import TAEF2Error, download_taef2

    if taef2_available():
        return ""
    try:
        download_taef2(progress=progress)
    except TAEF2Error as exc:
        return str(exc)
    return ""


def shipped_catalog(denoised_only: bool = False) -> list[CatalogEntry]:
    """Every shipped scheme, in manifest order, followed by the digital baseline at each rho.

    Each manifest entry is offered to every registered scheme class (plug-ins included), which returns the
    entries its weights make. Latent codecs appear with their de-noiser (matched-start DDIM) and, unless
    ``denoised_only``, also without it (``steps=0``, paper A's ablation).
    """
    from semcom.schemes import list_schemes, scheme_class

    classes = list(dict.fromkeys(scheme_class(name) for name in list_schemes()))  # plug-ins are loaded first
    entries = load_manifest()
    catalog = [item for name, entry in entries.items() for cls in classes
               for item in cls.catalog_entries(name, entry, entries)
               if not (denoised_only and item.ablation == NO_DENOISER)]
    rhos = {rho for rho in (_fraction(e.rho) for e in catalog) if rho is not None}
    for rho in sorted(rhos, reverse=True):
        catalog.append(CatalogEntry(f"{BASELINE}@{rho}", f"{BASELINE}:rho={rho}", str(rho)))
    return catalog


def _fraction(text: str) -> Fraction | None:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None


def available_catalog(denoised_only: bool = False) -> tuple[list[CatalogEntry], list[CatalogEntry]]:
    """``(runnable, skipped)``: the catalog split by whether the weights it needs are present here."""
    have_taef2 = taef2_available()
    catalog = shipped_catalog(denoised_only)
    return ([e for e in catalog if have_taef2 or not e.needs_taef2],
            [e for e in catalog if e.needs_taef2 and not have_taef2])
