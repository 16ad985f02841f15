#!/usr/bin/env bash
# Paper A's Figs. 4 and 5 on Kodak over AWGN, SNR -5..30 dB, at rho 1/48 and 1/96: latent-diff with the
# project-trained VAE, with and without the de-noiser (one set of weights for the whole grid; the receiver
# starts at the SNR-matched step, DDIM, at most 20 U-Net evaluations), against DeepJSCC@10/20 and ADJSCC
# (shipped at rho 1/48 only) and jpeg+capacity, on the first 8 images (kodim01-08; change the first --limit
# below to 24 for all images).
# TAEF2 (PCA to 8 / 4 channels; and native, rho 1/12) with and without its de-noiser runs on the first 4 images only (its
# full-resolution decoder is the costliest step); that table carries the project-VAE rows of the same 4
# images for comparison. Resumable: re-running after a kill continues both CSVs.
#
# Usage: bash scripts/eval_latent_diff_kodak.sh [DATA_DIR] [RESULTS_DIR]
set -euo pipefail
DATA=${1:-../shared/data}
OUT=${2:-runs}
MAIN=$OUT/latent_diff_kodak8_awgn.csv
TAEF2=$OUT/latent_diff_taef2_kodak4_awgn.csv
RECEIVER=sampler=ddim,start=matched,steps=20
GRID=(--dataset kodak --data "$DATA" --snr-db -5:30:5 -c awgn --metrics psnr,ssim)

S=()
for vae in vae-f8c8-rho1_48 vae-f8c4-rho1_96; do
  S+=(-s "latent-diff:codec=latent-diff-$vae,denoiser=latent-diff-denoiser-$vae,$RECEIVER")
  S+=(-s "latent-diff:codec=latent-diff-$vae,steps=0")
done
for m in deepjscc-snr10 deepjscc-snr20 adjscc-snr0to28; do S+=(-s "${m%%-*}:weights=$m-rho1_48"); done
S+=(-s "jpeg+capacity:rho=1/48" -s "jpeg+capacity:rho=1/96")
semcom evaluate "${S[@]}" "${GRID[@]}" --limit 8 -o "$MAIN"

T=(-s "latent-diff:codec=taef2,denoiser=latent-diff-denoiser-taef2,$RECEIVER" -s "latent-diff:codec=taef2,steps=0")
for pca in taef2-pca8-rho1_48 taef2-pca4-rho1_96; do
  T+=(-s "latent-diff:codec=$pca,denoiser=latent-diff-denoiser-$pca,$RECEIVER" -s "latent-diff:codec=$pca,steps=0")
done
# Project-VAE rows of images 1-4 are copied over (same row keys: the sweep skips them, values identical).
[ -f "$TAEF2" ] || python - "$MAIN" "$TAEF2" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as src, open(sys.argv[2], "w", newline="") as dst:
    reader = csv.DictReader(src)
    writer = csv.DictWriter(dst, reader.fieldnames)
    writer.writeheader()
    first4 = {f"kodim{i:02d}" for i in range(1, 5)}
    writer.writerows(r for r in reader if r["scheme"].startswith("latent-diff:codec=latent-diff-vae")
                     and r["image_id"] in first4)
PY
semcom evaluate "${T[@]}" "${S[@]:0:8}" "${GRID[@]}" --limit 4 -o "$TAEF2"

semcom summary "$MAIN" --metrics psnr,ssim --markdown docs/results/latent_diff_kodak8_awgn.md
semcom plot "$MAIN" --metrics psnr,ssim --out docs/results/latent_diff_kodak8_awgn.png
semcom summary "$TAEF2" --metrics psnr,ssim --markdown docs/results/latent_diff_taef2_kodak4_awgn.md
semcom plot "$TAEF2" --metrics psnr,ssim --out docs/results/latent_diff_taef2_kodak4_awgn.png
