#!/usr/bin/env bash
# README command 1 as a new user runs it: a new virtualenv, a folder with no ../shared beside it, an empty user
# cache, and TAEF2 served by a local HTTP server on 127.0.0.1 standing in for its upstream repository.
# Prints the wall time and peak memory of the whole command (install + demo), then of the demo alone.
#   bash scripts/fresh_venv_demo.sh [TAEF2_DIR]     (default: ../shared/weights/taef2)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
taef2=$(cd "${1:-$repo/../shared/weights/taef2}" && pwd)
tmp=$(mktemp -d)
mkdir -p "$tmp/served" "$tmp/home/work"
cp "$taef2"/taef2_encoder.pth "$taef2"/taef2_decoder.pth "$tmp/served/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$tmp/served" >/dev/null 2>&1 &
server=$!
trap 'kill $server; rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
command=$(awk '/^```bash$/{n++; next} /^```$/{if (n==1) exit} n==1{print}' "$repo/README.md")
command=${command/ -e . / -e $repo }
echo "+ $command   (in $tmp/home/work)"
cd "$tmp/home/work"
# the machine's pip settings (index, wheel folder) stay; semcom's variables and the user's caches do not
unset ${!SEMCOM_*} VIRTUAL_ENV PYTHONPATH XDG_CACHE_HOME
PATH="$tmp/venv/bin:$PATH" HOME="$tmp/home" SEMCOM_TAEF2_URL="http://127.0.0.1:$port/{name}" \
  /usr/bin/time -f "README command 1: wall %e s, peak RSS %M KB" bash -c "$command" > "$tmp/demo.log" 2> "$tmp/time.log" \
  || { tail -30 "$tmp/demo.log" "$tmp/time.log"; exit 1; }
grep -v "it/s\]\|row/s\]\|B/s\]" "$tmp/demo.log" | tail -8
tail -1 "$tmp/time.log"
ls "$tmp/home/.cache/semcom/taef2"
python3 - "$tmp/home/work/semcom-demo/results.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
schemes = sorted({r["scheme"].split(",denoiser")[0] + (" (no de-noiser)" if "steps=0" in r["scheme"] else "")
                  for r in rows})
print(f"{len(rows)} rows; channels {sorted({r['channel'].split(':')[0] for r in rows})}; schemes:")
print("\n".join("  " + s for s in schemes))
PY
