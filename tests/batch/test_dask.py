"""The Dask backend: bitwise identity with the serial backend, stores, resume, errors, failures."""

from __future__ import annotations

import copy
import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import mss_sim
from conftest import SCENARIOS, edit, to_toml
from mss_sim.batch.store import JOURNAL
from mss_sim.scenario import load_raw

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).parents[2]
SEED = 17
CHUNK_KEY = "mss-sim-chunk-"
UNREACHABLE = "tcp://127.0.0.1:9"


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as client:
        yield client


def columns(result: mss_sim.BatchResult, group: str) -> dict[str, np.ndarray]:
    """Every column of one kind, read in one pass from a store."""
    mapping = getattr(result, group)
    if hasattr(mapping, "read_many"):
        return mapping.read_many(list(mapping))
    return dict(mapping)


def assert_identical(a: mss_sim.BatchResult, b: mss_sim.BatchResult) -> None:
    """Every output of `a` and `b` has the same bytes (NaN in the same places)."""
    assert a.runs == b.runs
    for group in ("scalars", "series", "parameters"):
        x, y = columns(a, group), columns(b, group)
        assert list(x) == list(y), group
        for name in x:
            assert x[name].dtype == y[name].dtype, (group, name)
            assert x[name].shape == y[name].shape, (group, name)
            assert x[name].tobytes() == y[name].tobytes(), (group, name)
    assert a.months.tobytes() == b.months.tobytes()
    assert list(a.failures) == list(b.failures)


def chunk_keys(stream: list[dict]) -> list[tuple[int, int]]:
    """The (start, stop) of every batch chunk in a Dask task stream, in order."""
    found = []
    for task in stream:
        key = str(task["key"])
        if key.startswith(CHUNK_KEY):
            *_, start, stop = key.split("-")
            found.append((int(start), int(stop)))
    return sorted(found)


def journal(path: Path) -> list[dict]:
    """The chunk records of a store, by replication (Dask writes them as they complete)."""
    records = [json.loads(line) for line in (path / JOURNAL).read_text().splitlines()]
    return sorted(records, key=lambda r: r["start"])


# --------------------------------------------------------------------------- identity


@pytest.mark.parametrize(
    ("name", "runs", "chunk_size"),
    [
        ("mss_2024", 32, 5),
        ("gsf_2025", 40, None),
        ("us_budget_cuts", 24, 3),
        ("pko_assessed", 36, None),
    ],
)
def test_every_bundled_scenario_is_bitwise_identical_to_serial(client, name, runs, chunk_size):
    scenario = mss_sim.load_scenario(SCENARIOS / f"{name}.toml")
    serial = mss_sim.run_batch(scenario, runs, seed=SEED)
    with distributed.get_task_stream(client) as stream:
        on_dask = mss_sim.run_batch(
            scenario, runs, seed=SEED, backend="dask", client=client, chunk_size=chunk_size
        )
    assert not serial.failures
    assert_identical(serial, on_dask)
    # The chunks really ran on the cluster and covered the batch once.
    ran = chunk_keys(stream.data)
    assert [i for a, b in ran for i in range(a, b)] == list(range(runs))
    if chunk_size is not None:
        assert ran == [(a, min(a + chunk_size, runs)) for a in range(0, runs, chunk_size)]
    assert on_dask.meta["chunk_size"] == chunk_size
    assert (on_dask.meta["seed"], on_dask.meta["runs"]) == (SEED, runs)
    # A client passed in is left open and usable.
    assert client.status == "running"
    assert client.submit(sum, [1, 2], pure=False).result() == 3


def test_a_scheduler_address_gives_the_same_result(cluster, client, gsf):
    serial = mss_sim.run_batch(gsf, 26, seed=SEED)
    by_address = mss_sim.run_batch(
        gsf, 26, seed=SEED, backend="dask", address=cluster.scheduler_address, chunk_size=4
    )
    assert_identical(serial, by_address)
    adaptive = mss_sim.run_batch(
        gsf, 26, seed=SEED, backend="dask", address=cluster.scheduler_address
    )
    assert_identical(serial, adaptive)
    # The client run_batch opened for the address is closed; the module's client is not.
    assert client.status == "running"
    assert len(cluster.scheduler_info["workers"]) == 2


# --------------------------------------------------------------------------- stores


