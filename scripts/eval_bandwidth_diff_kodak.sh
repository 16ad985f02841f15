#!/usr/bin/env bash
# Paper B on Kodak (first 8 images: the full-resolution TAEF2 decode is the costliest step), SNR -5..30
# dB, AWGN and block Rayleigh with MMSE equalization (perfect CSI): bandwidth-diff at rho 1/24, 1/48, 1/96
# (matched start, DDIM, at most 20 U-Net evaluations) against latent-diff on TAEF2 (PCA projection) and
# jpeg+capacity at the same rho, and DeepJSCC/ADJSCC at 1/48. Then the ablations at rho 1/48 (AWGN):
# no guidance loss, no reparameterization, and the reverse process from T (DDIM, 50 evaluations) against
# the matched start with at most 10. Resumable.
#
# Usage: bash scripts/eval_bandwidth_diff_kodak.sh [DATA_DIR] [RESULTS_DIR]
set -euo pipefail
DATA=${1:-../shared/data}
OUT=${2:-runs}
MAIN=$OUT/bandwidth_diff_kodak8.csv
ABLATION=$OUT/bandwidth_diff_ablations_kodak8.csv
GRID=(--dataset kodak --data "$DATA" --limit 8 --snr-db -5:30:5 --metrics psnr,ssim,ms_ssim)
DEN=denoiser=latent-diff-denoiser-taef2

S=()
for d in 24 48 96; do
  S+=(-s "bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_$d,$DEN,steps=20" -s "jpeg+capacity:rho=1/$d")
done
for pca in taef2-pca8-rho1_48 taef2-pca4-rho1_96; do
  S+=(-s "latent-diff:codec=$pca,denoiser=latent-diff-denoiser-$pca,sampler=ddim,start=matched,steps=20")
done
for m in deepjscc-snr10 deepjscc-snr20 adjscc-snr0to28; do S+=(-s "${m%%-*}:weights=$m-rho1_48"); done
semcom evaluate "${S[@]}" "${GRID[@]}" -c awgn -c rayleigh:csi=perfect,eq=mmse -o "$MAIN"

A=(-s "bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48,$DEN,steps=20")
A+=(-s "bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48-noguidance,$DEN,steps=20")
A+=(-s "bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48-deterministic,$DEN,steps=20")
A+=(-s "bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48,$DEN,steps=10")
A+=(-s "bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48,$DEN,start=T,steps=50")
A+=(-s "bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48,steps=0")
semcom evaluate "${A[@]}" "${GRID[@]}" -c awgn -o "$ABLATION"

semcom summary "$MAIN" --metrics psnr,ssim,ms_ssim --markdown docs/results/bandwidth_diff_kodak8.md
semcom plot "$MAIN" --metrics psnr,ssim --out docs/results/bandwidth_diff_kodak8.png
semcom summary "$ABLATION" --metrics psnr,ssim --markdown docs/results/bandwidth_diff_ablations_kodak8.md
