"""Saving and loading batch results: exact round trips through the results store,
its files, lazy reading, safety, clear errors, and results in the earlier format."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from legacy_format import edit_info, rewrite_arrays, write_legacy

import mss_sim
import mss_sim.batch.columns as columns_module
import mss_sim.batch.files as files_module
import mss_sim.batch.results as results_module
from mss_sim.batch import BatchResult, Failure
from mss_sim.batch.results import StoredColumns
from mss_sim.batch.store import Store
from mss_sim.errors import ResultsError

RUNS = 25
ROWS = 7  # replications per chunk file in the `chunked` store: 0-6, 7-13, 14-20, 21-24
STORE_ENTRIES = ["chunks", "chunks.jsonl", "store.json"]


# ---------------------------------------------------------------------- helpers


def handmade(runs: int = 4, offset: float = 0.0) -> BatchResult:
    months = np.arange("2025-11", "2026-04", dtype="datetime64[M]")
    nan_bits = np.array(
        [0x7FF8000000000001, 0xFFF8000000000000, 0x7FF4000000000000, 0x8000000000000001],
        dtype=np.uint64,
    ).view(np.float64)  # NaN payloads, a negative NaN, a signalling NaN, -5e-324
    deployed = np.arange(runs * 5, dtype=float).reshape(runs, 5) + offset
    deployed[0, 0] = -0.0
    deployed[-1, 2] = np.nan
    failures = (Failure(1, "ValueError: boom (x.py:3)"), Failure(3, "KeyError: 'ü'"))
    return BatchResult(
        scalars={
            "peak": np.array([1.5, np.nan, 3.25, -0.0])[:runs] + offset,
            "flag": np.array([0.0, 1.0, 1.0, np.nan])[:runs],
            "tiny": np.array([1e-300, 5e-324, np.inf, -np.inf])[:runs],
            "signs": np.array([0.0, -0.0, -0.0, 0.0])[:runs],
            "bits": nan_bits[:runs].copy(),
        },
        series={
            "deployed": deployed,
            "cash_balance": np.linspace(-1e9, 1e9, runs * 5).reshape(runs, 5) / 3,
        },
        months=months,
        parameters={
            "funding.opening_balance_usd": np.array([1e7, 2e7, np.nan, 4.5e7])[:runs],
            "deployment.contributors[0].pledged": np.array([760.0, 1000.5, 1499.0, 900.0])[:runs],
        },
        failures=tuple(f for f in failures if f.index < runs),
        meta={
            "scenario": "handmade",
            "scenario_hash": "0" * 64,
            "seed": 9,
            "runs": runs,
            "replications": [0, runs],
            "version": mss_sim.__version__,
            "created": "2025-01-01T00:00:00+00:00",
            "note": {"nested": [1, 2.5, None, "text"]},
        },
    )


def assert_same_arrays(expected: Mapping[str, np.ndarray], got: Mapping[str, np.ndarray]) -> None:
    assert list(expected) == list(got)
    for name in expected:
        want, have = expected[name], got[name]
        assert isinstance(have, np.ndarray), name
        assert have.dtype == want.dtype, name
        assert have.shape == want.shape, name
        assert have.tobytes() == want.tobytes(), name


def assert_same_result(expected: BatchResult, got: BatchResult, store: Path | None) -> None:
    """Check `got` holds exactly `expected`; `store` is the directory a store was loaded from."""
    assert_same_arrays(expected.scalars, got.scalars)
    assert_same_arrays(expected.series, got.series)
    assert_same_arrays(expected.parameters, got.parameters)
    assert got.months.dtype == np.dtype("datetime64[M]")
    assert got.months.tobytes() == expected.months.astype("datetime64[M]").tobytes()
    assert got.failures == expected.failures
    assert all(type(f) is Failure for f in got.failures)
    assert got.runs == expected.runs
    if store is None:
        assert got.meta == expected.meta
    else:
        assert got.meta["store"] == str(store)
        assert {k: v for k, v in got.meta.items() if k != "store"} == expected.meta


def width(result: BatchResult) -> int:
    """Values per replication that save() writes."""
    return len(result.scalars) + len(result.parameters) + len(result.series) * len(result.months)


def save_in_chunks(result: BatchResult, path: Path, rows: int, mp: pytest.MonkeyPatch) -> Path:
    """Save `result` with `rows` replications per chunk file."""
    mp.setattr(results_module, "_SAVE_ROWS_BYTES", rows * 8 * width(result))
    return result.save(path)


def journal(store: Path) -> list[dict]:
    text = (store / "chunks.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def write_journal(store: Path, lines: list[dict]) -> None:
    text = "".join(json.dumps(line) + "\n" for line in lines)
    (store / "chunks.jsonl").write_text(text, encoding="utf-8")


def manifest(store: Path) -> dict:
    return json.loads((store / "store.json").read_text(encoding="utf-8"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


class ReadCounter:
    """Records the calls of Store.read (the only place column data is read)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.calls: list[tuple[str, list[str]]] = []
        read = Store.read

        def counting(store, columns, *, kind):
            self.calls.append((kind, list(columns)))
            return read(store, columns, kind=kind)

        monkeypatch.setattr(Store, "read", counting)


