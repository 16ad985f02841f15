#!/usr/bin/env bash
# Paper A's Figs. 6 and 7: PSNR/SSIM against the number of de-noising steps at 0, 10 and 20 dB (AWGN),
# for the default codec (project VAE, rho 1/96) on the first 4 Kodak images. Algorithm 2 as written
# (DDPM, fixed start N = 15/30/45/60) and the SNR-matched start (DDIM with 1..50 steps; DDPM with every
# step from u), plus the no-de-noiser point (steps = 0). Resumable.
#
# Usage: bash scripts/sweep_denoise_steps.sh [DATA_DIR] [RESULTS_CSV]
set -euo pipefail
DATA=${1:-../shared/data}
CSV=${2:-runs/latent_diff_steps.csv}
BASE=latent-diff:codec=latent-diff-vae-f8c4-rho1_96,denoiser=latent-diff-denoiser-vae-f8c4-rho1_96
S=(-s "$BASE,steps=0")
for n in 15 30 45 60; do S+=(-s "$BASE,sampler=ddpm,start=fixed,steps=$n"); done
for n in 1 2 5 10 20 50; do S+=(-s "$BASE,sampler=ddim,start=matched,steps=$n"); done
S+=(-s "$BASE,sampler=ddpm,start=matched,steps=1000")
semcom evaluate "${S[@]}" --dataset kodak --data "$DATA" --limit 4 --snr-db 0,10,20 -c awgn --metrics psnr,ssim -o "$CSV"
semcom summary "$CSV" --metrics psnr,ssim --markdown docs/results/latent_diff_steps.md
semcom plot "$CSV" --kind steps --metrics psnr,ssim --out docs/results/latent_diff_steps.png
