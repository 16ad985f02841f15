"""The studies behind ``semcom demo`` and ``semcom reproduce paper-a|paper-b``.

Scheme lists come from the zoo catalog (:mod:`semcom.zoo.catalog`), so they follow what is shipped (plug-ins'
zoo entries included). Entries are chosen by their scheme, nominal rho and ablation, never by the text of
weights names. Schemes whose weights are missing here (TAEF2 is not shipped) are listed in the study as
skipped, with the reason.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Optional

from semcom.evaluation.grid import DEFAULT_SNR_GRID
from semcom.report.build import GridSpec
from semcom.report.studies import Study
from semcom.report.studies import at_precision as study_at_precision
from semcom.report.studies import with_realizations as study_with_realizations
from semcom.schemes import parse_spec
from semcom.zoo.catalog import BASELINE, MATCHED_DDIM, NO_DENOISER, CatalogEntry, available_catalog

RAYLEIGH_LS = "rayleigh:coherence=image,csi=ls,eq=mmse,pilots=8,snr=pilot"
RAYLEIGH_MMSE = "rayleigh:csi=perfect,eq=mmse"
#: The project VAE at rho 1/96 (paper A's "1/48"): the offline default of the step sweeps.
STEP_CODEC = "latent-diff:codec=latent-diff-vae-f8c4-rho1_96,denoiser=latent-diff-denoiser-vae-f8c4-rho1_96"
TAEF2_MISSING = ("needs the TAEF2 weights: semcom downloads them on first use (see `semcom demo`), or set "
                 "$SEMCOM_TAEF2 to a folder holding them")


GRID_SNRS = (-5.0, 5.0, 15.0, 30.0)


@dataclass(frozen=True)
class Protocol:
    """What a report command runs: a title, the studies and the reconstruction grid."""

    title: str
    studies: list[Study]
    grid: GridSpec
    dataset: str = "kodak"


def at_precision(plan: Protocol, precision: str | None) -> Protocol:
    """The plan with its learned schemes at ``precision`` (studies and grid alike)."""
    if precision is None:
        return plan
    return dataclasses.replace(plan, studies=[study_at_precision(s, precision) for s in plan.studies],
                               grid=plan.grid.at_precision(precision))


def with_realizations(plan: Protocol, realizations: int | None, fading: int | None = None) -> Protocol:
    """The plan with ``realizations`` channel draws per image on every channel of every study, or ``fading``
    draws on the fading channels only (None: the studies' own)."""
    if realizations is None and fading is None:
        return plan
    return dataclasses.replace(plan, studies=[study_with_realizations(s, realizations, fading)
                                              for s in plan.studies])


def _split(entries: list[CatalogEntry], skipped: list[CatalogEntry], keep,
           why: str = "") -> tuple[dict, dict]:
    why = why or TAEF2_MISSING
    return ({e.label: e.spec for e in entries if keep(e)}, {e.label: why for e in skipped if keep(e)})


def _scheme(entry: CatalogEntry) -> str:
    return parse_spec(entry.spec)[0]


def _as_published(entry: CatalogEntry) -> bool:
    """Not a training ablation (paper B's ablation weights); the no-de-noiser variants count as published."""
    return entry.ablation in ("", NO_DENOISER)


def _step_codec(entry: CatalogEntry) -> bool:
    """Whether the entry runs the step sweeps' codec (the project VAE at 1/96)."""
    return parse_spec(entry.spec)[1].get("codec") == parse_spec(STEP_CODEC)[1]["codec"]


def _grid(keep: Callable[[CatalogEntry], bool], snrs=GRID_SNRS) -> GridSpec:
    """The de-noised schemes of the catalog that pass ``keep``, plus the project VAE without its de-noiser."""
    runnable, _ = available_catalog()
    return GridSpec({e.label: e.spec for e in runnable
                     if keep(e) and (e.ablation != NO_DENOISER or _step_codec(e))}, snrs)


def _grid_row(entry: CatalogEntry) -> bool:
    """Paper A's Fig. 3 comparison: everything at rho 1/48, and the project VAE at 1/96."""
    return entry.rho == "1/48" or _step_codec(entry)


def _paper_a_scheme(entry: CatalogEntry) -> bool:
    return _scheme(entry) != "bandwidth-diff"


def _paper_b_scheme(entry: CatalogEntry) -> bool:
    """bandwidth-diff at every rho (not the ablation weights), and at paper B's rho the TAEF2 latent-diff, the
    digital baseline, and at 1/48 the JSCC models and the project VAE."""
    if not _as_published(entry):
        return False
    if _scheme(entry) == "bandwidth-diff":
        return True
    taef2_latent = _scheme(entry) == "latent-diff" and entry.needs_taef2
    return entry.rho == "1/48" or (entry.rho in ("1/24", "1/96") and (taef2_latent or _scheme(entry) == BASELINE))


#: The Kodak studies of the diffusion receivers (paper A's step sweep, paper B's ablations) also report VIF-P, a
#: perceptual metric that needs no downloaded weights, for the perception-distortion reading of a sample
#: against the posterior mean (docs/results/claims.md). LPIPS, FID and CLIP stay optional (their weights).
DIFFUSION_METRICS = ("psnr", "ssim", "vif")


def step_study(name: str, snrs, matched: tuple[int, ...], fixed: tuple[int, ...], limit: Optional[int],
               full_ddpm: bool = False, metrics: tuple[str, ...] = ("psnr", "ssim")) -> Study:
    """Figs. 6–7: Algorithm 2 with a fixed number of DDPM steps against DDIM from the SNR-matched step."""
    schemes = {"no de-noiser": f"{STEP_CODEC},steps=0"}
    schemes |= {f"Algorithm 2, {n} DDPM steps": f"{STEP_CODEC},sampler=ddpm,start=fixed,steps={n}" for n in fixed}
    schemes |= {f"matched, {n} DDIM steps": f"{STEP_CODEC},sampler=ddim,start=matched,steps={n}" for n in matched}
    if full_ddpm:
        schemes["matched, full DDPM"] = f"{STEP_CODEC},sampler=ddpm,start=matched,steps=1000"
    return Study(name, "De-noising steps (paper A Figs. 6–7): project VAE, rho 1/96, AWGN", schemes, snrs,
                 plot="steps", limit=limit, metrics=metrics,
                 note="Metric against U-Net evaluations per image. Algorithm 2 runs N consecutive DDPM steps from "
                      "t = N; the matched receiver starts at the step whose abar equals 1/(1 + sigma²).")


#: ``semcom demo`` sizes: ``default`` is the first look (under five minutes on two cores), ``quick`` the
#: smoke test, ``full`` every shipped scheme at every rho on the full-size photos.
DEMO_SIZES = ("quick", "default", "full")
DEMO_RHO = "1/48"  # the one rho at which every family is shipped
#: Rayleigh draws per photo and SNR in the demo, by size: fewer than a Kodak-24 protocol's
#: (evaluation.sweep.FADING_REALIZATIONS), to keep the first look short; the report says how many.
DEMO_FADING_REALIZATIONS = {"quick": 2, "default": 4, "full": 8}


def _demo_scheme(entry: CatalogEntry) -> bool:
    """One scheme of each family at the demo's rho: the ablation weights of paper B are left to --full."""
    return entry.rho == DEMO_RHO and _as_published(entry)


def demo(size: str = "default", taef2_missing: str = "") -> Protocol:
    """The shipped schemes that run here, on the bundled sample photos; ``taef2_missing`` is why TAEF2 is not
    here (``""`` when it is), shown beside the schemes it leaves out."""
    if size not in DEMO_SIZES:
        raise ValueError(f"demo size must be one of {', '.join(DEMO_SIZES)}, got {size!r}")
    runnable, skipped = available_catalog()
    keep = (lambda e: True) if size == "full" else _demo_scheme
    schemes, missing = _split(runnable, skipped, keep, taef2_missing or TAEF2_MISSING)
    channels = ("awgn", RAYLEIGH_LS)
    draws = DEMO_FADING_REALIZATIONS[size]
    note = ("Latent schemes use DDIM from the SNR-matched step (" + MATCHED_DDIM + "); '(no de-noiser)' is "
            f"paper A's ablation. Rayleigh: one fade per image (block fading), {draws} fades per image and SNR "
            "(semcom demo --realizations N for more), 8 pilots, LS estimate, MMSE.")
    if size == "full":
        main = Study("results", "PSNR and SSIM against SNR, every shipped scheme", schemes, DEFAULT_SNR_GRID,
                     channels=channels, limit=3, skipped=missing, note=note, fading_realizations=draws)
        steps = step_study("steps", (0.0, 10.0, 20.0), matched=(1, 2, 5, 10, 20), fixed=(15, 30, 45, 60), limit=1)
        return Protocol("semcom demo --full: every shipped scheme on the bundled sample photos", [main, steps],
                        _grid(_grid_row, GRID_SNRS), dataset="samples")
    quick = size == "quick"
    snrs = (0.0, 20.0) if quick else (0.0, 5.0, 10.0, 15.0, 20.0)
    main = Study("results", f"PSNR and SSIM against SNR, one scheme of each family at rho {DEMO_RHO}", schemes,
                 snrs, channels=channels, limit=1 if quick else None, skipped=missing, note=note,
                 fading_realizations=draws)
    steps = step_study("steps", (0.0, 20.0) if quick else (0.0, 10.0), matched=(1,) if quick else (1, 2, 5, 10),
                       fixed=(15,) if quick else (15, 30), limit=1 if quick else None)
    title = f"semcom demo{' --quick' if quick else ''}: the shipped schemes on 192x192 crops of the sample photos"
    return Protocol(title, [main, steps], _grid(lambda e: _demo_scheme(e) and _grid_row(e), snrs),
                    dataset="samples-192")


def paper_a(limit: Optional[int]) -> Protocol:
    """Paper A on Kodak: Figs. 4–5 (every paper-A scheme and baseline, AWGN), Figs. 6–7 (step sweep), Fig. 3."""
    runnable, skipped = available_catalog()
    schemes, missing = _split(runnable, skipped, _paper_a_scheme)
    snr = Study("paper_a_snr", "Paper A Figs. 4–5: PSNR and SSIM against SNR on Kodak, AWGN", schemes,
                DEFAULT_SNR_GRID, limit=limit, skipped=missing,
                note="Latent-Diff DNSC (project VAE and TAEF2 codecs) with and without the de-noiser, "
                     "DeepJSCC@10/20 dB, ADJSCC@0-28 dB and JPEG at channel capacity, per rho.")
    steps = step_study("paper_a_steps", (0.0, 10.0, 20.0), matched=(1, 2, 5, 10, 20, 50), fixed=(15, 30, 45, 60),
                       limit=limit, full_ddpm=True, metrics=DIFFUSION_METRICS)
    return Protocol("Latent-Diff DNSC (paper A) on Kodak", [snr, steps],
                    _grid(lambda e: _paper_a_scheme(e) and _grid_row(e)))


def paper_b(limit: Optional[int]) -> Protocol:
    """Paper B on Kodak: bandwidth-diff at each rho against paper A and the baselines (AWGN and Rayleigh),
    metric against rho, and the three ablations at rho 1/48."""
    runnable, skipped = available_catalog(denoised_only=True)
    schemes, missing = _split(runnable, skipped, _paper_b_scheme)
    main = Study("paper_b_snr", "Paper B: bandwidth-diff against SNR and rho on Kodak", schemes, DEFAULT_SNR_GRID,
                 channels=("awgn", RAYLEIGH_MMSE), metrics=("psnr", "ssim", "ms_ssim"), limit=limit,
                 skipped=missing, note="Rayleigh: block fading, perfect CSI, MMSE; the effective SNR sets the "
                                       "matched step. Figures per rho, then metric against rho.")
    rho = Study("paper_b_rho", "Paper B: metric against bandwidth ratio (AWGN)", schemes, (0.0, 10.0, 20.0),
                channels=("awgn",), plot="rho", metrics=main.metrics, limit=limit, skipped=missing,
                results="paper_b_snr")  # the same metrics as the rows it shares, or they would be computed twice
    base = "bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48,denoiser=latent-diff-denoiser-taef2"
    ablation = {
        "full (matched, 5 DDIM)": f"{base},{MATCHED_DDIM}",
        "matched, 20 DDIM": f"{base},sampler=ddim,start=matched,steps=20",
        "no guidance loss": base.replace("rho1_48,", "rho1_48-noguidance,") + f",{MATCHED_DDIM}",
        "no reparameterization": base.replace("rho1_48,", "rho1_48-deterministic,") + f",{MATCHED_DDIM}",
        "start at T, 50 DDIM": f"{base},sampler=ddim,start=T,steps=50",
        "no de-noiser": "bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48,steps=0",
    }
    ablations = Study("paper_b_ablations", "Paper B ablations at rho 1/48, AWGN", ablation, DEFAULT_SNR_GRID,
                      metrics=DIFFUSION_METRICS, limit=limit, skipped={} if not missing else {"all": TAEF2_MISSING})
    return Protocol("Bandwidth-constrained diffusion SemCom (paper B) on Kodak",
                    [main, rho, ablations] if not missing else [main],
                    _grid(lambda e: _paper_b_scheme(e) and (e.rho == "1/48" or e.spec.startswith("bandwidth-diff"))))


#: ``semcom reproduce NAME``: the protocol for a number of Kodak images (None = all).
PAPERS: dict[str, Callable[[Optional[int]], Protocol]] = {"paper-a": paper_a, "paper-b": paper_b}
