"""Write this plug-in's zoo, ``src/semcom_example_plugin/zoo/``: the tiny JSCC at rho 1/48, trained by
``semcom train tiny-jscc`` (the plug-in's own trainer, :mod:`semcom_example_plugin.trainer`).

Run it with the plug-in installed (semcom builds the classes of installed plug-ins only) and ../shared/data
beside the checkout (BSDS500 crops; 3000 steps take about 15 s on 2 CPU cores)::

    pip install -e examples/semcom-example-plugin
    semcom train tiny-jscc --out runs/tiny-jscc --data ../shared/data --steps 3000 --validate-every 1000
    python examples/semcom-example-plugin/make_zoo.py runs/tiny-jscc/final

The manifest entry takes the run's provenance (command, data, steps, commit, validation) from its config.
"""

from __future__ import annotations

import sys
from pathlib import Path

from semcom.zoo import add_to_zoo

ZOO = Path(__file__).resolve().parent / "src" / "semcom_example_plugin" / "zoo"
NAME = "tiny-jscc-rho1_48"


def main(final: str) -> None:
    entry = add_to_zoo(final, NAME, zoo_dir=ZOO, force=True)
    (ZOO / "manifest.json").chmod(0o644)  # readable by every user of an installed plug-in
    print(f"{ZOO / entry['folder']}: {entry['bytes']} bytes, sha256 {entry['sha256'][:12]}, "
          f"validation {entry['validation']}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_zoo.py RUN/final  (a folder written by `semcom train tiny-jscc`)")
    main(sys.argv[1])
