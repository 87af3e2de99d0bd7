"""Replication throughput of the gsf_2025 scenario.

Prints replications per second (serial, and with the process backend on two
workers), SimPy events per replication, and the model's SimPy events per second
as a ratio to a bare SimPy loop of timeouts timed in the same process.

    python benchmarks/bench_replication.py [--runs 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import simpy

import mss_sim

ROOT = Path(__file__).resolve().parents[1]


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """Return the shortest wall time of `repeat` calls of `fn`, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def count_events(scenario: mss_sim.Scenario, runs: int) -> float:
    """Mean number of SimPy events scheduled per replication."""
    original = simpy.Environment.schedule
    counter = [0]

    def counting(self: simpy.Environment, *args: Any, **kwargs: Any) -> None:
        counter[0] += 1
        original(self, *args, **kwargs)

    simpy.Environment.schedule = counting  # type: ignore[method-assign]
    try:
        for seed in range(runs):
            mss_sim.simulate(scenario, seed)
    finally:
        simpy.Environment.schedule = original  # type: ignore[method-assign]
    return counter[0] / runs


def bare_simpy_rate(events: int) -> float:
    """Events per second of one process yielding `events` unit timeouts."""

    def ticker(env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
        for _ in range(events):
            yield env.timeout(1)

    def run() -> None:
        env = simpy.Environment()
        env.process(ticker(env))
        env.run()

    return events / best_of(3, run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    scenario = mss_sim.load_scenario(ROOT / "scenarios" / "gsf_2025.toml")
    runs = args.runs
    mss_sim.run_batch(scenario, 20, seed=0)  # warm caches and imports

    serial = best_of(args.repeat, lambda: mss_sim.run_batch(scenario, runs, seed=1))
    process = best_of(
        args.repeat,
        lambda: mss_sim.run_batch(scenario, runs, seed=1, backend="process", workers=2),
    )
    per_rep = count_events(scenario, 200)
    model_rate = per_rep * runs / serial
    bare_rate = bare_simpy_rate(200_000)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"scenario: gsf_2025, {runs} replications, best of {args.repeat}")
    print(f"serial:              {runs / serial:8.0f} replications/s ({serial:.2f} s)")
    print(f"process, 2 workers:  {runs / process:8.0f} replications/s ({process:.2f} s)")
    print(f"SimPy events per replication: {per_rep:.0f}")
    print(f"model events/s (serial):      {model_rate:,.0f}")
    print(f"bare SimPy timeouts/s:        {bare_rate:,.0f}")
    print(f"model / bare SimPy ratio:     {model_rate / bare_rate:.3f}")


if __name__ == "__main__":
    main()