# --------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def real(run_small) -> BatchResult:
    return run_small("gsf_2025", RUNS, 5)


@pytest.fixture(scope="module")
def saved(real, tmp_path_factory) -> Path:
    """The real batch saved as a store (one chunk file). Do not modify."""
    return real.save(tmp_path_factory.mktemp("store") / "gsf")


@pytest.fixture(scope="module")
def chunked(real, tmp_path_factory) -> Path:
    """The real batch saved as a store of several chunk files. Do not modify."""
    with pytest.MonkeyPatch.context() as mp:
        return save_in_chunks(real, tmp_path_factory.mktemp("chunked") / "gsf", ROWS, mp)


@pytest.fixture
def copy(chunked, tmp_path) -> Path:
    """A copy of the chunked store to damage."""
    return Path(shutil.copytree(chunked, tmp_path / "copy"))


@pytest.fixture(scope="module")
def legacy(real, tmp_path_factory) -> Path:
    """The real batch in the earlier format. Do not modify."""
    return write_legacy(real, tmp_path_factory.mktemp("legacy") / "gsf")


@pytest.fixture
def legacy_copy(legacy, tmp_path) -> Path:
    return Path(shutil.copytree(legacy, tmp_path / "copy"))


# ------------------------------------------------------------------- round trip


def test_round_trip_of_a_handmade_result_is_exact(tmp_path):
    result = handmade()
    returned = result.save(tmp_path / "res")
    assert returned == tmp_path / "res"
    loaded = BatchResult.load(tmp_path / "res")
    assert_same_result(result, loaded, tmp_path / "res")
    assert loaded.runs == 4
    assert loaded.failures == (
        Failure(1, "ValueError: boom (x.py:3)"),
        Failure(3, "KeyError: 'ü'"),
    )


def test_round_trip_of_a_batch_is_exact(real, saved):
    loaded = BatchResult.load(saved)
    assert_same_result(real, loaded, saved)
    assert isinstance(loaded.scalars, StoredColumns)
    assert loaded.series["deployed"].shape == (RUNS, len(real.months))


def test_round_trip_through_several_chunk_files_is_exact(real, chunked):
    lines = journal(chunked)
    assert [(line["start"], line["stop"]) for line in lines] == [
        (0, 7),
        (7, 14),
        (14, 21),
        (21, 25),
    ]
    assert_same_result(real, BatchResult.load(chunked), chunked)


@pytest.mark.parametrize("rows", [1, 3])
def test_handmade_result_through_several_chunk_files(tmp_path, monkeypatch, rows):
    result = handmade()
    save_in_chunks(result, tmp_path / "res", rows, monkeypatch)
    lines = journal(tmp_path / "res")
    assert len(lines) == math.ceil(4 / rows)
    bounds = [(line["start"], line["stop"]) for line in lines]
    assert bounds == [(a, min(a + rows, 4)) for a in range(0, 4, rows)]
    for line in lines:  # each failure is recorded with the chunk that holds it
        assert all(line["start"] <= i < line["stop"] for i, _ in line["failures"])
    assert sorted(i for line in lines for i, _ in line["failures"]) == [1, 3]
    assert_same_result(result, BatchResult.load(tmp_path / "res"), tmp_path / "res")


def test_load_accepts_str_paths(saved):
    loaded = BatchResult.load(str(saved))
    assert loaded.runs == RUNS
    assert loaded.meta["store"] == str(saved)


def test_meta_of_a_batch(real, saved):
    loaded = BatchResult.load(saved)
    meta = loaded.meta
    assert meta["scenario"] == "gsf_2025"
    assert re.fullmatch(r"[0-9a-f]{64}", meta["scenario_hash"])
    assert meta["seed"] == 5
    assert meta["runs"] == RUNS
    assert meta["replications"] == [0, RUNS]
    assert meta["version"] == mss_sim.__version__
    created = dt.datetime.fromisoformat(meta["created"])
    assert created.tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(hours=1)
    assert f"store={str(saved)!r}" in repr(loaded)


def test_a_loaded_store_saves_elsewhere_exactly(real, chunked, tmp_path):
    BatchResult.load(chunked).save(tmp_path / "again")
    assert_same_result(real, BatchResult.load(tmp_path / "again"), tmp_path / "again")


