"""The local pool: a dead worker's chunk is retried once, then recorded as failures."""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

import numpy as np
import pytest

import mss_sim
from mss_sim.batch.chunk import ChunkData, output_names, run_chunk
from mss_sim.batch.plan import ChunkPlanner
from mss_sim.batch.pool import LocalPool
from mss_sim.model import compile

ROOT = Path(__file__).parents[2]
RUNS = 24
SEED = 8


def die_once_on(marker: str, index: int, scenario, seed, start, stop) -> ChunkData:
    """Kill the worker the first time it is given replication `index` (a file marks it)."""
    if start <= index < stop and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(9)
    return run_chunk(scenario, seed, start, stop)


def die_on(index: int, scenario, seed, start, stop) -> ChunkData:
    """Kill the worker whenever it is given replication `index`."""
    if start <= index < stop:
        os._exit(9)
    return run_chunk(scenario, seed, start, stop)


def slowly(scenario, seed, start, stop) -> ChunkData:
    """Run a chunk a little slowly (so that the main process is still busy later)."""
    time.sleep(0.05)
    return run_chunk(scenario, seed, start, stop)


@pytest.fixture(scope="module")
def reference(gsf) -> ChunkData:
    return run_chunk(gsf, SEED, 0, RUNS)


def run_pool(gsf, task) -> list[ChunkData]:
    chunks: list[ChunkData] = []
    pool = LocalPool(compile(gsf), SEED, 2, output_names(gsf), help_while_starting=False, task=task)
    pool.run(ChunkPlanner([(0, RUNS)], workers=2, chunk_size=4), chunks.append)
    return sorted(chunks, key=lambda c: c.start)


def test_a_worker_that_dies_has_its_chunk_run_again(gsf, reference, tmp_path):
    chunks = run_pool(gsf, functools.partial(die_once_on, str(tmp_path / "died"), 9))
    assert (tmp_path / "died").exists()  # a worker really died
    assert [(c.start, c.stop) for c in chunks] == [(a, a + 4) for a in range(0, RUNS, 4)]
    assert not any(c.failures for c in chunks)
    scalars = np.concatenate([c.scalars for c in chunks])
    series = np.concatenate([c.series for c in chunks])
    assert scalars.tobytes() == reference.scalars.tobytes()
    assert series.tobytes() == reference.series.tobytes()


def test_a_chunk_whose_worker_dies_twice_is_recorded_as_failed(gsf, reference):
    chunks = run_pool(gsf, functools.partial(die_on, 13))
    failed = [c for c in chunks if c.failures]
    assert [(c.start, c.stop, c.crashed) for c in failed] == [(12, 16, True)]
    assert [f.index for f in failed[0].failures] == [12, 13, 14, 15]
    assert all(
        f.error == "worker process died running chunk 12-15 (exit code 9), twice"
        for f in failed[0].failures
    )
    assert np.isnan(failed[0].scalars).all()
    # The other chunks went on, on new workers, and are exact.
    for chunk in chunks:
        if chunk is not failed[0]:
            rows = slice(chunk.start, chunk.stop)
            assert chunk.scalars.tobytes() == reference.scalars[rows].tobytes()


def test_a_crashed_chunk_is_run_again_on_resume(gsf, tmp_path, monkeypatch):
    real = LocalPool

    def crashing_pool(*args, **kwargs):
        # Not in this process while the workers start: die_on would end pytest itself.
        task = functools.partial(die_on, 5)
        return real(*args, task=task, help_while_starting=False, **kwargs)

    out = tmp_path / "gsf"
    monkeypatch.setattr("mss_sim.batch.pool.LocalPool", crashing_pool)
    first = mss_sim.run_batch(
        gsf, 12, seed=SEED, backend="process", workers=2, chunk_size=4, out=out
    )
    assert [f.index for f in first.failures] == [4, 5, 6, 7]
    monkeypatch.undo()
    repaired = mss_sim.run_batch(
        gsf, 12, seed=SEED, backend="process", chunk_size=4, out=out, resume=True
    )
    assert repaired.failures == ()
    serial = mss_sim.run_batch(gsf, 12, seed=SEED)
    for name, values in serial.scalars.items():
        assert repaired.scalars[name].tobytes() == values.tobytes(), name


def test_a_worker_ready_before_its_start_returns_is_served_once_started(
    gsf, reference, monkeypatch
):
    """The worker can say it is ready while the thread starting it is still in start()."""
    from multiprocessing import context as mp_context

    popen = mp_context.ForkServerProcess._Popen

    def slow_popen(process_obj):
        started = popen(process_obj)
        time.sleep(1.0)  # the worker runs and reports; start() has not set the sentinel yet
        return started

    pool = LocalPool(compile(gsf), SEED, 1, output_names(gsf), task=slowly)
    chunks: list[ChunkData] = []
    planner = ChunkPlanner([(0, RUNS)], workers=1, chunk_size=1)
    # monkeypatch puts the class's own staticmethod back afterwards.
    monkeypatch.setattr(mp_context.ForkServerProcess, "_Popen", staticmethod(slow_popen))
    pool.run(planner, chunks.append)
    chunks.sort(key=lambda c: c.start)
    assert np.concatenate([c.scalars for c in chunks]).tobytes() == reference.scalars.tobytes()
