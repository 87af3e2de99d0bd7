"""Monte Carlo batches: seeding, chunking, backends, streaming and resume.

Replication ``i`` of a batch seeded with ``s`` always runs with
``replication_seed(s, i)``, whatever the backend, worker count or chunk size,
so results are bitwise identical across all of them. A replication that raises
is recorded as a failure (its outputs are NaN) and the others are kept.

With ``out=DIR`` every finished chunk goes to a results store in DIR as soon as
it completes (see :mod:`mss_sim.batch.store`): memory stays bounded by the
chunks in flight, an interrupted batch keeps its finished chunks, and running
the same batch again with ``resume=True`` continues from them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any, Literal

import numpy as np

from mss_sim._version import __version__
from mss_sim.batch.chunk import ChunkData, OutputNames, output_names, run_chunk
from mss_sim.batch.design import check_design, design_points
from mss_sim.batch.files import new_manifest
from mss_sim.batch.plan import ChunkPlanner
from mss_sim.batch.results import BatchResult, Failure
from mss_sim.batch.signals import stop_on_signals
from mss_sim.batch.worker import check_main_importable, exit_if_reimported
from mss_sim.batch.writer import StoreWriter, check_target
from mss_sim.errors import BatchInterrupted, SimulationError
from mss_sim.model.compiled import CompiledScenario, compile
from mss_sim.scenario.spec import Scenario

__all__ = ["Backend", "output_names", "run_batch"]

Backend = Literal["serial", "process", "dask"]
BACKENDS = ("serial", "process", "dask")
log = logging.getLogger("mss_sim.batch")


class _MemorySink:
    """Collects chunks into one array per output (``run_batch`` without ``out=``)."""

    def __init__(self, names: OutputNames, runs: int, months: int):
        self.names = names
        self.scalars = {n: np.full(runs, np.nan) for n in names.scalars}
        self.series = {n: np.full((runs, months), np.nan) for n in names.series}
        self.parameters = {n: np.full(runs, np.nan) for n in names.parameters}
        self.failures: list[Failure] = []
        self.todo = [(0, runs)]
        self.found = 0

    def write(self, chunk: ChunkData) -> None:
        rows = slice(chunk.start, chunk.stop)
        for j, name in enumerate(self.names.scalars):
            self.scalars[name][rows] = chunk.scalars[:, j]
        for j, name in enumerate(self.names.series):
            self.series[name][rows] = chunk.series[:, j]
        for j, name in enumerate(self.names.parameters):
            self.parameters[name][rows] = chunk.parameters[:, j]
        self.failures.extend(chunk.failures)

    def close(self) -> None:
        return None


def _check_arguments(
    scenario: Any,
    runs: Any,
    seed: Any,
    backend: Any,
    workers: Any,
    chunk_size: Any,
    out: Any,
    resume: bool,
    overwrite: bool,
    client: Any,
    address: Any,
) -> None:
    if not isinstance(scenario, Scenario):
        raise TypeError(
            "scenario must be a Scenario (see mss_sim.load_scenario), "
            f"got {type(scenario).__name__}"
        )
    if isinstance(runs, bool) or not isinstance(runs, int | np.integer) or runs < 1:
        raise ValueError(f"runs must be a positive integer, got {runs!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if backend not in BACKENDS:
        raise ValueError(
            f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}"
        )
    for name, value in (("workers", workers), ("chunk_size", chunk_size)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1
        ):
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if (client is not None or address is not None) and backend != "dask":
        raise ValueError("client= and address= are for backend='dask'")
    if client is not None and address is not None:
        raise ValueError("give client= or address=, not both")
    if resume and overwrite:
        raise ValueError("resume=True and overwrite=True contradict each other; choose one")
    if (resume or overwrite) and out is None:
        raise ValueError("resume= and overwrite= need a results directory (out=)")
    if out is not None:
        check_target(Path(out))


def _progress_bar(progress: bool | None, runs: int, initial: int, name: str) -> Any:
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=runs, initial=initial, unit="rep", desc=name, file=sys.stderr)


def _result_meta(
    scenario: Scenario, seed: int, runs: int, chunk_size: int | None
) -> dict[str, Any]:
    return {
        "scenario": scenario.name,
        "scenario_description": scenario.scenario.description,
        "scenario_hash": scenario.content_hash(),
        "seed": seed,
        "runs": runs,
        "replications": [0, runs],
        "version": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "chunk_size": chunk_size,
    }


def run_batch(
    scenario: Scenario,
    runs: int,
    *,
    seed: int,
    backend: Backend = "serial",
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    overwrite: bool = False,
    client: Any = None,
    address: str | None = None,
    design: str = "monte_carlo",
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
    backend : {"serial", "process", "dask"}
        Run in this process, in a pool of local worker processes, or on a Dask
        cluster (needs ``pip install 'mss-sim[dask]'``).
    workers : int, optional
        Worker processes for the process backend, or of the local Dask cluster
        started when neither `client` nor `address` is given (default: the
        number of CPUs).
    chunk_size : int, optional
        Replications per task. By default chunk sizes adapt: small at first,
        then about 0.5 s of a worker's time each (2 s with `out`), smaller again
        towards the end. Results do not depend on it.
    progress : bool, optional
        Show a progress bar; by default only when standard error is a terminal.
    out : path, optional
        A results directory: each finished chunk is written there as it
        completes and the result returned reads from it. Without it, every
        output is kept in memory.
    resume : bool
        Continue the batch whose chunks are in `out` (same scenario content,
        seed and package version); a larger `runs` extends it.
    overwrite : bool
        Discard an earlier result in `out`.
    client : distributed.Client, optional
        The Dask client to run on (backend ``"dask"``).
    address : str, optional
        The address of a Dask scheduler to connect to (backend ``"dask"``).
    design : {"monte_carlo", "lhs", "sobol", "halton"}
        How the uncertain parameters are drawn across the replications
        (:mod:`mss_sim.batch.design`): independently from each replication's
        streams (the default), a Latin hypercube, or a scrambled Sobol' or Halton
        sequence, seeded from `seed`. Sobol needs a power of two `runs`; a Latin
        hypercube cannot be extended. The result's ``meta["design"]`` and the
        store say which; with `out`, the points are saved as ``design.npy``.

    Returns
    -------
    BatchResult

    Raises
    ------
    ValueError
        If an argument is out of range.
    BatchError
        If `out` cannot be used (a file, a foreign directory, another batch,
        results there without `resume` or `overwrite`, another run writing into
        it), or worker processes cannot start (a script without the
        ``if __name__ == "__main__":`` guard).
    BatchInterrupted
        On SIGINT or SIGTERM, after the workers are gone; finished chunks stay in `out`.
    SimulationError
        If every replication failed.

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
    >>> res = mss_sim.run_batch(sc, 20, seed=1)
    >>> res.scalars["peak_deployed"].shape
    (20,)

    A batch that streams into a directory, from a script:

    >>> if __name__ == "__main__":  # doctest: +SKIP
    ...     res = mss_sim.run_batch(sc, 100_000, seed=1, backend="process", out="out/gsf")
    """
    _check_arguments(
        scenario, runs, seed, backend, workers, chunk_size, out, resume, overwrite, client, address
    )
    runs, seed = int(runs), int(seed)
    chunk_size = None if chunk_size is None else int(chunk_size)
    if backend == "process" or (backend == "dask" and client is None and address is None):
        exit_if_reimported()
        check_main_importable()
    plan = compile(scenario)
    check_design(design, runs, len(plan.parameters))
    points = None
    if design != "monte_carlo":
        points = design_points(design, runs, len(plan.parameters), seed=seed)
        plan = dataclasses.replace(plan, design=points)
    names = output_names(plan)
    months = scenario.scenario.horizon_months
    first = np.datetime64(scenario.scenario.start.replace(day=1), "M")
    meta = _result_meta(scenario, seed, runs, chunk_size) | {"design": design}
    sink: _MemorySink | StoreWriter
    if out is None:
        sink = _MemorySink(names, runs, months)
    else:
        manifest = new_manifest(
            meta=meta,
            runs=runs,
            months=first + np.arange(months),
            names=names,
            chunk_size=chunk_size,
            version=__version__,
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        sink = StoreWriter.open(Path(out), manifest, resume=resume, overwrite=overwrite)
        for line in sink.repaired:
            log.warning("%s: %s", out, line)
        if points is not None:
            _save_points(Path(out), points)
        if not sink.todo:
            log.info(
                "%s: all %s replications of this batch are on disk; nothing to run",
                out,
                f"{runs:,}",
            )
        elif sink.found:
            log.info(
                "%s: found %s of %s replications on disk; running the other %s",
                out,
                f"{sink.found:,}",
                f"{runs:,}",
                f"{runs - sink.found:,}",
            )
    n_workers = 1 if backend == "serial" else workers or os.cpu_count() or 1
    planner = ChunkPlanner(
        sink.todo,
        workers=n_workers,
        chunk_size=chunk_size,
        target_seconds=0.5 if out is None else 2.0,
    )
    done = sink.found
    bar = _progress_bar(progress, runs, done, scenario.name) if planner.remaining else None

    with stop_on_signals() as received:

        def deliver(chunk: ChunkData) -> None:
            nonlocal done
            sink.write(chunk)
            done += chunk.size
            if bar is not None:
                bar.update(chunk.size)
            if received:
                # The signal's KeyboardInterrupt was raised where Python ignores
                # exceptions (a finaliser): stop here all the same.
                raise KeyboardInterrupt(signal.Signals(received[0]).name)

        try:
            _run(plan, seed, names, planner, deliver, backend, n_workers, client, address)
            if received:
                raise KeyboardInterrupt(signal.Signals(received[0]).name)
        except KeyboardInterrupt:
            signum = received[0] if received else signal.SIGINT
            kept = (
                f"{done:,} of {runs:,} replications saved in {out}"
                if out
                else (f"{done:,} of {runs:,} replications done and dropped (no out= directory)")
            )
            raise BatchInterrupted(
                f"batch interrupted by {signal.Signals(signum).name}: {kept}",
                signal=signum,
                done=done,
                runs=runs,
                out=None if out is None else str(out),
            ) from None
        except Exception:
            if isinstance(sink, StoreWriter):
                sink.abandon()  # a directory this call made, with nothing in it, goes
            raise
        finally:
            if bar is not None:
                bar.close()
            sink.close()

    if isinstance(sink, _MemorySink):
        result = BatchResult(
            sink.scalars,
            sink.series,
            first + np.arange(months),
            sink.parameters,
            tuple(sorted(sink.failures, key=lambda f: f.index)),
            meta,
        )
    else:
        result = BatchResult.load(Path(str(out)), verify=False)
    if len(result.failures) == runs:
        first_failure = result.failures[0]
        raise SimulationError(
            f"all {runs} replications of {scenario.name!r} failed; "
            f"the first: replication {first_failure.index}: {first_failure.error}"
        )
    return result


def _save_points(out: Path, points: np.ndarray) -> None:
    """Write the design's uniform numbers to ``out/design.npy`` (atomically)."""
    tmp = out / "design.npy.tmp"
    with open(tmp, "wb") as handle:
        np.save(handle, points)
    os.replace(tmp, out / "design.npy")


def _run(
    plan: CompiledScenario,
    seed: int,
    names: OutputNames,
    planner: ChunkPlanner,
    deliver: Any,
    backend: Backend,
    workers: int,
    client: Any,
    address: str | None,
) -> None:
    if not planner.remaining:
        return
    if backend == "serial":
        while (bounds := planner.next()) is not None:
            chunk = run_chunk(plan, seed, *bounds)
            planner.observe(chunk.size, chunk.seconds)
            deliver(chunk)
    elif backend == "process":
        from mss_sim.batch.pool import LocalPool

        LocalPool(plan, seed, min(workers, planner.remaining), names).run(planner, deliver)
    else:
        from mss_sim.batch.cluster import run_on_dask

        run_on_dask(
            plan,
            seed,
            names,
            planner,
            deliver,
            client=client,
            address=address,
            workers=workers,
        )