def test_a_loaded_store_saves_over_itself(real, copy, tmp_path):
    before = journal(copy)
    BatchResult.load(copy).save(copy)
    assert_same_result(real, BatchResult.load(copy), copy)
    assert journal(copy) == before  # the chunk files are copied as they are
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]


# ----------------------------------------------------------------- files on disk


def test_files_of_a_store(real, saved):
    assert sorted(p.name for p in saved.iterdir()) == STORE_ENTRIES
    info = manifest(saved)
    assert info["format"] == "mss_sim.BatchStore"
    assert info["format_version"] == 1
    assert info["runs"] == RUNS
    assert info["seed"] == 5
    assert info["scenario"] == "gsf_2025"
    assert info["scenario_hash"] == real.meta["scenario_hash"]
    assert info["version"] == mss_sim.__version__
    assert info["first_month"] == str(real.months[0])
    assert info["months"] == len(real.months)
    assert info["columns"] == {
        "scalars": list(real.scalars),
        "series": list(real.series),
        "parameters": list(real.parameters),
    }
    assert info["meta"] == real.meta


def test_journal_lists_each_chunk_file_with_its_checksum(chunked):
    lines = journal(chunked)
    files = [line["file"] for line in lines]
    assert files == sorted(f"chunks/{p.name}" for p in (chunked / "chunks").iterdir())
    assert all(f.endswith(".parquet") for f in files)
    for line in lines:
        assert line["sha256"] == sha256(chunked / line["file"])
        assert line["failures"] == []


def test_chunk_files_are_plain_parquet(real, chunked):
    months = len(real.months)
    expected_columns = [
        "replication",
        *real.scalars,
        *(f"param:{k}" for k in real.parameters),
        *(f"series:{n}" for n in real.series),
    ]
    for line in journal(chunked):
        start, stop = line["start"], line["stop"]
        table = pq.read_table(chunked / line["file"])
        assert table.column_names == expected_columns
        assert table.num_rows == stop - start
        assert table.schema.field("replication").type == pa.int64()
        assert table.column("replication").to_pylist() == list(range(start, stop))
        for name, values in real.scalars.items():
            assert table.schema.field(name).type == pa.float64()
            assert table.column(name).to_numpy().tobytes() == values[start:stop].tobytes()
        for name, values in real.parameters.items():
            column = table.column(f"param:{name}").to_numpy()
            assert column.tobytes() == values[start:stop].tobytes(), name
        for name, values in real.series.items():
            field = table.schema.field(f"series:{name}")
            assert field.type == pa.list_(pa.float64(), months)
            rows = np.array(table.column(f"series:{name}").to_pylist())
            assert rows.tobytes() == values[start:stop].tobytes(), name


def test_pandas_reads_the_chunk_directory(real, chunked):
    pd = pytest.importorskip("pandas")
    name = next(iter(real.scalars))
    key = next(iter(real.parameters))
    frame = pd.read_parquet(chunked / "chunks", columns=["replication", name, f"param:{key}"])
    assert frame["replication"].tolist() == list(range(RUNS))
    assert frame[name].to_numpy().tobytes() == real.scalars[name].tobytes()
    assert frame[f"param:{key}"].to_numpy().tobytes() == real.parameters[key].tobytes()


def test_chunk_file_of_a_handmade_result_keeps_special_values(tmp_path):
    result = handmade()
    result.save(tmp_path / "res")
    (line,) = journal(tmp_path / "res")
    table = pq.read_table(tmp_path / "res" / line["file"], columns=["bits", "series:deployed"])
    assert table.column("bits").to_numpy().tobytes() == result.scalars["bits"].tobytes()
    deployed = np.array(table.column("series:deployed").to_pylist())
    assert deployed.tobytes() == result.series["deployed"].tobytes()


# ------------------------------------------------------------------ lazy reading


def test_loading_reads_no_column_until_one_is_asked(real, chunked, monkeypatch):
    counter = ReadCounter(monkeypatch)
    opened = []
    read_table = pq.read_table
    monkeypatch.setattr(pq, "read_table", lambda *a, **k: opened.append(a) or read_table(*a, **k))
    loaded = BatchResult.load(chunked)
    assert loaded.meta["runs"] == RUNS
    assert loaded.months.tobytes() == real.months.tobytes()
    assert loaded.failures == real.failures
    assert list(loaded.scalars) == list(real.scalars)
    assert len(loaded.series) == len(real.series)
    assert next(iter(real.parameters)) in loaded.parameters
    assert counter.calls == []
    assert opened == []

    names = list(real.scalars)
    name = names[2]
    values = loaded.scalars[name]
    # one pass over the four chunk files reads it and the columns after it
    ((kind, read),) = counter.calls
    assert kind == "scalars" and read == names[2 : 2 + len(read)] and len(read) > 1
    assert len(opened) == 4
    assert values.tobytes() == real.scalars[name].tobytes()
    assert loaded.scalars[name] is values  # kept, not read again
    assert loaded.scalars[names[3]].tobytes() == real.scalars[names[3]].tobytes()
    assert len(counter.calls) == 1 and len(opened) == 4


