"""Speed of the exact Council probabilities and of ballot sampling.

Prints the time per call of ``adoption_probability`` and ``vote_distribution``
for a fifteen-member Council (independent and correlated votes, Charter and
double-veto rules) and the number of ballots ``sample_ballots`` draws per second.

    python benchmarks/bench_council.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

import numpy as np

from mss_sim.council import VotingRule, adoption_probability, sample_ballots, vote_distribution

P5 = ("CHN", "FRA", "GBR", "RUS", "USA")
E10 = ("DZA", "DNK", "GRC", "GUY", "PAK", "PAN", "KOR", "SLE", "SVN", "SOM")


def propensities(seed: int) -> dict[str, tuple[float, float, float]]:
    """Random propensities: elected members mostly in favour, permanent ones mixed."""
    rng = np.random.default_rng(seed)
    out = {}
    for m in P5 + E10:
        w = rng.dirichlet([4.0, 2.0, 0.6] if m in P5 else [6.0, 2.0, 1.0])
        out[m] = (float(w[0]), float(w[1]), float(1.0 - w[0] - w[1]))
    return out


def per_call(repeat: int, fn: Callable[[], object]) -> float:
    """Return the median time of `repeat` calls of `fn`, in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    p = propensities(1)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"{'function':<22} {'rule':<12} {'correlation':>11} {'ms per call':>12}")
    for rule_name, rule in (
        ("charter", VotingRule.charter()),
        ("double_veto", VotingRule.double_veto()),
    ):
        for rho in (0.0, 0.3, 0.95):
            for name, fn in (
                ("adoption_probability", adoption_probability),
                ("vote_distribution", vote_distribution),
            ):
                ms = per_call(
                    args.repeat, lambda fn=fn, rho=rho, rule=rule: fn(p, rule=rule, correlation=rho)
                )
                print(f"{name:<22} {rule_name:<12} {rho:>11.2f} {ms:>12.2f}")
    rng = np.random.default_rng(0)
    size = 200_000
    ms = per_call(5, lambda: sample_ballots(p, correlation=0.3, size=size, rng=rng))
    print(f"sample_ballots: {size / ms * 1e3:,.0f} votes of 15 members per second")


if __name__ == "__main__":
    main()
