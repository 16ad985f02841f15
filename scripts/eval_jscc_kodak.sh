#!/usr/bin/env bash
# Kodak over AWGN, SNR -5..30 dB: the six shipped JSCC baselines and jpeg+capacity (the separation bound)
# at rho 1/12 and 1/48. Resumable (re-run after a kill continues). Writes the results CSV, the Markdown
# tables (one per rho and metric) and the PSNR/SSIM-vs-SNR figures under docs/results/.
#
# Usage: bash scripts/eval_jscc_kodak.sh [DATA_DIR] [RESULTS_CSV]
set -euo pipefail
DATA=${1:-../shared/data}
CSV=${2:-docs/results/jscc_kodak_awgn.csv}
S=()
for d in 12 48; do
  for m in deepjscc-snr10 deepjscc-snr20 adjscc-snr0to28; do S+=(-s "${m%%-*}:weights=$m-rho1_$d"); done
  S+=(-s "jpeg+capacity:rho=1/$d")
done
semcom evaluate "${S[@]}" --dataset kodak --data "$DATA" --snr-db -5:30:5 -c awgn --metrics psnr,ssim -o "$CSV"
semcom summary "$CSV" --metrics psnr,ssim --markdown docs/results/jscc_kodak_awgn.md
semcom plot "$CSV" --metrics psnr,ssim --out docs/results/jscc_kodak_awgn.png
