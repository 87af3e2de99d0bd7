"""Replication cost of gsf_2025 against a bare SimPy skeleton, timed interleaved.

For each of R rounds, times N replications of the model (``mss_sim.model.run``
with the scenario compiled once, as ``run_batch`` runs them: no event log),
then N replications of a bare SimPy skeleton built from the same replications:
as many processes, each yielding plain timeouts, so that it processes exactly
the events the model processed on that seed (counted on the very seeds timed).
The model is timed twice in each round: the scenario as bundled, and without
its ``[security]`` table (the skeleton mirrors the latter), which gives what
security adds to a replication. Then ``run_batch`` serially and with the process
backend on two workers, also alternating. Prints medians with min and max, and
the model's cost as a multiple of the skeleton's.

    python benchmarks/bench_replication.py [--runs 1000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import simpy

import mss_sim
from mss_sim.model import compile, run
from mss_sim.random import replication_seed

ROOT = Path(__file__).resolve().parents[1]
SEED = 1


def processed_events(plan: mss_sim.model.CompiledScenario, seed: int, runs: int) -> np.ndarray:
    """Return the processes started and the SimPy events processed by each replication."""
    step, process = simpy.Environment.step, simpy.Process.__init__
    counts = [0, 0]

    def counting_step(self: simpy.Environment) -> None:
        counts[0] += 1
        step(self)

    def counting_process(self: simpy.Process, *args: Any, **kwargs: Any) -> None:
        counts[1] += 1
        process(self, *args, **kwargs)

    out = np.zeros((runs, 2), dtype=int)
    simpy.Environment.step = counting_step  # type: ignore[method-assign]
    simpy.Process.__init__ = counting_process  # type: ignore[method-assign]
    try:
        for i in range(runs):
            counts[:] = [0, 0]
            run(plan, replication_seed(seed, i))
            out[i] = counts[1], counts[0]
    finally:
        simpy.Environment.step = step  # type: ignore[method-assign]
        simpy.Process.__init__ = process  # type: ignore[method-assign]
    return out


def skeleton(processes: int, events: int) -> None:
    """A bare SimPy run: `processes` processes that process `events` events in all.

    Each process's start is one event (as in the model); the rest are unit
    timeouts shared out among the processes.
    """

    def ticker(env: simpy.Environment, n: int) -> Generator[simpy.Event, Any, None]:
        for _ in range(n):
            yield env.timeout(1.0)

    env = simpy.Environment()
    timeouts = events - processes
    share, extra = divmod(timeouts, processes)
    for k in range(processes):
        env.process(ticker(env, share + (k < extra)))
    env.run()


def timed(fn: Callable[[], object]) -> float:
    """Wall time of one call of `fn`, in seconds."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def spread(values: list[float], scale: float = 1.0, fmt: str = "{:.3f}") -> str:
    """``median (min-max)`` of `values` times `scale`."""
    v = [x * scale for x in values]
    return f"{fmt.format(statistics.median(v))} ({fmt.format(min(v))}-{fmt.format(max(v))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    runs = args.runs

    scenario = mss_sim.load_scenario(ROOT / "scenarios" / "gsf_2025.toml")
    core = compile(scenario.model_copy(update={"security": None}))
    full = compile(scenario)
    counts = processed_events(core, SEED, runs)
    mss_sim.run_batch(scenario, 50, seed=0)  # warm caches and imports

    def model(plan: mss_sim.model.CompiledScenario) -> Callable[[], None]:
        def replications() -> None:
            for i in range(runs):
                run(plan, replication_seed(SEED, i))

        return replications

    def bare() -> None:
        for processes, events in counts:
            skeleton(int(processes), int(events))

    model_ms, full_ms, bare_ms, ratios, security = [], [], [], [], []
    for _ in range(args.repeat):
        m, f, b = timed(model(core)), timed(model(full)), timed(bare)
        model_ms.append(m / runs * 1e3)
        full_ms.append(f / runs * 1e3)
        bare_ms.append(b / runs * 1e3)
        ratios.append(m / b)
        security.append(f / m)

    serial, process = [], []
    for _ in range(args.repeat):
        serial.append(runs / timed(lambda: mss_sim.run_batch(scenario, runs, seed=SEED)))
        process.append(
            runs
            / timed(
                lambda: mss_sim.run_batch(scenario, runs, seed=SEED, backend="process", workers=2)
            )
        )

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"SciPy {scipy.__version__}, SimPy {simpy.__version__}"
    )
    print(f"scenario: gsf_2025, {runs} replications (seed {SEED}), {args.repeat} rounds")
    print(
        f"per replication: {counts[:, 0].mean():.1f} processes, "
        f"{counts[:, 1].mean():.1f} SimPy events processed "
        f"(min {counts[:, 1].min()}, max {counts[:, 1].max()})"
    )
    print("median (min-max) over rounds; model and skeleton alternate within a round")
    print(f"model without [security], ms per replication: {spread(model_ms)}")
    print(f"bare skeleton, ms per replication:            {spread(bare_ms)}")
    print(f"model without [security] / skeleton (per round): {spread(ratios, fmt='{:.2f}')}")
    print(f"model as bundled, ms per replication:         {spread(full_ms)}")
    print(f"with / without [security] (per round):        {spread(security)}")
    print(f"run_batch serial, replications/s:  {spread(serial, fmt='{:.0f}')}")
    print(f"run_batch 2 workers, replications/s: {spread(process, fmt='{:.0f}')}")


if __name__ == "__main__":
    main()
