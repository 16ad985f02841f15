#!/usr/bin/env bash
# Train and ship paper B's compressor pairs (downsampler + SNR-conditioned VAE upsampler) on TAEF2 latents
# at rho 1/24, 1/48 and 1/96, plus the two training ablations at rho 1/48 (no guidance loss; deterministic
# upsampler without reparameterization). One set of weights per rho covers SNR -5..30 dB. Resumable;
# finished runs are skipped. The TAEF2 latents are shared with scripts/train_latent_zoo.sh (RUNS/cache).
#
# Usage: bash scripts/train_bandwidth_zoo.sh [DATA_DIR] [RUNS_DIR]
set -euo pipefail
DATA=${1:-../shared/data}
RUNS=${2:-runs/latent}
COMMON=(--codec taef2 --steps 2000 --batch-size 16 --crop 16 --latent-cache "$RUNS/cache")

run() {  # run NAME ARGS...
  local name=$1; shift
  if [ ! -f "$RUNS/$name/final/weights.safetensors" ]; then
    semcom train bandwidth-diff --out "$RUNS/$name" --data "$DATA" "${COMMON[@]}" "$@"
  fi
  semcom zoo add --zoo src/semcom/zoo "$RUNS/$name/final" --name "$name"
}

run bandwidth-diff-taef2-rho1_24 --channels 16
run bandwidth-diff-taef2-rho1_48 --channels 8
run bandwidth-diff-taef2-rho1_96 --channels 4
run bandwidth-diff-taef2-rho1_48-noguidance --channels 8 --guidance-weight 0
run bandwidth-diff-taef2-rho1_48-deterministic --channels 8 --no-reparameterize