@pytest.mark.parametrize("where", ["store", "memory without scalars"])
def test_runs_reads_no_column(real, chunked, monkeypatch, where):
    counter = ReadCounter(monkeypatch)
    if where == "store":
        result = BatchResult.load(chunked)
    else:
        result = BatchResult({}, real.series, real.months, {}, (), dict(real.meta))
    assert result.runs == RUNS
    assert f"runs={RUNS}" in repr(result)
    assert counter.calls == []


@pytest.mark.parametrize("kind", ["scalars", "parameters", "series"])
def test_iter_columns_reads_several_columns_per_pass(real, chunked, monkeypatch, kind):
    names = list(getattr(real, kind))[::-1][:4]
    loaded = BatchResult.load(chunked)
    assert loaded.runs == RUNS  # reads the first scalar column, see test_runs_reads_no_column
    counter = ReadCounter(monkeypatch)
    got = list(loaded.iter_columns(names, kind=kind))
    assert [n for n, _ in got] == names
    for name, values in got:
        assert values.tobytes() == getattr(real, kind)[name].tobytes(), name
    assert counter.calls == [(kind, names)]


def test_iter_columns_within_a_read_budget(real, chunked, monkeypatch):
    names = list(real.series)[:3]
    monkeypatch.setattr(results_module, "_READ_BUDGET", 1)
    loaded = BatchResult.load(chunked)
    assert loaded.runs == RUNS  # reads the first scalar column, see test_runs_reads_no_column
    counter = ReadCounter(monkeypatch)
    got = list(loaded.iter_columns(names, kind="series"))
    assert [n for n, _ in got] == names
    for name, values in got:
        assert values.tobytes() == real.series[name].tobytes(), name
    assert counter.calls == [("series", [name]) for name in names]


def test_iter_columns_of_a_result_in_memory(real):
    names = list(real.scalars)[:3]
    got = list(real.iter_columns(names))
    assert [n for n, _ in got] == names
    assert all(values is real.scalars[name] for name, values in got)


def test_stored_columns_is_a_read_only_mapping(real, saved):
    loaded = BatchResult.load(saved)
    scalars = loaded.scalars
    assert isinstance(scalars, Mapping)
    assert len(scalars) == len(real.scalars)
    assert list(scalars) == list(real.scalars)
    assert list(scalars.keys()) == list(real.scalars)
    first = next(iter(real.scalars))
    assert first in scalars
    assert "no such outcome" not in scalars
    assert 5 not in scalars
    with pytest.raises(KeyError, match="no such outcome"):
        scalars["no such outcome"]
    with pytest.raises(KeyError, match="no such outcome"):
        scalars.read_many([first, "no such outcome"])
    assert scalars.get("no such outcome") is None
    values = scalars[first]
    assert not values.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        values[0] = 1.0
    with pytest.raises(TypeError):
        scalars[first] = np.zeros(RUNS)  # type: ignore[index]
    with pytest.raises(TypeError):
        del scalars[first]  # type: ignore[attr-defined]
    assert dict(scalars).keys() == real.scalars.keys()
    series = loaded.series
    assert series.width() == len(real.months)
    assert scalars.width() == 1
    name = next(iter(real.series))
    assert series[name].shape == (RUNS, len(real.months))
    assert not series[name].flags.writeable
    assert str(saved) in repr(series)


def test_stored_columns_keep_recently_read_columns_within_a_budget(real, saved, monkeypatch):
    a, b = list(real.scalars)[:2]
    counter = ReadCounter(monkeypatch)
    loaded = BatchResult.load(saved)
    loaded.scalars[a], loaded.scalars[b], loaded.scalars[a]
    assert len(counter.calls) == 1  # b was read with a, and both were kept
    assert counter.calls[0][1][:2] == [a, b]
    monkeypatch.setattr(columns_module, "_CACHE_BYTES", RUNS * 8)  # room for one column
    loaded = BatchResult.load(saved)
    counter.calls.clear()
    loaded.scalars[a], loaded.scalars[b], loaded.scalars[b], loaded.scalars[a]
    assert counter.calls == [("scalars", [a]), ("scalars", [b]), ("scalars", [a])]


# ------------------------------------------------------------------------ frames


def test_to_frame(real):
    pd = pytest.importorskip("pandas")
    frame = real.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == RUNS
    expected = list(real.scalars) + [f"param:{k}" for k in real.parameters]
    assert list(frame.columns) == expected
    assert list(frame.index) == list(range(RUNS))
    assert frame.index.name == "replication"
    for name, values in real.scalars.items():
        assert frame[name].to_numpy().tobytes() == values.tobytes(), name
    for name, values in real.parameters.items():
        assert frame[f"param:{name}"].to_numpy().tobytes() == values.tobytes(), name


