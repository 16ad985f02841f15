"""Speed and memory of every shipped scheme on Kodak: latency per image, images/s, peak memory, U-Net calls.

Usage: python benchmarks/schemes_speed.py [--data DIR] [--threads 2] [--precision fp32,bf16] [--repeats 3]
       [--batch-sizes 1,8] [--images N] [--snr-db 10] [--channel awgn] [--schemes SPEC,SPEC,...]
       [--device cpu|cuda|cuda:N] [--reverse batched,per-image] [--crop HxW] [--out FILE.json] [--quick]

The schemes are those of the zoo catalog (every shipped weights entry, latent codecs with and without their
de-noiser, bandwidth-diff compressors when shipped, jpeg+capacity at each of their rho), plus jpeg+ldpc at
the same rho and identity-analog: see ``default_schemes``. Schemes needing TAEF2 are listed as skipped when
its weights are not found. ``--schemes`` replaces the list; a comma followed by ``key=value`` continues
the previous spec, so ``--schemes latent-diff:codec=taef2,steps=0,jpeg+capacity`` is two specs.
``--quick`` keeps the first scheme of each family, one repeat, two images cropped to 128x192.

Each (scheme, precision, batch size) runs in a fresh Python process (benchmarks/speed_case.py) with
torch.set_num_threads(--threads) and OMP_NUM_THREADS set alike, on --device, bf16 meaning the scheme's
``precision=bf16`` (autocast on its device around the networks; schemes without a network run in fp32 only).
``--reverse per-image`` also times the schemes with a reverse process (latent-diff, bandwidth-diff with
steps > 0) with the reverse process looped over the images of each batch, as before issue 23: the baseline of
the batched receiver, measured in the same run. Every timed call is
scheme.transmit on images the scheme has not seen before (see speed_case.UniqueBatches), after one warm-up
call. Images: Kodak (portrait images transposed to 768x512 so that batches stack); without Kodak, the
scikit-image sample photos, resized to cover 768x512 and center-cropped. Prints a markdown table.

JSON written to --out (schema "schemes_speed/2"; /1 files lack "device", "reverse" and "peak_cuda_mib"):
  {"schema": "schemes_speed/2",
   "meta": {"threads", "repeats", "snr_db", "channel", "precisions", "batch_sizes", "device", "gpu",
            "images": {"source", "count", "height", "width"}, "memory", "torch", "python", "platform", "cpu", "date"},
   "skipped": [{"label", "spec", "reason"}],
   "results": [{"label", "spec", "rho", "precision", "reverse",   # "batched" | "per-image"
                "denoise_steps",            # U-Net evaluations per image (Transmission.denoise_steps)
                "channel_uses",             # k per image
                "latency_s": {"p50", "p90", "samples"} | null,   # per image, batch 1 (null without batch 1)
                "images_per_s": {"<batch>": float},
                "peak_rss_mib": {"<batch>": float},     # peak RSS of the case's process
                "peak_cuda_mib": {"<batch>": float},    # peak CUDA memory allocated (empty on the CPU)
                "baseline_rss_mib": float | null,       # RSS before the scheme is built (imports + images)
                "errors": {"<batch>": "message"}}]}     # empty when every batch size ran
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
from timing import cpu_description, quantile
from tqdm import tqdm

from semcom.data import get_dataset, to_uint8
from semcom.device import resolve_device
from semcom.zoo.catalog import available_catalog

HERE = Path(__file__).resolve().parent
TAEF2_MISSING = "TAEF2 weights not found ($SEMCOM_TAEF2, $SEMCOM_SHARED/weights/taef2, ../shared/weights/taef2)"
MEMORY_NOTE = ("peak_rss_mib: maximum resident set size (getrusage RUSAGE_SELF ru_maxrss) of a fresh Python "
               "process that imports torch and semcom, loads the test images as uint8, builds the scheme and "
               "makes the warm-up and all timed transmit calls at that batch size and precision; "
               "baseline_rss_mib: the same process just before the scheme is built")


@dataclass(frozen=True)
class Case:
    label: str
    spec: str
    rho: str = ""


def default_schemes() -> tuple[list[Case], list[dict]]:
    """(cases to run, skipped): the zoo catalog, jpeg+ldpc at each catalog rho, identity-analog."""
    runnable, missing = available_catalog()
    rhos = [e.rho for e in runnable + missing if e.spec.startswith("jpeg+capacity:")]
    cases = [Case(e.label, e.spec, e.rho) for e in runnable]
    cases += [Case(f"jpeg+ldpc@{rho}", f"jpeg+ldpc:rho={rho}", rho) for rho in rhos]
    cases.append(Case("identity-analog", "identity-analog", "1/2"))
    return cases, [{"label": e.label, "spec": e.spec, "reason": TAEF2_MISSING} for e in missing]


def split_specs(text: str) -> list[str]:
    """Comma-separated specs; a piece that looks like ``key=value`` continues the previous spec's options."""
    specs: list[str] = []
    for piece in filter(None, (p.strip() for p in text.split(","))):
        continues = "=" in piece and ":" not in piece.split("=")[0]
        if continues and specs:
            specs[-1] += ("," if ":" in specs[-1] else ":") + piece
        else:
            specs.append(piece)
    return specs


