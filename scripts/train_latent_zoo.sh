#!/usr/bin/env bash
# Train and ship the latent-diff (paper A) weights of issue 5: the de-noiser on TAEF2 latents (rho 1/12),
# the PCA projections of TAEF2 to 8 and 4 channels (rho 1/48, 1/96) with their de-noisers, and the
# project-trained Table I VAEs (f8 c4: rho 1/96, f8 c8: rho 1/48) with theirs. Every training run resumes
# from RUNS/<name>/checkpoint.pt after a kill; finished runs are skipped. Codec latents are encoded once
# into RUNS/cache and shared by every run on the same codec.
#
# Needs TAEF2's weights (../shared/weights/taef2, or $SEMCOM_TAEF2 / $SEMCOM_SHARED).
# Usage: bash scripts/train_latent_zoo.sh [DATA_DIR] [RUNS_DIR]
set -euo pipefail
DATA=${1:-../shared/data}
RUNS=${2:-runs/latent}
CACHE=(--latent-cache "$RUNS/cache")

run() {  # run NAME COMMAND ARGS...: train (or fit) into RUNS/NAME unless finished, then ship it
  local name=$1 command=$2; shift 2
  if [ ! -f "$RUNS/$name/final/weights.safetensors" ]; then
    semcom train "$command" --out "$RUNS/$name" --data "$DATA" "$@"
  fi
  semcom zoo add "$RUNS/$name/final" --name "$name"
}

DENOISER=(--batch-size 16 --crop 16 --lr 3e-4 --validate-every 1000 "${CACHE[@]}")
run latent-diff-denoiser-taef2 latent-diff-denoiser --codec taef2 --steps 3000 "${DENOISER[@]}"

for k in 8 4; do
  rho=$([ "$k" = 8 ] && echo 1_48 || echo 1_96)
  run "taef2-pca$k-rho$rho" latent-projection --codec taef2 --channels "$k" "${CACHE[@]}"
  run "latent-diff-denoiser-taef2-pca$k-rho$rho" latent-diff-denoiser --codec "taef2-pca$k-rho$rho" \
    --steps 1500 --init-from latent-diff-denoiser-taef2 "${DENOISER[@]}"
done

# Table I layout with a narrow first level (16 channels at full resolution); its wall time is in the manifest
VAE=(--batch-size 8 --crop 96 --widths 16,32,64,128 --validate-every 500)
run latent-diff-vae-f8c4-rho1_96 latent-diff-vae --latent-channels 4 --steps 1000 --adv-start 600 "${VAE[@]}"
# f8 c8 starts from f8 c4's tensors and trains mostly on reconstruction: a fixed adversarial weight of 0.05
# doubled f8 c4's reconstruction MSE once it started (log.csv), so here the adversarial term is 0.002 and late.
run latent-diff-vae-f8c8-rho1_48 latent-diff-vae --latent-channels 8 --steps 4000 --lr 3e-4 \
  --adv-start 3200 --adv-weight 0.002 --init-from latent-diff-vae-f8c4-rho1_96 "${VAE[@]}"
for cfg in f8c4-rho1_96 f8c8-rho1_48; do
  run "latent-diff-denoiser-vae-$cfg" latent-diff-denoiser --codec "latent-diff-vae-$cfg" --steps 1000 \
    --init-from latent-diff-denoiser-taef2 "${DENOISER[@]}"
done
