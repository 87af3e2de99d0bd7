"""What the force changes on the ground, with common random numbers.

Run from the top of the checkout:

    python examples/security.py --runs 1000

Three comparisons under the same seed, so that replication i of each scenario draws
the same values for every parameter they share (effect sizes, gangs' growth, costs,
votes) and the paired differences isolate the change:

* the Gang Suppression Force at full strength (examples/scenarios/gsf_full_strength.toml)
  against gsf_2025 as bundled;
* gsf_2025 against the MSS as it was (examples/scenarios/mss_as_it_was.toml: the
  September 2025 draft renews the MSS unchanged);
* us_budget_cuts against gsf_2025.

For each it prints the mean paired difference, with a 95% interval, in the share of
Port-au-Prince under gang control after 12 months (percentage points) and in the
people killed over the 24 months.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import mss_sim
from mss_sim.analysis import paired_difference

HERE = Path(__file__).resolve().parent
FILES = {
    "gsf_2025": HERE.parent / "scenarios" / "gsf_2025.toml",
    "us_budget_cuts": HERE.parent / "scenarios" / "us_budget_cuts.toml",
    "gsf_full_strength": HERE / "scenarios" / "gsf_full_strength.toml",
    "mss_as_it_was": HERE / "scenarios" / "mss_as_it_was.toml",
}
PAIRS = (
    ("gsf_full_strength", "gsf_2025"),
    ("gsf_2025", "mss_as_it_was"),
    ("us_budget_cuts", "gsf_2025"),
)


def main(argv: list[str] | None = None) -> dict[str, dict[str, tuple[float, float, float]]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    results = {
        name: mss_sim.run_batch(
            mss_sim.load_scenario(path), args.runs, seed=args.seed, progress=False
        )
        for name, path in FILES.items()
    }
    out: dict[str, dict[str, tuple[float, float, float]]] = {}
    print(f"{args.runs} paired replications, seed {args.seed}; mean difference [95% interval]")
    for new, old in PAIRS:
        a, b = results[new], results[old]
        control = paired_difference(
            100 * b.series["gang_control"][:, 11], 100 * a.series["gang_control"][:, 11]
        )
        killed = paired_difference(b.scalars["killings_total"], a.scalars["killings_total"])
        out[f"{new} - {old}"] = {
            "gang control after 12 months (pts)": tuple(control),
            "people killed over 24 months": tuple(killed),
        }
        print(f"{new} minus {old}:")
        for label, (mean, low, high) in out[f"{new} - {old}"].items():
            print(f"  {label:36s} {mean:9.1f}  [{low:.1f}, {high:.1f}]")
    return out


if __name__ == "__main__":
    main()
