"""US pledge levels against the GSF's funding model: who reaches the target within a year?

Run from the top of the checkout:

    python examples/policy_sweep.py --runs 1000

Eight policies on gsf_2025, every one run on the same replications (common random
numbers): the US support in kind at $0, $100M, $200M or $300M, crossed with the GSF
draft as tabled (personnel voluntary, logistics through a UN support office) or as a
force paid entirely from assessed contributions. For each it prints the probability
that the force reaches the target strength (half the GSF's 5,550) within 12 months and
within the 24 months of the scenario, with 95% Wilson intervals, and the paired change
of the latter against the draft as tabled with the US at $200M. Then it asks under
which conditions the force reaches the target when the US gives $200M and the force
is assessed: the box of uncertain parameters PRIM finds (the ``discovery`` extra).
"""

from __future__ import annotations

import argparse
import itertools
from typing import Any

import numpy as np

import mss_sim
from mss_sim.analysis import paired_difference, wilson_interval
from mss_sim.analysis.discovery import discover

PLEDGES = {"us_0": 0.0, "us_100m": 100e6, "us_200m": 200e6, "us_300m": 300e6}
MODELS = {"office": "support_office", "assessed": "assessed"}
REFERENCE = "us_200m_office"


def policies() -> dict[str, dict[str, Any]]:
    """Every pledge level crossed with every funding model of the GSF draft."""
    return {
        f"{pledge}_{model}": {
            "funding.donors[USA].pledge_usd": amount,
            "council.drafts[gsf].funding_model": funding_model,
        }
        for (pledge, amount), (model, funding_model) in itertools.product(
            PLEDGES.items(), MODELS.items()
        )
    }


def within(result: mss_sim.BatchResult, months: float) -> np.ndarray:
    """1 where the force reached the target within `months`, else 0 (never counts as 0)."""
    reached = np.nan_to_num(result.scalars["months_to_target"], nan=np.inf)
    return (reached <= months).astype(float)


def main(argv: list[str] | None = None) -> dict[str, tuple[float, float, float]]:
    """Run the sweep; return each policy's P(target within the horizon) and interval."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    gsf = mss_sim.load_scenario("gsf_2025")
    experiment = mss_sim.run_experiment(gsf, policies(), runs=args.runs, seed=args.seed)
    target = gsf.target_strength()
    horizon = float(gsf.scenario.horizon_months)
    print(
        f"gsf_2025: P(reaching {target:,}) within 12 and {horizon:g} months, "
        f"{args.runs:,} runs per policy, seed {args.seed}"
    )
    reference = within(experiment[REFERENCE], horizon)
    table = {}
    for name in experiment:
        cells = []
        for months in (12.0, horizon):
            hits = within(experiment[name], months)
            low, high = wilson_interval(int(hits.sum()), hits.size)
            cells.append(f"{hits.mean():.3f} [{low:.3f}, {high:.3f}]")
        change = paired_difference(reference, hits)
        table[name] = (float(hits.mean()), low, high)
        print(
            f"  {name:18s} {cells[0]:>22s} {cells[1]:>22s}   vs {REFERENCE}: "
            f"{change.mean:+.3f} [{change.low:+.3f}, {change.high:+.3f}]"
        )
    focus = "us_200m_assessed"
    box = discover(experiment[focus], within(experiment[focus], horizon) > 0, threshold=0.7)
    print(f"\nwhere {focus} reaches {target:,} within {horizon:g} months (PRIM):")
    print(str(box).replace("condition", "reached", 1))
    return table


if __name__ == "__main__":  # the process backend's workers import this script again
    main()
