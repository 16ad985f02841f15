"""Seconds per Kodak-sized image (768×512) for the parts of latent-diff: encode, one de-noising step (one
U-Net evaluation), decode; fp32 and bf16 autocast; and U-Net evaluations per image for each receiver.

Usage: python benchmarks/latent_diff_speed.py [--threads 2] [--repeats 3] [--precision fp32,bf16] [--json out.json]
Speed does not depend on the weights, so freshly initialised models of the shipped configs are timed
(TAEF2 is timed only when its weights are found; the 32-channel de-noiser config is the shipped one for
every codec). Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import torch
from timing import cpu_description, median_seconds

from semcom.channels import snr_db_to_noise_var
from semcom.codecs.latent_vae import LatentVAE, LatentVAEConfig
from semcom.diffusion import DenoiserConfig, LatentDenoiser, ReverseConfig, matched_step, timesteps_from

RECEIVERS = [ReverseConfig("ddpm", "fixed", n) for n in (15, 30, 45, 60)] + [
    ReverseConfig(sampler, "matched", n) for sampler, n in (("ddim", 10), ("ddim", 20), ("ddpm", 1000))]


SHIPPED_VAE = LatentVAEConfig(latent_channels=4, widths=(16, 32, 64, 128))  # latent-diff-vae-f8c4-rho1_96


def codecs():
    yield "table-1 VAE f8 c4 (rho 1/96)", LatentVAE(SHIPPED_VAE)
    try:
        from semcom.codecs import load_taef2

        yield "TAEF2 (rho 1/12)", load_taef2()
    except Exception as exc:  # weights not on this machine
        print(f"(TAEF2 skipped: {exc})")


def evaluations(receiver: ReverseConfig, snr_db: float) -> int:
    if receiver.start == "fixed":
        return receiver.steps
    return len(timesteps_from(int(matched_step(snr_db_to_noise_var(snr_db))), receiver.steps))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--precision", default="fp32,bf16", help="comma-separated: fp32, bf16 (autocast)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    image = torch.rand(1, 3, 512, 768)
    cpu = cpu_description()
    print(f"CPU: {cpu}")
    rows = []
    for name, codec in codecs():
        codec = codec.eval()
        with torch.no_grad():
            latent = codec.encode(image)
        with torch.random.fork_rng():
            torch.manual_seed(0)
            denoiser = LatentDenoiser(DenoiserConfig(latent_channels=codec.latent_channels)).eval()
        for bf16 in [p.strip() == "bf16" for p in args.precision.split(",")]:
            def autocast():
                return torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16)

            def encode():
                with torch.no_grad(), autocast():
                    codec.encode(image)

            def step():
                with torch.no_grad(), autocast():
                    denoiser(latent, torch.tensor([100]))

            def decode():
                with torch.no_grad(), autocast():
                    codec.decode(latent)

            row = {"codec": name, "dtype": "bf16" if bf16 else "fp32", "threads": args.threads, "cpu": cpu,
                   "encode_s": median_seconds(encode, args.repeats),
                   "denoise_step_s": median_seconds(step, args.repeats),
                   "decode_s": median_seconds(decode, args.repeats)}
            rows.append(row)
            print(f"{name:<30} {row['dtype']:<5} encode {row['encode_s']:7.3f} s  de-noise step "
                  f"{row['denoise_step_s']:7.3f} s  decode {row['decode_s']:7.3f} s", flush=True)
    print("\nU-Net evaluations per image")
    print(f"{'receiver':<34}" + "".join(f"{s:>8} dB" for s in (-5, 0, 10, 20, 30)))
    for receiver in RECEIVERS:
        label = f"{receiver.sampler} {receiver.start} steps={receiver.steps}"
        print(f"{label:<34}" + "".join(f"{evaluations(receiver, s):>11}" for s in (-5, 0, 10, 20, 30)))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1)


if __name__ == "__main__":
    main()
