"""Scheme specs for everything the zoo ships: one place that turns manifest entries into runnable schemes.

The demo, ``semcom reproduce`` and the benchmarks all take their scheme lists from here, so a newly shipped
weights entry shows up in all three. Specs are grouped by nominal rho; each spec is a string that
:func:`semcom.schemes.create_scheme` accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from semcom.zoo.registry import load_manifest

#: De-noising steps of the latent receivers in the catalog: DDIM from the SNR-matched step (DESIGN.md §2).
#: The step sweep (docs/results/latent_diff_steps.md) peaks at 1-2 evaluations; 5 leaves room at low SNR.
MATCHED_DDIM = "sampler=ddim,start=matched,steps=5"
TAEF2_DENOISER = "latent-diff-denoiser-taef2"


@dataclass(frozen=True)
class CatalogEntry:
    """One runnable scheme: ``label`` (short, for tables), ``spec`` (for the registry), ``rho`` as "1/48"
    (``"native"`` where the codec sets it), and whether it needs the TAEF2 weights (not shipped)."""

    label: str
    spec: str
    rho: str
    needs_taef2: bool = False


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

    Latent codecs appear with their de-noiser (matched-start DDIM) and, unless ``denoised_only``, also without
    it (``steps=0``, paper A's ablation). bandwidth-diff compressors use the TAEF2 de-noiser.
    """
    entries = load_manifest()
    catalog: list[CatalogEntry] = []

    def latent(label: str, codec: str, denoiser: str, rho: str, needs_taef2: bool) -> None:
        catalog.append(CatalogEntry(label, f"latent-diff:codec={codec},denoiser={denoiser},{MATCHED_DDIM}", rho,
                                    needs_taef2))
        if not denoised_only:
            catalog.append(CatalogEntry(f"{label} (no de-noiser)", f"latent-diff:codec={codec},steps=0", rho,
                                        needs_taef2))

    for name, entry in entries.items():
        scheme, rho = entry["scheme"], entry["rho"]
        if scheme in ("deepjscc", "adjscc"):
            catalog.append(CatalogEntry(name, f"{scheme}:weights={name}", rho))
        elif scheme == "latent-diff-vae" and f"latent-diff-denoiser-{name[len('latent-diff-'):]}" in entries:
            latent(name, name, f"latent-diff-denoiser-{name[len('latent-diff-'):]}", rho, False)
        elif scheme == "latent-projection" and f"latent-diff-denoiser-{name}" in entries:
            latent(f"latent-diff-{name}", name, f"latent-diff-denoiser-{name}", rho, True)
        elif name == TAEF2_DENOISER:
            latent("latent-diff-taef2", "taef2", TAEF2_DENOISER, "1/12", True)
        elif scheme == "bandwidth-diff" and TAEF2_DENOISER in entries:
            catalog.append(CatalogEntry(name, f"bandwidth-diff:compressor={name},denoiser={TAEF2_DENOISER},"
                                              f"{MATCHED_DDIM}", rho, True))
    for rho in sorted({e.rho for e in catalog}, key=lambda r: -1 / float(r.split("/")[1])):
        catalog.append(CatalogEntry(f"jpeg+capacity@{rho}", f"jpeg+capacity:rho={rho}", rho))
    return catalog


def available_catalog(denoised_only: bool = False) -> tuple[list[CatalogEntry], list[CatalogEntry]]:
    """``(runnable, skipped)``: the catalog split by whether the weights it needs are present here."""
    have_taef2 = taef2_available()
    catalog = shipped_catalog(denoised_only)
    return ([e for e in catalog if have_taef2 or not e.needs_taef2],
            [e for e in catalog if e.needs_taef2 and not have_taef2])
