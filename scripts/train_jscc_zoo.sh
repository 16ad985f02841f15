#!/usr/bin/env bash
# Train the six shipped JSCC baselines of issue 4 and add them to the zoo (src/semcom/zoo/weights/).
# Every step resumes from RUNS/<name>/checkpoint.pt, so re-running after a kill continues where it stopped;
# a finished run is skipped. Order matters: the 20 dB and rho = 1/48 models are warm-started (fine-tuned)
# from earlier ones, and each manifest entry records its source under init_from.
#
# Usage: bash scripts/train_jscc_zoo.sh [DATA_DIR] [RUNS_DIR]
set -euo pipefail
DATA=${1:-../shared/data}
RUNS=${2:-runs/jscc}
COMMON=(--data "$DATA" --batch-size 8 --crop 128 --width 64)

train() {  # train NAME ARCH ARGS...: train into RUNS/NAME unless finished
  local name=$1 arch=$2; shift 2
  if [ ! -f "$RUNS/$name/final/weights.safetensors" ]; then
    semcom train "$arch" --out "$RUNS/$name" "${COMMON[@]}" "$@"
  fi
}

run() {  # run NAME ARCH ARGS...: train into RUNS/NAME, then ship it under NAME
  train "$@"
  semcom zoo add --zoo src/semcom/zoo "$RUNS/$1/final" --name "$1"
}

run deepjscc-snr10-rho1_12  deepjscc --channels 8 --snr-db 10   --steps 5000
run deepjscc-snr10-rho1_48  deepjscc --channels 2 --snr-db 10   --steps 1500 --lr 5e-4 --init-from deepjscc-snr10-rho1_12

# Stage 2 of DeepJSCC@10 rho = 1/12 (session 7, on a Xeon with AMX, where bf16 autocast trains ~2x faster than
# fp32: docs/results/speed.md): continue the stage-1 weights above. They run after the rho = 1/48 fine-tune,
# which keeps the stage-1 source it was made from. (Earlier sessions also fine-tuned DeepJSCC@20 and ADJSCC in
# stage 1 and later; the shipped models no longer descend from those runs, so they are gone.)
BF16=(--bf16 --validate-every 1000)
train deepjscc-snr10-rho1_12-ft deepjscc --channels 8 --snr-db 10 --steps 10000 --lr 5e-4 "${BF16[@]}" \
  --init-from "$RUNS/deepjscc-snr10-rho1_12/final"

# dj_pair RHO STAGE CHANNELS STEPS@10 STEPS@20 SOURCE: DeepJSCC@10 continued from SOURCE at lr 3e-4, then
# DeepJSCC@20 fine-tuned from it; runs RUNS/deepjscc-snr{10,20}-RHO-STAGE, shipped as deepjscc-snr{10,20}-RHO.
dj_pair() {
  local rho=$1 stage=$2 channels=$3 steps10=$4 steps20=$5 source=$6
  local dj=(deepjscc --channels "$channels" --lr 3e-4 "${BF16[@]}")
  train "deepjscc-snr10-$rho-$stage" "${dj[@]}" --snr-db 10 --steps "$steps10" --init-from "$source"
  train "deepjscc-snr20-$rho-$stage" "${dj[@]}" --snr-db 20 --steps "$steps20" \
    --init-from "$RUNS/deepjscc-snr10-$rho-$stage/final"
  for snr in 10 20; do
    semcom zoo add --zoo src/semcom/zoo "$RUNS/deepjscc-snr$snr-$rho-$stage/final" --name "deepjscc-snr$snr-$rho"
  done
}

# Stage 3 (session 8, same AMX Xeon): a warm restart of the stage-2 model at a lower learning rate, using
# what was left of each model's two-CPU-hour budget. DeepJSCC@20 is again a fine-tune of the new DeepJSCC@10,
# so its lineage (DeepJSCC@10's 100 min + its own) stays inside the budget too.
dj_pair rho1_12 ft2 8 28000 6000 "$RUNS/deepjscc-snr10-rho1_12-ft/final"

# Stage 2 of the rho = 1/48 DeepJSCC models (session 10, bf16 on the AMX Xeon): DeepJSCC@10 continues its
# stage-1 weights, and DeepJSCC@20 is then a fine-tune of it, as at rho = 1/12.
dj_pair rho1_48 ft 2 12000 3000 "$RUNS/deepjscc-snr10-rho1_48/final"

# ADJSCC, retrained (sessions 9-11; it replaces the stage-1 ADJSCC models of both rhos and sessions 7-8's
# continuations of them), with three changes (jscc.md, "ADJSCC, retrained"; the first and last were tried in
# short runs): a 300-step warm-up (at lr 1e-3 without one, a from-scratch run at 10 dB collapsed to a latent
# that does not depend on the image: scripts/jscc_collapse_check.py), log-MSE (mean PSNR, so the high SNRs of
# the range are not drowned out by the low ones) and AF gates that start open (--af-gate-bias 3).
ADJ=(adjscc --snr-db 0:28 --loss log-mse --af-gate-bias 3 "${BF16[@]}")
# Session 9's 20,000-step run from scratch. Since session 11 it is only the source of the rho = 1/48 model.
train adjscc-snr0to28-rho1_12-v3 "${ADJ[@]}" --channels 8 --steps 20000 --lr 5e-4 --warmup 300
# rho = 1/48 (session 10): fine-tuned from that run, whose 85 min count towards its budget; the layers whose
# shape depends on the latent channels start fresh.
train adjscc-snr0to28-rho1_48-v3 "${ADJ[@]}" --channels 2 --steps 8000 --lr 3e-4 --warmup 200 \
  --init-from "$RUNS/adjscc-snr0to28-rho1_12-v3/final"
# rho = 1/12 (session 11): the same recipe from scratch in one run, compiled (--compile: 9.2 steps/s
# against 3.9 for session 9's eager run; wall times in jscc.md), so the two-CPU-hour budget holds 48,000
# steps instead of the 29,000 of session 9's run and session 10's warm restart of it.
train adjscc-snr0to28-rho1_12-v4 "${ADJ[@]}" --channels 8 --steps 48000 --lr 5e-4 --warmup 300 --compile
# Session 12: the budget's last 29 min on a warm restart of it (new crop seed), for a lineage of 115.9 min.
train adjscc-snr0to28-rho1_12-v4-ft "${ADJ[@]}" --channels 8 --steps 14000 --lr 2e-4 --warmup 200 --compile \
  --seed 1 --init-from "$RUNS/adjscc-snr0to28-rho1_12-v4/final"
semcom zoo add --zoo src/semcom/zoo "$RUNS/adjscc-snr0to28-rho1_12-v4-ft/final" --name adjscc-snr0to28-rho1_12
semcom zoo add --zoo src/semcom/zoo "$RUNS/adjscc-snr0to28-rho1_48-v3/final" --name adjscc-snr0to28-rho1_48
