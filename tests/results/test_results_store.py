"""Saving and loading batch results: exact round trips, safety and clear errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import mss_sim
from mss_sim.batch import BatchResult, Failure
from mss_sim.errors import ResultsError

RUNS = 25


@pytest.fixture(scope="module")
def real(run_small) -> BatchResult:
    return run_small("gsf_2025", RUNS, 5)


@pytest.fixture(scope="module")
def saved(real, tmp_path_factory) -> Path:
    return real.save(tmp_path_factory.mktemp("store") / "gsf")


def handmade(runs: int = 4, offset: float = 0.0) -> BatchResult:
    months = np.arange("2025-11", "2026-04", dtype="datetime64[M]")
    return BatchResult(
        scalars={
            "peak": np.array([1.5, np.nan, 3.25, -0.0])[:runs] + offset,
            "flag": np.array([0.0, 1.0, 1.0, np.nan])[:runs],
            "tiny": np.array([1e-300, 5e-324, np.inf, -np.inf])[:runs],
        },
        series={
            "deployed": np.arange(runs * 5, dtype=float).reshape(runs, 5) + offset,
            "cash_balance": np.linspace(-1e9, 1e9, runs * 5).reshape(runs, 5) / 3,
        },
        months=months,
        parameters={
            "funding.opening_balance_usd": np.array([1e7, 2e7, np.nan, 4.5e7])[:runs],
            "deployment.contributors[0].pledged": np.array([760.0, 1000.5, 1499.0, 900.0])[:runs],
        },
        failures=(Failure(1, "ValueError: boom (x.py:3)"), Failure(3, "KeyError: 'ü'")),
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


def assert_same_arrays(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert list(a) == list(b)
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        assert a[name].shape == b[name].shape, name
        assert a[name].tobytes() == b[name].tobytes(), name


def assert_same_result(a: BatchResult, b: BatchResult) -> None:
    assert_same_arrays(a.scalars, b.scalars)
    assert_same_arrays(a.series, b.series)
    assert_same_arrays(a.parameters, b.parameters)
    assert a.months.dtype == b.months.dtype == np.dtype("datetime64[M]")
    assert np.array_equal(a.months, b.months)
    assert a.failures == b.failures
    assert a.meta == b.meta


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_result(source: Path, target: Path) -> Path:
    target.mkdir()
    for name in ("result.json", "arrays.npz"):
        (target / name).write_bytes((source / name).read_bytes())
    return target


# ------------------------------------------------------------------- round trip


def test_round_trip_of_a_handmade_result_is_exact(tmp_path):
    result = handmade()
    returned = result.save(tmp_path / "res")
    assert returned == tmp_path / "res"
    loaded = BatchResult.load(tmp_path / "res")
    assert_same_result(result, loaded)
    assert loaded.runs == 4


def test_round_trip_of_a_batch_is_exact(real, saved):
    loaded = BatchResult.load(saved)
    assert_same_result(real, loaded)
    for name, values in real.scalars.items():
        assert np.array_equal(loaded.scalars[name], values, equal_nan=True), name


def test_load_accepts_str_paths(saved):
    assert BatchResult.load(str(saved)).runs == RUNS


def test_meta_of_a_batch(real, saved):
    meta = BatchResult.load(saved).meta
    assert meta["scenario"] == "gsf_2025"
    assert re.fullmatch(r"[0-9a-f]{64}", meta["scenario_hash"])
    assert meta["seed"] == 5
    assert meta["runs"] == RUNS
    assert meta["version"] == mss_sim.__version__
    created = dt.datetime.fromisoformat(meta["created"])
    assert created.tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(hours=1)


def test_files_on_disk(saved):
    assert sorted(p.name for p in saved.iterdir()) == ["arrays.npz", "result.json"]
    info = json.loads((saved / "result.json").read_text(encoding="utf-8"))
    assert info["format"] == "mss_sim.BatchResult"
    assert info["format_version"] == 1
    assert info["arrays_sha256"] == sha256(saved / "arrays.npz")


def test_arrays_load_without_pickle(saved):
    with np.load(saved / "arrays.npz", allow_pickle=False) as data:
        assert data.files
        for key in data.files:
            array = data[key]
            assert array.dtype != object, key
            assert array.dtype.kind in "fiu", (key, array.dtype)


def test_hand_made_arrays_load_without_pickle(tmp_path):
    handmade().save(tmp_path / "res")
    with np.load(tmp_path / "res" / "arrays.npz", allow_pickle=False) as data:
        assert all(data[key].dtype != object for key in data.files)


# ----------------------------------------------------------------------- saving


def test_saving_over_a_result_replaces_it(tmp_path):
    target = tmp_path / "res"
    handmade(offset=0.0).save(target)
    newer = handmade(runs=3, offset=100.0)
    newer.save(target)
    assert_same_result(newer, BatchResult.load(target))
    assert sorted(p.name for p in target.iterdir()) == ["arrays.npz", "result.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["res"]


def test_saving_into_an_empty_directory(tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    handmade().save(target)
    assert_same_result(handmade(), BatchResult.load(target))


def test_saving_creates_parent_directories(tmp_path):
    target = tmp_path / "a" / "b" / "res"
    handmade().save(target)
    assert BatchResult.load(target).runs == 4


def test_saving_into_a_foreign_directory_is_refused(tmp_path):
    target = tmp_path / "mine"
    (target / "sub").mkdir(parents=True)
    (target / "notes.txt").write_text("precious", encoding="utf-8")
    (target / "sub" / "data.bin").write_bytes(b"\x00\x01")
    with pytest.raises(ResultsError, match="not an mss_sim result"):
        handmade().save(target)
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == [
        "notes.txt",
        "sub",
        "sub/data.bin",
    ]
    assert (target / "notes.txt").read_text(encoding="utf-8") == "precious"
    assert (target / "sub" / "data.bin").read_bytes() == b"\x00\x01"
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_saving_onto_a_regular_file_is_refused(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("precious", encoding="utf-8")
    with pytest.raises(ResultsError):
        handmade().save(target)
    assert target.read_text(encoding="utf-8") == "precious"


# ----------------------------------------------------------------- load errors


@pytest.fixture
def copy(saved, tmp_path) -> Path:
    return copy_result(saved, tmp_path / "copy")


def write_info(folder: Path, **changes) -> None:
    info = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    info.update(changes)
    (folder / "result.json").write_text(json.dumps(info), encoding="utf-8")


def test_load_missing_directory(tmp_path):
    with pytest.raises(ResultsError, match="no such results directory"):
        BatchResult.load(tmp_path / "absent")


def test_load_a_file_instead_of_a_directory(tmp_path):
    path = tmp_path / "file.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(ResultsError, match="no such results directory"):
        BatchResult.load(path)


def test_load_directory_without_result_json(copy):
    (copy / "result.json").unlink()
    with pytest.raises(ResultsError, match=r"not an mss_sim result \(no result\.json\)"):
        BatchResult.load(copy)


@pytest.mark.parametrize("content", [b"{not json", b"", b"\xff\xfe\x00garbage"])
def test_load_result_json_not_json(copy, content):
    (copy / "result.json").write_bytes(content)
    with pytest.raises(ResultsError, match="corrupt metadata"):
        BatchResult.load(copy)


@pytest.mark.parametrize("content", ["[1, 2]", '"text"', "null"])
def test_load_result_json_not_an_object(copy, content):
    (copy / "result.json").write_text(content, encoding="utf-8")
    with pytest.raises(ResultsError, match="not an mss_sim result"):
        BatchResult.load(copy)


def test_load_wrong_format_marker(copy):
    write_info(copy, format="something.Else")
    with pytest.raises(ResultsError, match=r"not an mss_sim result \(format 'something\.Else'\)"):
        BatchResult.load(copy)


@pytest.mark.parametrize("version", [2, 0, "1", None])
def test_load_unsupported_format_version(copy, version):
    write_info(copy, format_version=version)
    with pytest.raises(ResultsError, match="is not supported"):
        BatchResult.load(copy)


def test_load_arrays_missing(copy):
    (copy / "arrays.npz").unlink()
    with pytest.raises(ResultsError, match=r"arrays\.npz is missing"):
        BatchResult.load(copy)


@pytest.mark.parametrize("where", [0.0, 0.5, 1.0])
def test_load_arrays_altered_by_one_byte(copy, where):
    path = copy / "arrays.npz"
    data = bytearray(path.read_bytes())
    index = min(int(len(data) * where), len(data) - 1)
    data[index] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ResultsError, match="checksum mismatch"):
        BatchResult.load(copy)


def rewrite_arrays(folder: Path, change) -> None:
    """Rewrite arrays.npz through `change(dict)` and update the checksum to match."""
    path = folder / "arrays.npz"
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    change(arrays)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    write_info(folder, arrays_sha256=sha256(path))


@pytest.mark.parametrize("key", ["months", "scalar_0", "scalar_3", "series_1", "param_2"])
def test_load_missing_array_entry(copy, key):
    def drop(arrays):
        assert key in arrays
        del arrays[key]

    rewrite_arrays(copy, drop)
    with pytest.raises(ResultsError) as exc:
        BatchResult.load(copy)
    message = str(exc.value)
    assert str(copy) in message
    assert "incomplete" in message
    assert key in message


@pytest.mark.parametrize("key", ["scalar_0", "series_0", "param_0"])
def test_load_array_of_the_wrong_shape(copy, key):
    def truncate(arrays):
        arrays[key] = arrays[key][:-1]

    rewrite_arrays(copy, truncate)
    with pytest.raises(ResultsError, match="has shape"):
        BatchResult.load(copy)


def test_load_arrays_not_a_zip(copy):
    path = copy / "arrays.npz"
    path.write_bytes(b"this is not a zip file")
    write_info(copy, arrays_sha256=sha256(path))
    with pytest.raises(ResultsError, match="unreadable"):
        BatchResult.load(copy)


def test_load_errors_are_mss_sim_errors(tmp_path):
    with pytest.raises(mss_sim.MssSimError):
        BatchResult.load(tmp_path / "absent")


# ----------------------------------------------------------------------- frames


def test_to_frame(real):
    pd = pytest.importorskip("pandas")
    frame = real.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == RUNS
    expected = list(real.scalars) + [f"param:{k}" for k in real.parameters]
    assert list(frame.columns) == expected
    assert list(frame.index) == list(range(RUNS))
    for name, values in real.scalars.items():
        assert np.array_equal(frame[name].to_numpy(), values, equal_nan=True), name
    for name, values in real.parameters.items():
        assert np.array_equal(frame[f"param:{name}"].to_numpy(), values, equal_nan=True), name


def test_to_frame_without_pandas(real, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=re.escape("mss-sim[pandas]")):
        real.to_frame()