def test_a_store_written_on_dask_loads_and_resumes_on_dask(client, gsf, tmp_path):
    out = tmp_path / "gsf"
    serial = mss_sim.run_batch(gsf, 34, seed=SEED)
    stored = mss_sim.run_batch(
        gsf, 20, seed=SEED, backend="dask", client=client, chunk_size=6, out=out
    )
    loaded = mss_sim.BatchResult.load(out)  # checksums verified
    head = mss_sim.run_batch(gsf, 20, seed=SEED)
    assert_identical(head, stored)
    assert_identical(head, loaded)
    assert [(r["start"], r["stop"]) for r in journal(out)] == [
        (0, 6),
        (6, 12),
        (12, 18),
        (18, 20),
    ]
    before = {group: columns(loaded, group) for group in ("scalars", "series", "parameters")}
    old_records = journal(out)
    old_files = {r["file"]: (out / r["file"]).read_bytes() for r in old_records}

    extended = mss_sim.run_batch(
        gsf, 34, seed=SEED, backend="dask", client=client, out=out, resume=True
    )
    assert_identical(serial, extended)
    assert_identical(serial, mss_sim.BatchResult.load(out))
    assert extended.meta["runs"] == 34
    # The first rows and the chunk files holding them are untouched; only 20..33 ran.
    for group, head_columns in before.items():
        now = columns(extended, group)
        for name, values in head_columns.items():
            assert now[name][:20].tobytes() == values.tobytes(), (group, name)
    records = journal(out)
    assert [r for r in records if r["start"] < 20] == old_records
    assert {f: (out / f).read_bytes() for f in old_files} == old_files
    new = [(r["start"], r["stop"]) for r in records if r["start"] >= 20]
    assert [i for a, b in new for i in range(a, b)] == list(range(20, 34))

    # Everything on disk: resuming again runs nothing and changes nothing.
    again = mss_sim.run_batch(
        gsf, 34, seed=SEED, backend="dask", client=client, out=out, resume=True
    )
    assert_identical(serial, again)
    assert journal(out) == records


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("backend", ["process", "serial"])
def test_a_client_is_only_for_the_dask_backend(client, gsf, backend):
    with pytest.raises(ValueError, match="client= and address= are for backend='dask'"):
        mss_sim.run_batch(gsf, 2, seed=0, backend=backend, client=client)


def test_client_and_address_together_are_refused(cluster, client, gsf):
    with pytest.raises(ValueError, match="give client= or address=, not both"):
        mss_sim.run_batch(
            gsf, 2, seed=0, backend="dask", client=client, address=cluster.scheduler_address
        )


def test_an_unreachable_scheduler_is_a_batch_error_naming_it():
    # In a child process, so that a hang cannot stall the test run.
    code = textwrap.dedent(
        f"""
        import time
        import mss_sim
        import mss_sim.batch.cluster

        mss_sim.batch.cluster.CONNECT_TIMEOUT = "3s"  # the default, 20 s, for the same error
        scenario = mss_sim.load_scenario({str(SCENARIOS / "gsf_2025.toml")!r})
        began = time.perf_counter()
        try:
            mss_sim.run_batch(scenario, 2, seed=0, backend="dask", address={UNREACHABLE!r})
        except mss_sim.BatchError as exc:
            print(round(time.perf_counter() - began, 1))
            print(exc)
        else:
            print("no error")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    seconds, message = done.stdout.split("\n", 1)
    assert f"cannot reach the Dask scheduler at {UNREACHABLE}" in message
    assert float(seconds) < 10


# --------------------------------------------------------------------------- failures


@pytest.fixture(scope="module")
def overflowing(tmp_path_factory) -> mss_sim.Scenario:
    """A valid scenario some of whose draws overflow: a pledge with a huge log-scale spread."""
    data = copy.deepcopy(load_raw(SCENARIOS / "gsf_2025.toml"))
    pledge = {"dist": "lognormal", "median": 1e6, "sigma": 1000.0}
    edit("funding.donors[0].pledge_usd", pledge)(data)
    path = tmp_path_factory.mktemp("overflow") / "gsf_2025.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    return mss_sim.load_scenario(path)


def test_a_replication_that_raises_on_a_worker_is_a_failure_and_the_others_are_kept(
    client, overflowing, tmp_path
):
    runs = 30
    serial = mss_sim.run_batch(overflowing, runs, seed=SEED)
    failed = [f.index for f in serial.failures]
    assert 0 < len(failed) < runs
    assert all("OverflowError" in f.error for f in serial.failures)

    on_dask = mss_sim.run_batch(
        overflowing, runs, seed=SEED, backend="dask", client=client, chunk_size=4
    )
    assert_identical(serial, on_dask)  # the same failures, messages included
    keep = np.isin(np.arange(runs), failed, invert=True)
    for name, values in on_dask.scalars.items():
        assert np.isnan(values[failed]).all(), name
    assert not np.isnan(on_dask.scalars["peak_deployed"][keep]).any()
    assert np.isnan(on_dask.series["deployed"][failed]).all()

    stored = mss_sim.run_batch(
        overflowing, runs, seed=SEED, backend="dask", client=client, out=tmp_path / "o"
    )
    assert_identical(serial, stored)
    assert_identical(serial, mss_sim.BatchResult.load(tmp_path / "o"))
