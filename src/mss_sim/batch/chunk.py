"""A chunk of replications: the unit of work every backend hands out.

A chunk is the half-open range of replication indices ``start .. stop - 1``.
:func:`run_chunk` runs it and returns its outputs as dense arrays, in the order
:func:`output_names` gives; a replication that raises is recorded as a
:class:`Failure` (its row stays NaN) and the others are kept. Replication ``i``
always runs with ``replication_seed(seed, i)``, so a chunk's rows do not depend
on how the batch was cut into chunks or where the chunk ran.
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass, field

import numpy as np

from mss_sim.model.compiled import CompiledScenario, compile
from mss_sim.model.simulate import run
from mss_sim.random import replication_seed
from mss_sim.scenario.spec import Scenario

__all__ = ["ChunkData", "Failure", "OutputNames", "failed_chunk", "output_names", "run_chunk"]


@dataclass(frozen=True, slots=True)
class Failure:
    """A replication that raised: its index and the error."""

    index: int
    error: str


@dataclass(frozen=True)
class OutputNames:
    """The names of a scenario's outputs, in the order a batch stores them."""

    scalars: tuple[str, ...]
    series: tuple[str, ...]
    parameters: tuple[str, ...]


def output_names(scenario: Scenario | CompiledScenario) -> OutputNames:
    """Return the scalar, series and parameter names every replication of `scenario` has.

    Examples
    --------
    >>> import mss_sim
    >>> names = output_names(mss_sim.load_scenario("scenarios/gsf_2025.toml"))
    >>> names.series[0]
    'deployed'
    """
    plan = scenario if isinstance(scenario, CompiledScenario) else compile(scenario)
    return OutputNames(
        scalars=plan.scalar_names,
        series=plan.series_names,
        parameters=plan.parameters.paths,
    )


@dataclass
class ChunkData:
    """The outputs of replications ``start .. stop - 1`` as dense arrays.

    Attributes
    ----------
    start, stop : int
        The half-open range of replication indices.
    scalars : numpy.ndarray
        Shape ``(n, n_scalars)``.
    series : numpy.ndarray
        Shape ``(n, n_series, months)``.
    parameters : numpy.ndarray
        Shape ``(n, n_parameters)``.
    failures : list of Failure
        Replications that raised (their rows are NaN).
    seconds : float
        Time spent computing the chunk where it ran.
    crashed : bool
        True when no replication ran because the process running the chunk died.
    """

    start: int
    stop: int
    scalars: np.ndarray
    series: np.ndarray
    parameters: np.ndarray
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    crashed: bool = False

    @property
    def size(self) -> int:
        """The number of replications in the chunk."""
        return self.stop - self.start


def empty_chunk(names: OutputNames, months: int, start: int, stop: int) -> ChunkData:
    """Return a chunk of replications ``start .. stop - 1`` whose outputs are all NaN."""
    n = stop - start
    return ChunkData(
        start,
        stop,
        np.full((n, len(names.scalars)), np.nan),
        np.full((n, len(names.series), months), np.nan),
        np.full((n, len(names.parameters)), np.nan),
    )


def run_chunk(scenario: Scenario | CompiledScenario, seed: int, start: int, stop: int) -> ChunkData:
    """Run replications ``start .. stop - 1`` of a batch seeded with `seed`.

    Pass a :class:`~mss_sim.model.CompiledScenario` (as the batch runner does) to
    compile the scenario once for many chunks. The event log is not recorded.

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
    >>> chunk = run_chunk(sc, 1, 10, 13)
    >>> chunk.scalars.shape[0], chunk.failures
    (3, [])
    """
    began = time.perf_counter()
    plan = scenario if isinstance(scenario, CompiledScenario) else compile(scenario)
    names = output_names(plan)
    chunk = empty_chunk(names, len(plan.months), start, stop)
    design = plan.design
    for j, index in enumerate(range(start, stop)):
        try:
            uniforms = None if design is None else design[index]
            out = run(plan, replication_seed(seed, index), uniforms=uniforms)
        except Exception as exc:  # one replication's failure must not lose the others
            last = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{os.path.basename(last.filename)}:{last.lineno}"
            chunk.failures.append(Failure(index, f"{type(exc).__name__}: {exc} ({where})"))
            continue
        chunk.scalars[j] = out.scalars
        chunk.series[j] = out.series.T
        chunk.parameters[j] = out.parameters
    chunk.seconds = time.perf_counter() - began
    return chunk


def failed_chunk(names: OutputNames, months: int, start: int, stop: int, message: str) -> ChunkData:
    """Return a chunk in which every replication failed with `message`."""
    chunk = empty_chunk(names, months, start, stop)
    chunk.failures = [Failure(i, message) for i in range(start, stop)]
    chunk.crashed = True
    return chunk