def test_to_frame_of_a_store_equals_the_one_in_memory(real, chunked):
    pd = pytest.importorskip("pandas")
    pd.testing.assert_frame_equal(BatchResult.load(chunked).to_frame(), real.to_frame())


def test_to_frame_of_a_store_reads_only_the_columns_asked(real, chunked, monkeypatch):
    pytest.importorskip("pandas")
    scalars = list(real.scalars)
    key = list(real.parameters)[1]
    columns = [scalars[3], f"param:{key}", scalars[0]]
    loaded = BatchResult.load(chunked)
    assert loaded.runs == RUNS  # reads the first scalar column, see test_runs_reads_no_column
    counter = ReadCounter(monkeypatch)
    frame = loaded.to_frame(columns=columns)
    assert list(frame.columns) == columns
    assert frame[scalars[3]].to_numpy().tobytes() == real.scalars[scalars[3]].tobytes()
    assert frame[scalars[0]].to_numpy().tobytes() == real.scalars[scalars[0]].tobytes()
    assert frame[f"param:{key}"].to_numpy().tobytes() == real.parameters[key].tobytes()
    assert sorted(counter.calls) == [("parameters", [key]), ("scalars", [scalars[3], scalars[0]])]


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("no_such", "no scalar outcome named 'no_such'"),
        ("param:x.y", "no uncertain parameter named 'x.y'"),
    ],
)
def test_to_frame_unknown_column(saved, column, message):
    pytest.importorskip("pandas")
    with pytest.raises(KeyError, match=re.escape(message)):
        BatchResult.load(saved).to_frame(columns=[column])


def test_to_frame_without_pandas(real, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=re.escape("mss-sim[pandas]")):
        real.to_frame()


# ---------------------------------------------------------- damaged chunk files


def chunk_file(store: Path, index: int) -> Path:
    return store / journal(store)[index]["file"]


@pytest.mark.parametrize("where", [0.0, 0.5, 1.0])
def test_chunk_file_altered_by_one_byte(copy, where):
    path = chunk_file(copy, 2)
    data = bytearray(path.read_bytes())
    data[min(int(len(data) * where), len(data) - 1)] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ResultsError, match="checksum mismatch") as exc:
        BatchResult.load(copy)
    assert str(path) in str(exc.value)


def test_checksum_check_can_be_skipped(real, copy):
    lines = journal(copy)
    lines[1]["sha256"] = "0" * 64
    write_journal(copy, lines)
    with pytest.raises(ResultsError, match="checksum mismatch") as exc:
        BatchResult.load(copy)
    assert str(copy / lines[1]["file"]) in str(exc.value)
    assert_same_result(real, BatchResult.load(copy, verify=False), copy)


def test_chunk_file_deleted(copy):
    path = chunk_file(copy, 1)
    path.unlink()
    with pytest.raises(ResultsError, match="file missing") as exc:
        BatchResult.load(copy)
    assert str(path) in str(exc.value)
    loaded = BatchResult.load(copy, verify=False)  # opens: nothing is read yet
    with pytest.raises(ResultsError, match="the chunk file is gone") as exc:
        loaded.scalars[next(iter(loaded.scalars))]
    assert str(path) in str(exc.value)


@pytest.mark.parametrize(
    ("drop", "done"), [([1], RUNS - ROWS), ([3], 21), ([0, 1, 2, 3], 0), ([0, 2], 11)]
)
def test_incomplete_store(copy, drop, done):
    write_journal(copy, [line for i, line in enumerate(journal(copy)) if i not in drop])
    with pytest.raises(ResultsError) as exc:
        BatchResult.load(copy)
    message = str(exc.value)
    assert message.startswith(f"{copy}: incomplete, {done} of {RUNS} replications on disk")


def test_store_without_a_journal_is_incomplete(copy):
    (copy / "chunks.jsonl").unlink()
    with pytest.raises(ResultsError, match=f"incomplete, 0 of {RUNS} replications"):
        BatchResult.load(copy)


def test_torn_journal_line_is_incomplete(copy):
    text = (copy / "chunks.jsonl").read_text(encoding="utf-8")
    (copy / "chunks.jsonl").write_text(text[: len(text) - 40], encoding="utf-8")
    with pytest.raises(ResultsError, match=f"incomplete, 21 of {RUNS} replications"):
        BatchResult.load(copy)


# -------------------------------------------------------------- damaged manifest


def edit_manifest(store: Path, **changes) -> None:
    info = manifest(store)
    info.update(changes)
    (store / "store.json").write_text(json.dumps(info), encoding="utf-8")


