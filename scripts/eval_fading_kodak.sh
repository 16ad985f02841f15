#!/usr/bin/env bash
# Kodak over Rayleigh block fading (one fade per image, 8 pilots, LS estimate, MMSE, pilot SNR estimate),
# many channel draws per image (issue 28): ADJSCC, DeepJSCC@10, Latent-Diff DNSC (project VAE) and
# HEIF + 802.11n LDPC, all at rho 1/48. Resumable: re-running after a kill continues where it stopped (the
# sweep is image-major, so a partial file holds every scheme on the same first images). Writes the CSV,
# the mean-PSNR and outage tables and the figures under docs/results/.
#
# Usage: bash scripts/eval_fading_kodak.sh [DATA_DIR] [RESULTS_CSV] [REALIZATIONS]
set -euo pipefail
DATA=${1:-../shared/data}
CSV=${2:-docs/results/fading/kodak_rayleigh_block.csv}
N=${3:-20}
CHANNEL="rayleigh:coherence=image,csi=ls,eq=mmse,pilots=8,snr=pilot"
S=(-s adjscc:weights=adjscc-snr0to28-rho1_48 -s deepjscc:weights=deepjscc-snr10-rho1_48
   -s latent-diff:codec=latent-diff-vae-f8c8-rho1_48,denoiser=latent-diff-denoiser-vae-f8c8-rho1_48,sampler=ddim,start=matched,steps=5
   -s heif+ldpc:rho=1/48)
mkdir -p "$(dirname "$CSV")"
semcom evaluate "${S[@]}" --dataset kodak --data "$DATA" --snr-db 0:30:10 -c "$CHANNEL" --realizations "$N" \
  --metrics psnr,ssim -o "$CSV"
semcom summary "$CSV" --metrics psnr,ssim --outage-psnr 20,25 --markdown docs/results/fading/kodak_rayleigh_block.md
semcom plot "$CSV" --metrics psnr,ssim --out docs/results/fading/kodak_rayleigh_block.png
semcom plot "$CSV" --kind outage --target 20,25 --out docs/results/fading/kodak_rayleigh_block_outage.png
