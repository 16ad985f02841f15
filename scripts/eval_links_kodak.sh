#!/usr/bin/env bash
# Kodak (24 images) over realistic links through Sionna PHY (issue 25): OFDM over 3GPP TDL-A (100 ns) and
# TDL-C (300 ns) with LS channel estimation from 2 pilot OFDM symbols per slot and LMMSE equalization, and
# 2x2 MIMO spatial multiplexing (i.i.d. Rayleigh, one H per image, LMMSE). Schemes: ADJSCC, DeepJSCC@10,
# Latent-Diff DNSC (project VAE), bandwidth-diff (paper B, TAEF2) at rho 1/48, and HEIF + 5G NR LDPC with
# budget=data: all five send 24576 data symbols per Kodak image and get the same channel uses on air (36 OFDM
# slots = 40320 uses, rho 35/1024 on air; over 2x2 MIMO 12288 uses, 1/96). Resumable (re-run after a kill).
#
# Usage: bash scripts/eval_links_kodak.sh [DATA_DIR] [OUT_DIR] [REALIZATIONS] [SNR_GRID]
set -euo pipefail
DATA=${1:-../shared/data}
OUT=${2:-docs/results/links}
N=${3:-2}
SNR=${4:-0:20:5}
ANALOG=(-s adjscc:weights=adjscc-snr0to28-rho1_48 -s deepjscc:weights=deepjscc-snr10-rho1_48
   -s latent-diff:codec=latent-diff-vae-f8c8-rho1_48,denoiser=latent-diff-denoiser-vae-f8c8-rho1_48,sampler=ddim,start=matched,steps=5
   -s bandwidth-diff:compressor=bandwidth-diff-taef2-rho1_48,denoiser=latent-diff-denoiser-taef2,sampler=ddim,start=matched,steps=5)
mkdir -p "$OUT"
# What ADJSCC is told over these links: the average SNR (default) or the effective SNR after equalization.
RULES="$OUT/adjscc_snr_input.csv"
semcom evaluate -s adjscc:weights=adjscc-snr0to28-rho1_48 -s adjscc:weights=adjscc-snr0to28-rho1_48,snr_input=effective \
  --dataset kodak --data "$DATA" --snr-db 0:20:10 --realizations "$N" --metrics psnr,ssim -o "$RULES" \
  -c "ofdm:model=tdl-a,delay_spread=1e-07,csi=ls,pilots=2,eq=lmmse" -c "mimo:nt=2,nr=2,eq=lmmse" \
  -c "rayleigh:coherence=image,csi=ls,eq=mmse,pilots=8,snr=pilot"
semcom summary "$RULES" --metrics psnr,ssim --markdown "$OUT/adjscc_snr_input.md"
run() {  # name, channel
  local csv="$OUT/kodak_$1.csv"
  semcom evaluate "${ANALOG[@]}" -s "heif+nr-ldpc:rho=1/48,budget=data" --dataset kodak --data "$DATA" --snr-db "$SNR" \
    -c "$2" --realizations "$N" --metrics psnr,ssim -o "$csv"
  semcom summary "$csv" --metrics psnr,ssim --markdown "$OUT/kodak_$1.md"
  semcom plot "$csv" --metrics psnr,ssim --out "$OUT/kodak_$1.png"
}
run ofdm_tdl_a "ofdm:model=tdl-a,delay_spread=1e-07,csi=ls,pilots=2,eq=lmmse"
run ofdm_tdl_c "ofdm:model=tdl-c,delay_spread=3e-07,csi=ls,pilots=2,eq=lmmse"
run mimo_2x2 "mimo:nt=2,nr=2,eq=lmmse"
