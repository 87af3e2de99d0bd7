"""Monte Carlo batches: seeding, chunking and the serial and process backends.

Replication ``i`` of a batch seeded with ``s`` always runs with
``replication_seed(s, i)``, whatever the backend, worker count or chunk size,
so results are bitwise identical across all of them. A replication that raises
is recorded as a failure (its outputs are NaN) and the others are kept.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import sys
import traceback
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from mss_sim._version import __version__
from mss_sim.batch.results import BatchResult, Failure
from mss_sim.errors import SimulationError
from mss_sim.model import scalar_names, series_names, simulate
from mss_sim.random import replication_seed
from mss_sim.scenario.spec import Scenario

__all__ = ["output_names", "run_batch"]

Backend = Literal["serial", "process"]


@dataclass(frozen=True)
class OutputNames:
    """The names of a scenario's outputs, in the order a batch stores them."""

    scalars: tuple[str, ...]
    series: tuple[str, ...]
    parameters: tuple[str, ...]


def output_names(scenario: Scenario) -> OutputNames:
    """Return the scalar, series and parameter names every replication of `scenario` has."""
    return OutputNames(
        scalars=scalar_names(scenario),
        series=scenario.derived("series_names", series_names),
        parameters=tuple(scenario.uncertain_parameters()),
    )


@dataclass
class _Chunk:
    """The outputs of replications ``start .. stop - 1``."""

    start: int
    stop: int
    scalars: np.ndarray  # (n, n_scalars)
    series: np.ndarray  # (n, n_series, months)
    parameters: np.ndarray  # (n, n_parameters)
    failures: list[Failure]


def _empty_chunk(scenario: Scenario, start: int, stop: int) -> _Chunk:
    names = output_names(scenario)
    n, months = stop - start, scenario.scenario.horizon_months
    return _Chunk(
        start,
        stop,
        np.full((n, len(names.scalars)), np.nan),
        np.full((n, len(names.series), months), np.nan),
        np.full((n, len(names.parameters)), np.nan),
        [],
    )


def _run_chunk(scenario: Scenario, seed: int, start: int, stop: int) -> _Chunk:
    names = output_names(scenario)
    chunk = _empty_chunk(scenario, start, stop)
    for j, index in enumerate(range(start, stop)):
        try:
            rep = simulate(scenario, replication_seed(seed, index))
        except Exception as exc:  # one replication's failure must not lose the others
            last = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{os.path.basename(last.filename)}:{last.lineno}"
            chunk.failures.append(Failure(index, f"{type(exc).__name__}: {exc} ({where})"))
            continue
        chunk.scalars[j] = [rep.scalars[k] for k in names.scalars]
        chunk.series[j] = [rep.series[k] for k in names.series]
        chunk.parameters[j] = [rep.parameters[k] for k in names.parameters]
    return chunk


_WORKER_SCENARIO: Scenario | None = None


def _init_worker(scenario: Scenario) -> None:
    global _WORKER_SCENARIO
    _WORKER_SCENARIO = scenario


def _run_chunk_in_worker(seed: int, start: int, stop: int) -> _Chunk:
    assert _WORKER_SCENARIO is not None, "worker not initialised"
    return _run_chunk(_WORKER_SCENARIO, seed, start, stop)


def _chunks(runs: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, runs)) for a in range(0, runs, size)]


def _serial(scenario: Scenario, seed: int, bounds: list[tuple[int, int]]) -> Iterator[_Chunk]:
    for start, stop in bounds:
        yield _run_chunk(scenario, seed, start, stop)


def _process(
    scenario: Scenario, seed: int, bounds: list[tuple[int, int]], workers: int
) -> Iterator[_Chunk]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(scenario,)
    ) as pool:
        pending: dict[Future[_Chunk], tuple[int, int]] = {
            pool.submit(_run_chunk_in_worker, seed, a, b): (a, b) for a, b in bounds
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                start, stop = pending.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool as exc:
                    yield _failed_chunk(scenario, start, stop, f"worker process died: {exc}")
                except Exception as exc:
                    yield _failed_chunk(scenario, start, stop, f"{type(exc).__name__}: {exc}")


def _failed_chunk(scenario: Scenario, start: int, stop: int, message: str) -> _Chunk:
    chunk = _empty_chunk(scenario, start, stop)
    chunk.failures = [Failure(i, message) for i in range(start, stop)]
    return chunk


def _progress_bar(progress: bool | None, runs: int, name: str) -> Any:
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=runs, unit="rep", desc=name, file=sys.stderr)