def load_error(store: Path) -> str:
    with pytest.raises(ResultsError) as exc:
        BatchResult.load(store)
    return str(exc.value)


@pytest.mark.parametrize("content", [b"{not json", b"", b"\xff\xfe\x00garbage"])
def test_manifest_not_json(copy, content):
    (copy / "store.json").write_bytes(content)
    assert load_error(copy).startswith(f"{copy / 'store.json'}: corrupt manifest")


@pytest.mark.parametrize("content", ["[1, 2]", '"text"', "null", "3"])
def test_manifest_not_an_object(copy, content):
    (copy / "store.json").write_text(content, encoding="utf-8")
    assert load_error(copy) == f"{copy / 'store.json'}: not an mss_sim results store"


@pytest.mark.parametrize("marker", ["something.Else", "mss_sim.BatchResult", None])
def test_manifest_with_the_wrong_format_marker(copy, marker):
    edit_manifest(copy, format=marker)
    assert load_error(copy) == f"{copy / 'store.json'}: not an mss_sim results store"


@pytest.mark.parametrize("version", [2, 0, "1", None])
def test_manifest_of_an_unsupported_version(copy, version):
    edit_manifest(copy, format_version=version)
    message = load_error(copy)
    assert message.startswith(f"{copy / 'store.json'}: store format version {version!r}")
    assert "is not supported (this version reads 1)" in message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("runs", None),
        ("runs", "many"),
        ("months", None),
        ("first_month", "not a month"),
        ("columns", ["scalars"]),
        ("columns", {"scalars": [], "series": []}),
        ("columns", {"scalars": [], "series": [], "parameters": 3}),
    ],
)
def test_manifest_with_a_bad_entry(copy, key, value):
    edit_manifest(copy, **{key: value})
    assert load_error(copy).startswith(f"{copy / 'store.json'}: incomplete manifest")


@pytest.mark.parametrize("key", ["runs", "months", "first_month", "columns"])
def test_manifest_with_a_missing_entry(copy, key):
    info = manifest(copy)
    del info[key]
    (copy / "store.json").write_text(json.dumps(info), encoding="utf-8")
    message = load_error(copy)
    assert message.startswith(f"{copy / 'store.json'}: incomplete manifest")
    assert key in message


@pytest.mark.parametrize(
    ("meta", "problem"),
    [
        (None, "bad or missing meta"),
        ("text", "bad or missing meta"),
        ({"scenario_hash": "x", "seed": 1}, "missing 'meta.scenario'"),
        ({"scenario": 3, "scenario_hash": "x", "seed": 1}, "bad or missing meta.scenario: 3"),
        ({"scenario": "s", "seed": 1}, "missing 'meta.scenario_hash'"),
        ({"scenario": "s", "scenario_hash": "x"}, "missing 'meta.seed'"),
        ({"scenario": "s", "scenario_hash": "x", "seed": "abc"}, "meta.seed: 'abc'"),
        ({"scenario": "s", "scenario_hash": "x", "seed": -1}, "meta.seed: -1"),
        ({"scenario": "s", "scenario_hash": "x", "seed": True}, "meta.seed: True"),
    ],
)
def test_manifest_with_damaged_metadata(copy, meta, problem):
    edit_manifest(copy, meta=meta)
    message = load_error(copy)
    assert message.startswith(f"{copy / 'store.json'}: incomplete manifest (")
    assert problem in message


@pytest.mark.parametrize(
    ("key", "value"), [("seed", 4), ("design", "bogus"), ("scenario_hash", "0" * 64)]
)
def test_metadata_that_disagrees_with_the_manifest_is_refused(copy, key, value):
    info = manifest(copy)
    kept = info[key]
    info["meta"][key] = value
    (copy / "store.json").write_text(json.dumps(info), encoding="utf-8")
    assert load_error(copy) == (
        f"{copy / 'store.json'}: incomplete manifest (bad or missing meta.{key}: "
        f"{value!r}, but {key} is {kept!r})"
    )


@pytest.mark.parametrize(("runs", "span"), [(150, [0, 150]), (RUNS, [0])])
def test_runs_come_from_what_is_on_disk_not_the_metadata(copy, runs, span):
    info = manifest(copy)
    info["meta"] |= {"runs": runs, "replications": span}
    (copy / "store.json").write_text(json.dumps(info), encoding="utf-8")
    loaded = BatchResult.load(copy)
    assert (loaded.runs, loaded.meta["replications"]) == (RUNS, [0, RUNS])


def test_manifest_without_metadata(copy):
    info = manifest(copy)
    del info["meta"]
    (copy / "store.json").write_text(json.dumps(info), encoding="utf-8")
    assert load_error(copy) == f"{copy / 'store.json'}: incomplete manifest (missing 'meta')"


# ------------------------------------------------------------ not a result at all


