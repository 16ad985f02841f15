#!/usr/bin/env bash
# Train every shipped model family with its GPU recipe (scripts/gpu_recipes.json) on one GPU, then compare
# it with the shipped CPU-trained model before anything is added to the zoo. The CPU recipes
# (train_jscc_zoo.sh, train_latent_zoo.sh, train_bandwidth_zoo.sh) stay what the shipped weights came from.
#
# Every run resumes from RUNS/<name>/checkpoint.pt after a kill, and a finished run is skipped. The de-noiser
# trains on the latents of the VAE trained just before it. Expected hours per run on a GPU: docs/results/
# gpu_recipes.md (from benchmarks/train_throughput.py).
#
# Usage: bash scripts/train_gpu_zoo.sh DATASET [RUNS_DIR] [NAME ...]
#   DATASET: a --dataset value: image folders, comma-separated (DIV2K_train_HR, CLIC's professional and
#            mobile train sets are the recommended set; BSDS500's bsds500-train works, with fewer images).
#   NAME: only these recipes (default: all, in the file's order).
# Environment: SEMCOM_DATA (the data root with bsds500/, for the validation crops), DEVICE (default cuda).
set -euo pipefail
dataset=${1:?usage: train_gpu_zoo.sh DATASET [RUNS_DIR] [NAME ...]}
runs=${2:-runs/gpu}
shift $(( $# < 2 ? $# : 2 ))
here=$(cd "$(dirname "$0")" && pwd)
names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(python3 "$here/gpu_recipes.py" --names)
codec=$runs/latent-diff-vae-f8c4-rho1_96/final  # the de-noiser's codec: the VAE trained before it

for name in "${names[@]}"; do
  mapfile -t args < <(python3 "$here/gpu_recipes.py" "$name" "$dataset" "$codec")
  [ ${#args[@]} -gt 0 ] || exit 2
  if [ ! -f "$runs/$name/final/weights.safetensors" ]; then
    echo "+ semcom train ${args[*]} --out $runs/$name --device ${DEVICE:-cuda}"
    semcom train "${args[@]}" --out "$runs/$name" --device "${DEVICE:-cuda}"
  fi
done
echo "trained: ${names[*]} in $runs; compare with the shipped models (docs/results/gpu_recipes.md) before semcom zoo add --zoo src/semcom/zoo"
