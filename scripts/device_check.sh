#!/usr/bin/env bash
# All GPU work of issues 23 and 24 in one call (< 9 minutes on one GPU), writing JSON into a folder it is given.
#
#   bash scripts/device_check.sh OUT_DIR            # on a CUDA machine: device tests + Kodak speed table
#   bash scripts/device_check.sh OUT_DIR --tiny     # anywhere: the same steps on the CPU, tiny settings
#
# 1. the tests marked `device` (tests/test_device.py) with SEMCOM_TEST_DEVICE=cuda (cpu with --tiny):
#    OUT_DIR/device_tests.xml (JUnit) and OUT_DIR/device_tests.json (counts);
# 2. benchmarks/schemes_speed.py on Kodak-sized images (the scikit-image photos at 768x512 where Kodak is not
#    present) at batch 1 and 16, fp32 and bf16: OUT_DIR/schemes_speed_gpu.json (schemes_speed/2);
# 3. benchmarks/train_throughput.py: each GPU recipe (scripts/gpu_recipes.json) trained through the real loop
#    for ~20 s after its warm-up, bf16 as the recipes say: OUT_DIR/train_throughput_gpu.json (steps/s, expected
#    hours), and benchmarks/train_step.py --data-wait (steps/s and data-wait share of the JSCC models with 0 and
#    8 DataLoader workers): OUT_DIR/train_step_gpu.md;
# 4. OUT_DIR/device_check.json: what ran, where, exit codes, and the seconds each step took.
# Exit status: non-zero when any step failed (every step runs regardless).
set -u
out=${1:?usage: device_check.sh OUT_DIR [--tiny]}
tiny=${2:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
python3 -c "import semcom" 2>/dev/null || python3 -m pip install -q --no-deps -e . || exit 1

if [ "$tiny" = "--tiny" ]; then
    device=cpu; batches=1,2; extra=(--quick --images 2); schemes="latent-diff:codec=latent-diff-vae-f8c4-rho1_96,denoiser=latent-diff-denoiser-vae-f8c4-rho1_96,sampler=ddim,start=matched,steps=5,adjscc:weights=adjscc-snr0to28-rho1_12"
else
    device=cuda; batches=1,16; extra=(--repeats 2 --images 16); schemes="latent-diff:codec=latent-diff-vae-f8c4-rho1_96,denoiser=latent-diff-denoiser-vae-f8c4-rho1_96,sampler=ddim,start=matched,steps=5,latent-diff:codec=latent-diff-vae-f8c4-rho1_96,denoiser=latent-diff-denoiser-vae-f8c4-rho1_96,sampler=ddpm,start=fixed,steps=15,adjscc:weights=adjscc-snr0to28-rho1_12,deepjscc:weights=deepjscc-snr10-rho1_12"
fi

start=$(date +%s)
SEMCOM_TEST_DEVICE=$device timeout 150 python3 -m pytest -q -m device tests/test_device.py -p no:cacheprovider \
    --junitxml "$out/device_tests.xml" > "$out/device_tests.log" 2>&1
tests_rc=$?
tests_s=$(( $(date +%s) - start ))

start=$(date +%s)
timeout 200 python3 benchmarks/schemes_speed.py --device "$device" --threads "$(nproc)" --precision fp32,bf16 \
    --batch-sizes "$batches" --reverse batched,per-image --schemes "$schemes" "${extra[@]}" \
    --out "$out/schemes_speed_gpu.json" > "$out/schemes_speed.log" 2>&1
speed_rc=$?
speed_s=$(( $(date +%s) - start ))

start=$(date +%s)
if [ "$tiny" = "--tiny" ]; then train_extra=(--scale 8 --seconds 2 --workers 0 --precision fp32)
  step_extra=(--workers 0,1 --batch 4 --crop 64 --steps 5)
else train_extra=(--seconds 20); step_extra=(--workers 0,8 --steps 20); fi
timeout 180 python3 benchmarks/train_throughput.py --device "$device" "${train_extra[@]}" \
    --out "$out/train_throughput_gpu.json" > "$out/train_throughput.log" 2>&1 \
  && timeout 60 python3 benchmarks/train_step.py --data-wait --device "$device" "${step_extra[@]}" \
    > "$out/train_step_gpu.md" 2>> "$out/train_throughput.log"
train_rc=$?
train_s=$(( $(date +%s) - start ))

python3 - "$out" "$device" "$tests_rc" "$tests_s" "$speed_rc" "$speed_s" "$train_rc" "$train_s" <<'PY'
import json, sys, xml.etree.ElementTree as ET
from pathlib import Path
import torch
out, device, tests_rc, tests_s, speed_rc, speed_s, train_rc, train_s = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
counts = {}
try:
    suite = ET.parse(Path(out) / "device_tests.xml").getroot().find("testsuite") or ET.parse(Path(out) / "device_tests.xml").getroot()
    counts = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
except (OSError, ET.ParseError):
    pass
(Path(out) / "device_tests.json").write_text(json.dumps(counts, indent=1) + "\n")
summary = {"device": device, "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
           "torch": torch.__version__, "cuda": torch.version.cuda,
           "steps": {"device_tests": {"rc": tests_rc, "seconds": tests_s, **counts},
                     "schemes_speed": {"rc": speed_rc, "seconds": speed_s},
                     "train_throughput": {"rc": train_rc, "seconds": train_s}}}
(Path(out) / "device_check.json").write_text(json.dumps(summary, indent=1) + "\n")
print(json.dumps(summary, indent=1))
PY
[ "$tests_rc" -eq 0 ] && [ "$speed_rc" -eq 0 ] && [ "$train_rc" -eq 0 ]