def test_load_missing_directory(tmp_path):
    with pytest.raises(ResultsError, match="no such results directory") as exc:
        BatchResult.load(tmp_path / "absent")
    assert str(tmp_path / "absent") in str(exc.value)


def test_load_a_file_instead_of_a_directory(tmp_path):
    path = tmp_path / "store.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(ResultsError, match="is a file, not a results directory") as exc:
        BatchResult.load(path)
    assert str(path) in str(exc.value)


@pytest.mark.parametrize("what", ["empty", "foreign", "store without store.json"])
def test_load_a_directory_that_is_no_result(copy, tmp_path, what):
    path = tmp_path / "dir"
    if what == "empty":
        path.mkdir()
    elif what == "foreign":
        path.mkdir()
        (path / "notes.txt").write_text("hello", encoding="utf-8")
    else:
        path = copy
        (copy / "store.json").unlink()
    with pytest.raises(ResultsError) as exc:
        BatchResult.load(path)
    assert str(exc.value) == f"{path}: not an mss_sim result (no store.json)"


def test_load_errors_are_mss_sim_errors(tmp_path):
    with pytest.raises(mss_sim.MssSimError):
        BatchResult.load(tmp_path / "absent")


# ------------------------------------------------------------------------ saving


def test_saving_over_a_store_replaces_it(tmp_path, chunked):
    target = Path(shutil.copytree(chunked, tmp_path / "res"))
    newer = handmade(runs=3, offset=100.0)
    newer.save(target)
    assert_same_result(newer, BatchResult.load(target), target)
    assert sorted(p.name for p in target.iterdir()) == STORE_ENTRIES
    assert len(list((target / "chunks").iterdir())) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["res"]


def test_saving_over_a_legacy_result_replaces_it(tmp_path):
    target = write_legacy(handmade(), tmp_path / "res")
    newer = handmade(runs=3, offset=100.0)
    newer.save(target)
    assert sorted(p.name for p in target.iterdir()) == STORE_ENTRIES
    assert_same_result(newer, BatchResult.load(target), target)
    assert [p.name for p in tmp_path.iterdir()] == ["res"]


def test_saving_into_an_empty_directory(tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    handmade().save(target)
    assert_same_result(handmade(), BatchResult.load(target), target)
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]


def test_saving_creates_parent_directories(tmp_path):
    target = tmp_path / "a" / "b" / "res"
    handmade().save(target)
    assert BatchResult.load(target).runs == 4
    assert tree(tmp_path / "a") == ["b", "b/res", *(f"b/res/{e}" for e in tree(target))]


