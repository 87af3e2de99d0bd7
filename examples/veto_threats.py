"""Veto threats: what a structural change to the Council's voting rule would change.

Run from the top of the checkout:

    python examples/veto_threats.py --runs 1000

It computes, exactly, the chance that the November 2024 peacekeeping draft would
have passed had it been put to the vote, under the Charter and three variants; then
it runs the calibrated ``mss_2024`` scenario under each rule with the same seed
(common random numbers) and prints how often the draft was withdrawn under a veto
threat, voted on and adopted.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import mss_sim
from mss_sim.council import VotingRule, adoption_probability
from mss_sim.scenario import load_raw, scenario_from_dict

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "mss_2024.toml"
RULES = ("charter", "double_veto", "abstention_veto", "no_veto")


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    # 1. Exact: the Council of November 2024 and its propensities on this draft,
    #    before context effects.
    scenario = mss_sim.load_scenario(SCENARIO)
    council = scenario.council
    members = council.members(2024)
    propensities = {m: council.propensity(m, "pko_transition") for m in members}
    print("P(adopted) if put to the vote, exact:")
    for name in RULES:
        rule = VotingRule.named(name)
        row = [adoption_probability(propensities, rule=rule, correlation=rho) for rho in (0, 0.3)]
        print(f"  {name:<16} independent {row[0]:.3f}   correlated (0.3) {row[1]:.3f}")

    # 2. Simulated: the same scenario under each rule, same seed.
    outcomes: dict[str, dict[str, float]] = {}
    data = load_raw(SCENARIO)
    print(f"\nmss_2024, {args.runs} replications, seed {args.seed}:")
    print(f"  {'rule':<16} {'withdrawn':>9} {'voted':>7} {'adopted':>8} {'vetoes cast':>12}")
    for name in RULES:
        variant = scenario_from_dict(
            {**data, "council": {**data["council"], "rule": name}}, source=SCENARIO.name
        )
        result = mss_sim.run_batch(variant, args.runs, seed=args.seed, progress=False)
        s = result.scalars
        outcomes[name] = {
            "withdrawn": float(s["pko_transition.withdrawn"].mean()),
            "voted": float(s["pko_transition.vote_held"].mean()),
            "adopted": float(s["pko_transition.adopted"].mean()),
            "vetoes_cast": float(s["vetoes_cast"].mean()),
        }
        o = outcomes[name]
        print(
            f"  {name:<16} {o['withdrawn']:>9.3f} {o['voted']:>7.3f} {o['adopted']:>8.3f} "
            f"{o['vetoes_cast']:>12.3f}"
        )
    return outcomes


if __name__ == "__main__":
    main()
