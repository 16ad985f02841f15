"""The ``semcom train`` arguments of the GPU recipes in gpu_recipes.json (used by train_gpu_zoo.sh).

    python scripts/gpu_recipes.py --names                 # the recipe names, one per line
    python scripts/gpu_recipes.py NAME DATASET CODEC      # NAME's arguments, one per line
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RECIPES = Path(__file__).with_name("gpu_recipes.json")


def recipes() -> dict:
    return {k: v for k, v in json.loads(RECIPES.read_text()).items() if not k.startswith("_")}


def recipe_args(name: str, dataset: str, codec: str) -> list[str]:
    """``[command, --flag, value, ...]``: the recipe's options as flags, DATASET and CODEC filled in."""
    known = recipes()
    if name not in known:
        raise SystemExit(f"gpu_recipes.py: no recipe {name!r} (known: {', '.join(known)})")
    recipe = known[name]
    args = [recipe["command"], "--steps", str(recipe["steps"])]
    for key, value in recipe["options"].items():
        value = {"DATASET": dataset, "CODEC": codec}.get(value, value) if isinstance(value, str) else value
        args += [f"--{key}"] if value is True else [f"--{key}", str(value)]
    return args


if __name__ == "__main__":
    if sys.argv[1:] == ["--names"]:
        print("\n".join(recipes()))
    elif len(sys.argv) == 4:
        print("\n".join(recipe_args(*sys.argv[1:])))
    else:
        raise SystemExit(__doc__)
