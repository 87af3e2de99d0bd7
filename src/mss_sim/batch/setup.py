"""What a batch run needs besides running: argument checks, metadata, progress, sinks.

:func:`mss_sim.run_batch` (in :mod:`mss_sim.batch.runner`) checks its arguments
here, describes its result, shows a progress bar, keeps an in-memory result and
saves a design's points.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from mss_sim._version import __version__
from mss_sim.batch.chunk import ChunkData, OutputNames
from mss_sim.batch.results import Failure
from mss_sim.batch.writer import check_target
from mss_sim.scenario.spec import Scenario

__all__ = [
    "BACKENDS",
    "MemorySink",
    "check_arguments",
    "progress_bar",
    "result_meta",
    "save_points",
]

BACKENDS = ("serial", "process", "dask")


class MemorySink:
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


def check_arguments(
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


def progress_bar(progress: bool | None, runs: int, initial: int, name: str) -> Any:
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=runs, initial=initial, unit="rep", desc=name, file=sys.stderr)


def result_meta(scenario: Scenario, seed: int, runs: int, chunk_size: int | None) -> dict[str, Any]:
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
        "scenario_spec": scenario.to_dict(),
    }


def save_points(out: Path, points: np.ndarray) -> None:
    """Write the design's uniform numbers to ``out/design.npy`` (atomically)."""
    tmp = out / "design.npy.tmp"
    with open(tmp, "wb") as handle:
        np.save(handle, points)
    os.replace(tmp, out / "design.npy")
