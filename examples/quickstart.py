"""Quick start: load a bundled scenario, run a Monte Carlo batch, save a plot.

Run from the top of the checkout:

    python examples/quickstart.py --runs 500 --out out/quickstart

It prints the probability that the Gang Suppression Force is authorised, the
distribution of its peak strength, and writes a fan chart of deployed personnel.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from matplotlib.figure import Figure

import mss_sim
from mss_sim import plotting

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("out/quickstart"))
    args = parser.parse_args(argv)

    # 1. A scenario file is validated when it is loaded.
    scenario = mss_sim.load_scenario(HERE.parent / "scenarios" / "gsf_2025.toml")

    # 2. One replication: monthly series, scalar outcomes and an event log.
    rep = mss_sim.simulate(scenario, seed=args.seed)
    print(f"one replication: peak strength {rep.scalars['peak_deployed']:.0f}")

    # 3. A reproducible batch: replication i always uses child i of the seed.
    result = mss_sim.run_batch(scenario, args.runs, seed=args.seed, progress=False)
    print(result.summary(["gsf.adopted", "peak_deployed", "months_to_target"]))

    # 4. A fan chart of deployed personnel on calendar dates.
    args.out.mkdir(parents=True, exist_ok=True)
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    plotting.plot_fan(result, "deployed", ax=fig.add_subplot())
    path = args.out / "deployed.png"
    fig.savefig(path, dpi=110)
    print(f"saved {path}")
    return path


if __name__ == "__main__":
    main()
