#!/usr/bin/env bash
# Paper A's Figs. 4 and 5 on Kodak over AWGN, SNR -5..30 dB, at rho 1/48 and 1/96: latent-diff with the
# project-trained VAE and with TAEF2 (PCA to 8 / 4 channels), each with and without the de-noiser (one set
# of weights for the whole grid; the receiver starts at the SNR-matched step, DDIM, at most 20 U-Net
# evaluations), against DeepJSCC@10/20 and ADJSCC (shipped at 1/48 only) and jpeg+capacity.
# Resumable: re-running after a kill continues the CSV. Writes the Markdown tables and the figures.
#
# Usage: bash scripts/eval_latent_diff_kodak.sh [DATA_DIR] [RESULTS_CSV]
set -euo pipefail
DATA=${1:-../shared/data}
CSV=${2:-runs/latent_diff_kodak_awgn.csv}
RECEIVER=sampler=ddim,start=matched,steps=20
S=()
for pair in "vae-f8c8-rho1_48 taef2-pca8-rho1_48" "vae-f8c4-rho1_96 taef2-pca4-rho1_96"; do
  read -r vae pca <<<"$pair"
  S+=(-s "latent-diff:codec=latent-diff-$vae,denoiser=latent-diff-denoiser-$vae,$RECEIVER")
  S+=(-s "latent-diff:codec=latent-diff-$vae,steps=0")
  S+=(-s "latent-diff:codec=$pca,denoiser=latent-diff-denoiser-$pca,$RECEIVER")
  S+=(-s "latent-diff:codec=$pca,steps=0")
done
for m in deepjscc-snr10 deepjscc-snr20 adjscc-snr0to28; do S+=(-s "${m%%-*}:weights=$m-rho1_48"); done
S+=(-s "jpeg+capacity:rho=1/48" -s "jpeg+capacity:rho=1/96")
semcom evaluate "${S[@]}" --dataset kodak --data "$DATA" --snr-db -5:30:5 -c awgn --metrics psnr,ssim -o "$CSV"
semcom summary "$CSV" --metrics psnr,ssim --markdown docs/results/latent_diff_kodak_awgn.md
semcom plot "$CSV" --metrics psnr,ssim --out docs/results/latent_diff_kodak_awgn.png