def family(spec: str) -> str:
    return spec.split(":")[0]


def has_network(spec: str) -> bool:
    return family(spec) != "identity-analog" and "+" not in family(spec)


def has_reverse_process(spec: str) -> bool:
    return family(spec) in ("latent-diff", "bandwidth-diff") and "steps=0" not in spec


def cover_crop(image: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Scale ``[3, H, W]`` (only if needed) to cover height x width, then center-crop to it."""
    scale = max(height / image.shape[1], width / image.shape[2])
    if scale != 1:
        size = (max(height, round(image.shape[1] * scale)), max(width, round(image.shape[2] * scale)))
        image = torch.nn.functional.interpolate(image[None], size, mode="bilinear", antialias=True)[0]
    top, left = (image.shape[1] - height) // 2, (image.shape[2] - width) // 2
    return image[:, top:top + height, left:left + width]


def load_images(data: str | None, limit: int | None, quick: bool, crop: str | None = None) -> tuple[torch.Tensor, str]:
    """uint8 [N, 3, 512, 768] test images (128x192 crops with ``quick``, centre HxW crops with ``crop``) and a
    line saying what they are."""
    shared = os.environ.get("SEMCOM_SHARED")
    candidates = [data] if data else [os.environ.get("SEMCOM_DATA"), shared and str(Path(shared) / "data"),
                                      str(HERE.parents[1] / "shared" / "data")]
    root = next((Path(c) for c in candidates if c and (Path(c) / "kodak").is_dir()), None)
    if root is not None:
        dataset, source = get_dataset("kodak", data_dir=root, limit=limit), f"kodak ({root / 'kodak'})"
    else:
        dataset = get_dataset("samples", limit=limit)
        source = (f"scikit-image sample photos resized to cover 768x512 and center-cropped (no Kodak found "
                  f"under {', '.join(c for c in candidates if c)})")
        print(f"NOTE: {source}", file=sys.stderr)
    images = []
    for index in range(min(len(dataset), 2) if quick else len(dataset)):
        image = dataset[index].image
        image = image.transpose(1, 2) if image.shape[1] > image.shape[2] else image  # portrait -> landscape
        images.append(to_uint8(cover_crop(image, 512, 768)))
    stack = torch.stack(images)
    if quick:
        stack, source = stack[:, :, 192:320, 288:480].contiguous(), source + ", center 128x192 (--quick)"
    elif crop:
        height, width = (int(v) for v in crop.lower().split("x"))
        top, left = (512 - height) // 2, (768 - width) // 2
        stack = stack[:, :, top:top + height, left:left + width].contiguous()
        source += f", center {height}x{width} (--crop)"
    return stack, source


def run_case(request: dict, workdir: Path) -> dict:
    """Runs benchmarks/speed_case.py on ``request``; its result, or {"error": last line of its stderr}."""
    request_path, result_path = workdir / "request.json", workdir / "result.json"
    request_path.write_text(json.dumps(request))
    result_path.unlink(missing_ok=True)
    threads = str(request["threads"])
    env = {**os.environ, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
    done = subprocess.run([sys.executable, str(HERE / "speed_case.py"), str(request_path), str(result_path)],
                          check=False, env=env, capture_output=True, text=True)
    if done.returncode != 0 or not result_path.exists():
        lines = [line for line in done.stderr.splitlines() if line.strip()] or [f"exit code {done.returncode}"]
        return {"error": lines[-1].strip()}
    return json.loads(result_path.read_text())


def markdown(rows: list[dict], batch_sizes: list[int]) -> str:
    def num(value, digits):
        return "—" if value is None else f"{value:.{digits}f}"

    cuda = any(r.get("peak_cuda_mib") for r in rows)
    memory = "peak_cuda_mib" if cuda else "peak_rss_mib"
    head = (["scheme", "rho", "precision", "reverse", "U-Net evals/img", "latency p50 s", "latency p90 s"]
            + [f"img/s @{b}" for b in batch_sizes] + [f"{'GPU' if cuda else 'peak'} MiB @{b}" for b in batch_sizes])
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in rows:
        latency = r["latency_s"] or {}
        reverse = r.get("reverse", "batched") if has_reverse_process(r["spec"]) else "—"
        cells = ([r["label"], r["rho"], r["precision"], reverse, num(r["denoise_steps"], 0),
                  num(latency.get("p50"), 3), num(latency.get("p90"), 3)]
                 + [num(r["images_per_s"].get(str(b)), 2) for b in batch_sizes]
                 + [num(r.get(memory, {}).get(str(b)), 0) for b in batch_sizes])
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def describe(document: dict) -> str:
    """The markdown table of a ``schemes_speed/1`` document, with its setup, skipped schemes and failures."""
    meta = document["meta"]
    images = meta["images"]
    lines = ["", markdown(document["results"], meta["batch_sizes"]), "",
             f"{images['count']} images ({images['height']}x{images['width']}) from {images['source']}; "
             f"{meta['repeats']} repeat(s); {meta['channel']} at {meta['snr_db']:g} dB; "
             f"{meta['threads']} thread(s); device {meta.get('device', 'cpu')}"
             + (f" ({meta['gpu']})" if meta.get("gpu") else "")
             + f"; CPU: {meta.get('cpu', 'not recorded')}; torch {meta['torch']}; {meta['date']}.",
             f"Memory: {meta['memory']}."]
    lines += [f"skipped {s['label']}: {s['reason']}" for s in document["skipped"]]
    lines += [f"FAILED {r['label']} {r['precision']} {r.get('reverse', 'batched')} batch {batch}: {error}"
              for r in document["results"] for batch, error in r["errors"].items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="data root holding kodak/ (default: $SEMCOM_DATA, ../shared/data)")
    parser.add_argument("--schemes", default=None, help="comma-separated scheme specs (default: every shipped scheme)")
    parser.add_argument("--precision", default="fp32,bf16")
    parser.add_argument("--batch-sizes", default="1,8")
    parser.add_argument("--repeats", type=int, default=3, help="passes over the images per case")
    parser.add_argument("--images", type=int, default=None, help="use the first N images (default: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--snr-db", type=float, default=10.0)
    parser.add_argument("--channel", default="awgn")
    parser.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N")
    parser.add_argument("--reverse", default="batched",
                        help="batched,per-image: also time the former one-image-at-a-time reverse process")
    parser.add_argument("--out", default=str(HERE / "out" / "schemes_speed.json"))
    parser.add_argument("--crop", default=None, metavar="HxW", help="centre crops of the 768x512 images, e.g. 192x192")
    parser.add_argument("--quick", action="store_true", help="smoke run: one scheme per family, 1 repeat, small images")
    parser.add_argument("--show", default=None, metavar="JSON", help="print the table of a written JSON file and exit")
    args = parser.parse_args()
    if args.show:
        print(describe(json.loads(Path(args.show).read_text())))
        return
    precisions, batch_sizes = args.precision.split(","), [int(b) for b in args.batch_sizes.split(",")]
    if args.schemes:
        cases, skipped = [Case(spec, spec) for spec in split_specs(args.schemes)], []
    else:
        cases, skipped = default_schemes()
    repeats = 1 if args.quick else args.repeats
    if args.quick:
        cases = [c for i, c in enumerate(cases) if family(c.spec) not in {family(d.spec) for d in cases[:i]}]
    images, source = load_images(args.data, args.images, args.quick, args.crop)

    skipped += [{"label": c.label, "spec": c.spec, "reason": "bf16 not run: no network, autocast changes nothing"}
                for c in cases if "bf16" in precisions and not has_network(c.spec)]
    device = str(resolve_device(args.device))
    reverses = args.reverse.split(",")
    work = [(c, p, r, b) for c in cases for p in precisions if p == "fp32" or has_network(c.spec)
            for r in reverses if r == "batched" or has_reverse_process(c.spec) for b in batch_sizes]
    rows: dict[tuple[str, str, str], dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        torch.save(images, Path(tmp) / "images.pt")
        for case, precision, reverse, batch in (bar := tqdm(work, unit="case")):
            bar.set_postfix_str(f"{case.label} {precision} {reverse} batch {batch}")
            row = rows.setdefault((case.spec, precision, reverse), {
                "label": case.label, "spec": case.spec, "rho": case.rho, "precision": precision, "reverse": reverse,
                "denoise_steps": None, "channel_uses": None, "latency_s": None, "images_per_s": {},
                "peak_rss_mib": {}, "peak_cuda_mib": {}, "baseline_rss_mib": None, "errors": {}})
            result = run_case({"spec": case.spec, "precision": precision, "batch": batch, "repeats": repeats,
                               "images": str(Path(tmp) / "images.pt"), "threads": args.threads,
                               "snr_db": args.snr_db, "channel": args.channel, "device": device,
                               "reverse": reverse}, Path(tmp))
            if "error" in result:
                row["errors"][str(batch)] = result["error"]
                continue
            seconds = result["seconds"]
            row["images_per_s"][str(batch)] = batch * len(seconds) / sum(seconds)
            row["peak_rss_mib"][str(batch)] = result["peak_rss_mib"]
            if result.get("peak_cuda_mib") is not None:
                row["peak_cuda_mib"][str(batch)] = result["peak_cuda_mib"]
            row["baseline_rss_mib"] = result["baseline_rss_mib"]
            row["denoise_steps"], row["channel_uses"] = result["denoise_steps"], result["channel_uses"]
            row["rho"] = row["rho"] or f"1/{result['source_size'] / result['channel_uses']:.3g}"
            if batch == 1:
                row["latency_s"] = {"p50": quantile(seconds, 0.5), "p90": quantile(seconds, 0.9),
                                    "samples": len(seconds)}

    results = list(rows.values())
    meta = {"threads": args.threads, "repeats": repeats, "snr_db": args.snr_db, "channel": args.channel,
            "precisions": precisions, "batch_sizes": batch_sizes, "device": device,
            "gpu": torch.cuda.get_device_name(device) if device.startswith("cuda") else None,
            "images": {"source": source, "count": len(images), "height": images.shape[2], "width": images.shape[3]},
            "memory": MEMORY_NOTE, "torch": torch.__version__, "python": platform.python_version(),
            "platform": platform.platform(), "cpu": cpu_description(),
            "date": datetime.datetime.now().isoformat(timespec="seconds")}
    document = {"schema": "schemes_speed/2", "meta": meta, "skipped": skipped, "results": results}
    print(describe(document))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