def test_saving_into_a_foreign_directory_is_refused(tmp_path):
    target = tmp_path / "mine"
    (target / "sub").mkdir(parents=True)
    (target / "notes.txt").write_text("precious", encoding="utf-8")
    (target / "sub" / "data.bin").write_bytes(b"\x00\x01")
    with pytest.raises(
        ResultsError,
        match="exists, is not empty and is not an mss_sim result; refusing to replace it",
    ) as exc:
        handmade().save(target)
    assert str(target) in str(exc.value)
    assert tree(target) == ["notes.txt", "sub", "sub/data.bin"]
    assert (target / "notes.txt").read_text(encoding="utf-8") == "precious"
    assert (target / "sub" / "data.bin").read_bytes() == b"\x00\x01"
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_saving_onto_a_regular_file_is_refused(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("precious", encoding="utf-8")
    with pytest.raises(ResultsError, match="exists and is not a directory") as exc:
        handmade().save(target)
    assert str(target) in str(exc.value)
    assert target.read_text(encoding="utf-8") == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


def test_saving_under_a_regular_file_is_refused(tmp_path):
    blocking = tmp_path / "file.txt"
    blocking.write_text("precious", encoding="utf-8")
    target = blocking / "sub" / "res"
    with pytest.raises(ResultsError, match="cannot create it") as exc:
        handmade().save(target)
    assert f"{blocking} is not a directory" in str(exc.value)
    assert blocking.read_text(encoding="utf-8") == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_save_leaves_no_trace(tmp_path, monkeypatch, error, existing):
    target = tmp_path / "res"
    earlier = handmade(offset=7.0)
    if existing:
        earlier.save(target)
        before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    write_chunk_file = files_module.write_chunk_file
    written = []

    def failing(path, chunk, names, **kwargs):
        if written:
            raise error
        written.append(chunk.start)
        return write_chunk_file(path, chunk, names, **kwargs)

    monkeypatch.setattr(files_module, "write_chunk_file", failing)
    with pytest.raises(type(error)):
        save_in_chunks(handmade(), target, 1, monkeypatch)
    assert written == [0]
    if existing:
        assert [p.name for p in tmp_path.iterdir()] == ["res"]
        assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
        assert_same_result(earlier, BatchResult.load(target), target)
    else:
        assert list(tmp_path.iterdir()) == []


# -------------------------------------------------------- the earlier format


def test_legacy_round_trip_of_a_handmade_result_is_exact(tmp_path):
    result = handmade()
    loaded = BatchResult.load(write_legacy(result, tmp_path / "old"))
    assert_same_result(result, loaded, None)
    assert isinstance(loaded.scalars, dict)
    assert "store" not in loaded.meta


def test_legacy_round_trip_of_a_batch_is_exact(real, legacy):
    loaded = BatchResult.load(legacy)
    assert_same_result(real, loaded, None)
    assert all(type(v) is np.ndarray for v in loaded.scalars.values())


def test_legacy_result_saves_as_a_store(real, legacy, tmp_path):
    BatchResult.load(legacy).save(tmp_path / "new")
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == STORE_ENTRIES
    assert_same_result(real, BatchResult.load(tmp_path / "new"), tmp_path / "new")


def test_legacy_without_result_json_is_not_a_result(legacy_copy):
    (legacy_copy / "result.json").unlink()
    with pytest.raises(ResultsError, match=r"not an mss_sim result \(no store\.json\)"):
        BatchResult.load(legacy_copy)


@pytest.mark.parametrize("content", [b"{not json", b"", b"\xff\xfe\x00garbage"])
def test_legacy_result_json_not_json(legacy_copy, content):
    (legacy_copy / "result.json").write_bytes(content)
    with pytest.raises(ResultsError, match="corrupt metadata") as exc:
        BatchResult.load(legacy_copy)
    assert str(legacy_copy / "result.json") in str(exc.value)


@pytest.mark.parametrize("content", ["[1, 2]", '"text"', "null"])
def test_legacy_result_json_not_an_object(legacy_copy, content):
    (legacy_copy / "result.json").write_text(content, encoding="utf-8")
    with pytest.raises(ResultsError, match="not an mss_sim result"):
        BatchResult.load(legacy_copy)


def test_legacy_wrong_format_marker(legacy_copy):
    edit_info(legacy_copy, format="something.Else")
    with pytest.raises(ResultsError, match=r"not an mss_sim result \(format 'something\.Else'\)"):
        BatchResult.load(legacy_copy)


@pytest.mark.parametrize("version", [2, 0, "1", None])
def test_legacy_unsupported_format_version(legacy_copy, version):
    edit_info(legacy_copy, format_version=version)
    with pytest.raises(ResultsError, match="is not supported"):
        BatchResult.load(legacy_copy)


def test_legacy_arrays_missing(legacy_copy):
    (legacy_copy / "arrays.npz").unlink()
    with pytest.raises(ResultsError, match=r"arrays\.npz is missing") as exc:
        BatchResult.load(legacy_copy)
    assert str(legacy_copy) in str(exc.value)


@pytest.mark.parametrize("where", [0.0, 0.5, 1.0])
def test_legacy_arrays_altered_by_one_byte(legacy_copy, where):
    path = legacy_copy / "arrays.npz"
    data = bytearray(path.read_bytes())
    data[min(int(len(data) * where), len(data) - 1)] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ResultsError, match="checksum mismatch") as exc:
        BatchResult.load(legacy_copy)
    assert str(path) in str(exc.value)


@pytest.mark.parametrize("key", ["months", "scalar_0", "scalar_3", "series_1", "param_2"])
def test_legacy_missing_array_entry(legacy_copy, key):
    def drop(arrays):
        assert key in arrays
        del arrays[key]

    rewrite_arrays(legacy_copy, drop)
    with pytest.raises(ResultsError) as exc:
        BatchResult.load(legacy_copy)
    message = str(exc.value)
    assert str(legacy_copy) in message
    assert "incomplete" in message
    assert key in message


@pytest.mark.parametrize("key", ["scalar_0", "series_0", "param_0"])
def test_legacy_array_of_the_wrong_shape(legacy_copy, key):
    def truncate(arrays):
        arrays[key] = arrays[key][:-1]

    rewrite_arrays(legacy_copy, truncate)
    with pytest.raises(ResultsError, match="has shape") as exc:
        BatchResult.load(legacy_copy)
    assert str(legacy_copy) in str(exc.value)


def test_legacy_arrays_not_a_zip(legacy_copy):
    path = legacy_copy / "arrays.npz"
    path.write_bytes(b"this is not a zip file")
    edit_info(legacy_copy, arrays_sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    with pytest.raises(ResultsError, match="unreadable") as exc:
        BatchResult.load(legacy_copy)
    assert str(path) in str(exc.value)


def test_a_first_month_that_is_no_date_is_named(copy):
    edit_manifest(copy, first_month="x")
    assert load_error(copy) == (
        f"{copy / 'store.json'}: incomplete manifest (bad or missing first_month: 'x')"
    )
