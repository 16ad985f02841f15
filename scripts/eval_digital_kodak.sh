#!/usr/bin/env bash
# Kodak, SNR -5..30 dB: the digital separation baselines (issue 27). Five image codecs (JPEG, WebP, JPEG 2000,
# AVIF, HEIF) over an ideal capacity-achieving code and over 802.11n LDPC + QAM, at rho 1/12 and 1/48 over AWGN;
# over block Rayleigh fading (perfect CSI, MMSE, 20 draws per image and SNR) at rho 1/12. Resumable: re-running
# after a kill continues where it stopped. Writes one CSV, Markdown table file and figure set per
# (link, channel) under docs/results/digital/.
#
# Usage: bash scripts/eval_digital_kodak.sh [DATA_DIR] [OUT_DIR] [REALIZATIONS]
set -euo pipefail
DATA=${1:-../shared/data}
OUT=${2:-docs/results/digital}
N=${3:-20}
CODECS=(jpeg webp jpeg2000 avif heif)
mkdir -p "$OUT"

run() {  # run NAME CHANNEL [semcom evaluate options...]; over fading, also P(PSNR < 25 dB) per point
  local name=$1 channel=$2; shift 2
  local outage=(); [ "$channel" = awgn ] || outage=(--outage-psnr 25)
  semcom evaluate "$@" --dataset kodak --data "$DATA" --snr-db -5:30:5 -c "$channel" --metrics psnr,ssim \
    -o "$OUT/$name.csv"
  semcom summary "$OUT/$name.csv" --metrics psnr,ssim "${outage[@]}" --markdown "$OUT/$name.md"
  semcom plot "$OUT/$name.csv" --metrics psnr,ssim --out "$OUT/$name.png"
  [ "$channel" = awgn ] || semcom plot "$OUT/$name.csv" --kind outage --target 25 --out "$OUT/${name}_outage.png"
}

for link in capacity ldpc; do
  S=(); for c in "${CODECS[@]}"; do for r in 1/12 1/48; do S+=(-s "$c+$link:rho=$r"); done; done
  run "${link}_awgn" awgn "${S[@]}"
done
S=(); for c in "${CODECS[@]}"; do S+=(-s "$c+capacity:rho=1/12"); done
run capacity_rayleigh rayleigh "${S[@]}" --realizations "$N"
run ldpc_rayleigh rayleigh -s jpeg+ldpc:rho=1/12 -s heif+ldpc:rho=1/12 --realizations "$N"
