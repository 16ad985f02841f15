#!/usr/bin/env bash
# Screenshots of a report folder's report.html at 1400 px width, cut into three small PNGs:
#   bash scripts/demo_screenshots.sh semcom-demo docs/demo
set -euo pipefail
report=$(cd "$1" && pwd)/report.html
out=$2
mkdir -p "$out"
full=$(mktemp --suffix=.png)
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,5200 \
  --screenshot="$full" "file://$report" 2>/dev/null
python - "$full" "$out" <<'PY'
import sys
from PIL import Image

full, out = sys.argv[1], sys.argv[2]
page = Image.open(full).convert("RGB")
for name, (top, bottom) in {"report-top": (0, 1000), "report-middle": (1000, 2300),
                            "report-tables": (3300, 4300)}.items():
    part = page.crop((0, top, page.width, bottom))
    part.quantize(colors=128).save(f"{out}/{name}.png", optimize=True)
PY
rm -f "$full"
ls -la "$out"/*.png
