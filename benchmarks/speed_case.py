"""One case of schemes_speed.py (a scheme spec, a precision, a batch size), run in a process of its own so
that the peak memory it reports belongs to that case alone.

Usage (schemes_speed.py calls it): python benchmarks/speed_case.py REQUEST.json RESULT.json
REQUEST: {"spec", "precision": "fp32" | "bf16", "batch", "images": path of a torch-saved uint8 [N, 3, H, W]
          tensor, "repeats", "threads", "snr_db", "channel", "device": "cpu" | "cuda" | "cuda:N",
          "reverse": "batched" | "per-image"}
RESULT:  {"seconds": [wall time of each timed transmit call], "batch", "denoise_steps", "channel_uses",
          "source_size", "baseline_rss_mib", "peak_rss_mib", "peak_cuda_mib" (null on the CPU)}

``reverse="per-image"`` runs the reverse process one image at a time inside each batch, as semcom did before
issue 23 (the same steps per image, so the same numbers): the batched receiver's baseline. On CUDA each
timed call ends with ``torch.cuda.synchronize()``.

Each repeat sends every stored image once, in batches of ``batch`` (the last batch wraps around to the first
images so that every call has exactly ``batch`` images). One untimed warm-up call comes first.
"""

from __future__ import annotations

import json
import resource
import sys

import torch
from timing import timed

from semcom.channels import ChannelSpec
from semcom.data import pad_to_multiple
from semcom.schemes import create_scheme


def max_rss_mib() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


class UniqueBatches:
    """Batches of the stored images in which every image is new to the scheme: a running counter is added
    (mod 256) to two pixel values. The digital codecs cache encoded files per image, so without this a
    repeat would be faster than a first call."""

    def __init__(self, images: torch.Tensor) -> None:
        self.images, self.count = images, 0

    def __call__(self, start: int, size: int) -> torch.Tensor:
        picks = [(start + i) % len(self.images) for i in range(size)]
        batch = self.images[picks].to(torch.int16)
        for image in batch:
            self.count += 1
            image[0, 0, 0] += self.count % 256
            image[0, 0, 1] += self.count // 256
        return (batch % 256).float() / 255


def per_image_reverse() -> None:
    """Replace the batched reverse process by a loop over images (the receiver before issue 23)."""
    import semcom.diffusion.sampling as sampling
    import semcom.schemes.bandwidth_diff as bandwidth_diff

    batched = sampling.denoise_from

    def loop(denoiser, sample, starts, counts, sampler, schedule=sampling.ScheduleConfig(), generator=None):
        parts = [batched(denoiser, sample[i:i + 1], starts[i:i + 1], counts[i:i + 1], sampler, schedule, generator)
                 for i in range(sample.shape[0])]
        return sampling.ReverseResult(torch.cat([p.latents for p in parts]), list(starts),
                                      [p.evaluations[0] for p in parts])

    sampling.denoise_from = bandwidth_diff.denoise_from = loop


def run(request: dict) -> dict:
    torch.set_num_threads(request["threads"])
    device = torch.device(request.get("device", "cpu"))
    if request.get("reverse", "batched") == "per-image":
        per_image_reverse()
    images = torch.load(request["images"], weights_only=True)
    baseline = max_rss_mib()
    scheme = create_scheme(request["spec"], device=device, precision=request["precision"])
    channel = ChannelSpec.parse(request["channel"])
    batches, size = UniqueBatches(images), request["batch"]

    def send(start: int, seed: int):
        padded, _ = pad_to_multiple(batches(start, size).to(device), scheme.size_multiple)
        generator = torch.Generator().manual_seed(seed)

        def call():
            with torch.no_grad(), scheme.autocast():
                sent = scheme.transmit(padded, request["snr_db"], channel, generator)
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            return sent

        return timed(call)

    sent, _ = send(0, 0)
    starts = range(0, len(images), size)
    seconds = [send(start, 1 + r * len(starts) + i)[1]
               for r in range(request["repeats"]) for i, start in enumerate(starts)]
    return {"seconds": seconds, "batch": size, "denoise_steps": int(sent.denoise_steps),
            "channel_uses": int(sent.channel_uses), "source_size": int(sent.source_size),
            "baseline_rss_mib": baseline, "peak_rss_mib": max_rss_mib(),
            "peak_cuda_mib": torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None}


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        result = run(json.load(handle))
    with open(sys.argv[2], "w") as handle:
        json.dump(result, handle)
