"""Training speed of the JSCC baselines with and without ``torch.compile`` (``semcom train ... --compile``).

Usage: python benchmarks/train_compile.py [--threads 2] [--repeats 20] [--json out.json]
One optimizer step (``jscc_speed.training_step``) of the shipped rho = 1/12 configs on a batch of 8 random
128×128 crops at 10 dB, as in the zoo runs; fp32 and bf16 autocast. The first compiled step includes the
compilation and is reported on its own. Prints a table, asserts nothing.
"""

from __future__ import annotations

from jscc_speed import training_step
from timing import cpu_description, median_seconds, parse_common_args, timed, write_json

from semcom.models.jscc import JSCCConfig

MODELS = {
    "deepjscc rho 1/12": JSCCConfig("deepjscc", 8, 64),
    "adjscc rho 1/12": JSCCConfig("adjscc", 8, 64, 3.0),
}


def main() -> None:
    args = parse_common_args(__doc__, repeats=20)
    cpu = cpu_description()
    print(f"CPU: {cpu}, {args.threads} threads, batch 8 of 128×128 crops")
    print(f"{'model':<18} {'dtype':<5} {'eager steps/s':>14} {'compiled steps/s':>17} {'speed-up':>9} "
          f"{'compile s':>10}")
    rows = []
    for name, config in MODELS.items():
        for bf16 in (False, True):
            eager = 1 / median_seconds(training_step(config, bf16, compiled=False), args.repeats)
            step = training_step(config, bf16, compiled=True)
            _, first = timed(step)  # compiles the forward and backward graphs
            compiled = 1 / median_seconds(step, args.repeats)
            rows.append({"model": name, "dtype": "bf16" if bf16 else "fp32", "threads": args.threads,
                         "cpu": cpu, "eager_steps_per_s": eager, "compiled_steps_per_s": compiled,
                         "first_step_s": first})
            print(f"{name:<18} {rows[-1]['dtype']:<5} {eager:>14.2f} {compiled:>17.2f} "
                  f"{compiled / eager:>8.2f}x {first:>10.1f}", flush=True)
    write_json(rows, args.json)


if __name__ == "__main__":
    main()