def run_batch(
    scenario: Scenario,
    runs: int,
    *,
    seed: int,
    backend: Backend = "serial",
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
) -> BatchResult:
    """Run `runs` replications of `scenario` and collect their outputs.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    runs : int
        Number of replications (>= 1).
    seed : int
        The batch seed; replication ``i`` uses child ``i`` of ``SeedSequence(seed)``.
    backend : {"serial", "process"}
        Run in this process, or in a pool of worker processes.
    workers : int, optional
        Worker processes for the process backend (default: the number of CPUs).
    chunk_size : int, optional
        Replications per task (default: serial 100; process about eight tasks
        per worker, at most 250 replications each). Results do not depend on it.
    progress : bool, optional
        Show a progress bar; by default only when standard error is a terminal.

    Returns
    -------
    BatchResult

    Raises
    ------
    ValueError
        If an argument is out of range.
    SimulationError
        If every replication failed.

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
    >>> res = mss_sim.run_batch(sc, 20, seed=1)
    >>> res.scalars["peak_deployed"].shape
    (20,)
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(
            "scenario must be a Scenario (see mss_sim.load_scenario), "
            f"got {type(scenario).__name__}"
        )
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise ValueError(f"runs must be a positive integer, got {runs!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if backend not in ("serial", "process"):
        raise ValueError(f"backend must be 'serial' or 'process', got {backend!r}")
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise ValueError(f"workers must be >= 1, got {workers!r}")
    if chunk_size is not None and (isinstance(chunk_size, bool) or chunk_size < 1):
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size!r}")
    seed = int(seed)
    n_workers = workers or os.cpu_count() or 1
    if chunk_size is None:
        chunk_size = (
            100 if backend == "serial" else max(1, min(250, math.ceil(runs / (8 * n_workers))))
        )
    bounds = _chunks(runs, chunk_size)

    names = output_names(scenario)
    months = scenario.scenario.horizon_months
    scalars = np.full((runs, len(names.scalars)), np.nan)
    series = np.full((runs, len(names.series), months), np.nan)
    parameters = np.full((runs, len(names.parameters)), np.nan)
    failures: list[Failure] = []

    chunks = (
        _serial(scenario, seed, bounds)
        if backend == "serial"
        else _process(scenario, seed, bounds, n_workers)
    )
    bar = _progress_bar(progress, runs, scenario.name)
    try:
        for chunk in chunks:
            rows = slice(chunk.start, chunk.stop)
            scalars[rows] = chunk.scalars
            series[rows] = chunk.series
            parameters[rows] = chunk.parameters
            failures.extend(chunk.failures)
            if bar is not None:
                bar.update(chunk.stop - chunk.start)
    finally:
        if bar is not None:
            bar.close()

    failures.sort(key=lambda f: f.index)
    if len(failures) == runs:
        raise SimulationError(
            f"all {runs} replications of {scenario.name!r} failed; "
            f"the first: replication {failures[0].index}: {failures[0].error}"
        )
    first = np.datetime64(scenario.scenario.start.replace(day=1), "M")
    return BatchResult(
        scalars={k: scalars[:, j].copy() for j, k in enumerate(names.scalars)},
        series={k: series[:, j, :].copy() for j, k in enumerate(names.series)},
        months=first + np.arange(months),
        parameters={k: parameters[:, j].copy() for j, k in enumerate(names.parameters)},
        failures=tuple(failures),
        meta={
            "scenario": scenario.name,
            "scenario_description": scenario.scenario.description,
            "scenario_hash": scenario.content_hash(),
            "seed": seed,
            "runs": runs,
            "replications": [0, runs],
            "version": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    )
