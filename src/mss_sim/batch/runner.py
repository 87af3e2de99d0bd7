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
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np

from mss_sim._version import __version__
from mss_sim.batch.adaptive import check_targets, run_until
from mss_sim.batch.chunk import ChunkData, OutputNames, output_names, run_chunk
from mss_sim.batch.design import check_design, design_points
from mss_sim.batch.files import new_manifest
from mss_sim.batch.plan import ChunkPlanner
from mss_sim.batch.results import BatchResult
from mss_sim.batch.setup import (
    MemorySink,
    check_arguments,
    progress_bar,
    result_meta,
    save_points,
)
from mss_sim.batch.signals import stop_on_signals
from mss_sim.batch.worker import check_main_importable, exit_if_reimported
from mss_sim.batch.writer import StoreWriter
from mss_sim.errors import BatchInterrupted, SimulationError
from mss_sim.model.compiled import CompiledScenario, compile
from mss_sim.scenario.spec import Scenario

__all__ = ["Backend", "output_names", "run_batch"]

Backend = Literal["serial", "process", "dask"]
log = logging.getLogger("mss_sim.batch")


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
    until: Mapping[str, float] | None = None,
    max_runs: int | None = None,
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
    design : {"monte_carlo", "lhs", "sobol", "halton", "saltelli"}
        How the uncertain parameters are drawn across the replications
        (:mod:`mss_sim.batch.design`): independently from each replication's
        streams (the default), a Latin hypercube, or a scrambled Sobol' or Halton
        sequence, seeded from `seed`. Sobol needs a power of two `runs`; a Latin
        hypercube cannot be extended. The result's ``meta["design"]`` and the
        store say which; with `out`, the points are saved as ``design.npy``.
    until : mapping of str to float, optional
        Adaptive stopping (:mod:`mss_sim.batch.adaptive`): output names to target
        half-widths of their 95% intervals (``{"gsf.adopted": 0.005}``). `runs`
        replications run first, then more while any half-width is at or above its
        target, up to `max_runs`; ``meta["until"]`` says how many ran, the
        half-widths reached and whether every target was met. Monte Carlo design
        only.
    max_runs : int, optional
        The most replications `until` may run (default 100 times `runs`).

    Returns
    -------
    BatchResult

    Raises
    ------
    ValueError
        If an argument is out of range, or `until` names an output the scenario
        does not have or comes with a design other than Monte Carlo.
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
    if until is None:
        if max_runs is not None:
            raise ValueError("max_runs= goes with until= (adaptive stopping)")
        return _run_batch(
            scenario, runs, seed, backend, workers, chunk_size, progress, out, resume,
            overwrite, client, address, design,
        )  # fmt: skip
    check_arguments(
        scenario, runs, seed, backend, workers, chunk_size, out, resume, overwrite, client, address
    )

    def batch(n: int, where: str | os.PathLike[str], again: bool, fresh: bool) -> BatchResult:
        return _run_batch(
            scenario, n, seed, backend, workers, chunk_size, progress, where, again, fresh,
            client, address, design,
        )  # fmt: skip

    scalars = output_names(compile(scenario)).scalars
    limit = check_targets(until, max_runs, int(runs), design, scalars)
    return run_until(batch, int(runs), until, limit, out=out, resume=resume, overwrite=overwrite)


def _run_batch(
    scenario: Scenario,
    runs: int,
    seed: int,
    backend: Backend,
    workers: int | None,
    chunk_size: int | None,
    progress: bool | None,
    out: str | os.PathLike[str] | None,
    resume: bool,
    overwrite: bool,
    client: Any,
    address: str | None,
    design: str,
    points: np.ndarray | None = None,
) -> BatchResult:
    """:func:`run_batch` without adaptive stopping; `points` replaces the design's own."""
    check_arguments(
        scenario, runs, seed, backend, workers, chunk_size, out, resume, overwrite, client, address
    )
    runs, seed = int(runs), int(seed)
    chunk_size = None if chunk_size is None else int(chunk_size)
    if backend == "process" or (backend == "dask" and client is None and address is None):
        exit_if_reimported()
        check_main_importable()
    plan = compile(scenario)
    check_design(design, runs, len(plan.parameters))
    if design != "monte_carlo":
        if points is None:
            points = design_points(design, runs, len(plan.parameters), seed=seed)
        plan = dataclasses.replace(plan, design=points)
    names = output_names(plan)
    months = scenario.scenario.horizon_months
    first = np.datetime64(scenario.scenario.start.replace(day=1), "M")
    meta = result_meta(scenario, seed, runs, chunk_size) | {"design": design}
    sink: MemorySink | StoreWriter
    if out is None:
        sink = MemorySink(names, runs, months)
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
            save_points(Path(out), points)
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
    bar = progress_bar(progress, runs, done, scenario.name) if planner.remaining else None

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

    if isinstance(sink, MemorySink):
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
