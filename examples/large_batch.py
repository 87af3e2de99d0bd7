"""A large batch streamed to a directory: interrupt it, run it again, it resumes.

Runs gsf_2025 on a pool of worker processes, writing every finished chunk to a
results directory as it completes. Press Ctrl-C part way: the finished chunks
stay on disk, and the same command continues from them. The summary and the
probability read afterwards come from the chunk files, one column at a time.

    python examples/large_batch.py --runs 100000 --out out/gsf_100k
    python examples/large_batch.py --runs 100000 --out out/gsf_100k --backend dask

The ``if __name__ == "__main__":`` guard at the bottom is needed: the worker
processes import this script again, and must not start a batch themselves.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import mss_sim

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> mss_sim.BatchResult | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="out/gsf_large")
    parser.add_argument("--backend", choices=["process", "dask"], default="process")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    scenario = mss_sim.load_scenario(ROOT / "scenarios" / "gsf_2025.toml")
    try:
        result = mss_sim.run_batch(
            scenario,
            args.runs,
            seed=args.seed,
            backend=args.backend,
            workers=args.workers,
            out=args.out,
            resume=True,  # continue whatever an earlier run of this batch left in --out
        )
    except mss_sim.BatchInterrupted as stop:
        print(f"{stop}\nrun the same command again to continue")
        return None

    print(result.summary(["gsf.adopted", "peak_deployed", "months_to_target"]))
    # Reads one column from the chunk files: memory stays small however many runs.
    to_target = result.scalars["months_to_target"]
    within_year = np.mean(np.nan_to_num(to_target, nan=np.inf) <= 12)
    print(f"\nP(target strength within 12 months) = {within_year:.3f} over {result.runs:,} runs")
    print(f"results in {args.out} (open again with mss_sim.BatchResult.load)")
    return result


if __name__ == "__main__":
    main()
