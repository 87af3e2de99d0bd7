"""Writing results in the earlier single-file format (``result.json`` + ``arrays.npz``).

The library no longer writes this format but still reads it; the tests write it
with :func:`write_legacy`, which produces the files the earlier ``BatchResult.save``
produced.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mss_sim.batch import BatchResult

FORMAT = "mss_sim.BatchResult"
FORMAT_VERSION = 1
ARRAYS = "arrays.npz"
META = "result.json"


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of the file at `path`."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def legacy_arrays(result: BatchResult) -> dict[str, np.ndarray]:
    """Return the entries of ``arrays.npz`` for `result`."""
    arrays = {f"scalar_{i}": np.asarray(v) for i, v in enumerate(result.scalars.values())}
    arrays |= {f"series_{i}": np.asarray(v) for i, v in enumerate(result.series.values())}
    arrays |= {f"param_{i}": np.asarray(v) for i, v in enumerate(result.parameters.values())}
    arrays["months"] = result.months.astype("datetime64[M]").astype(np.int64)
    return arrays


def write_legacy(result: BatchResult, directory: Path) -> Path:
    """Write `result` to the new directory `directory` in the earlier format."""
    directory.mkdir(parents=True)
    with open(directory / ARRAYS, "wb") as fh:
        np.savez_compressed(fh, allow_pickle=False, **legacy_arrays(result))
    info = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "arrays_sha256": sha256(directory / ARRAYS),
        "scalars": list(result.scalars),
        "series": list(result.series),
        "parameters": list(result.parameters),
        "failures": [[f.index, f.error] for f in result.failures],
        "meta": result.meta,
    }
    (directory / META).write_text(json.dumps(info, indent=1), encoding="utf-8")
    return directory


def edit_info(directory: Path, **changes: Any) -> None:
    """Change top-level entries of ``result.json``."""
    path = directory / META
    info = json.loads(path.read_text(encoding="utf-8"))
    info.update(changes)
    path.write_text(json.dumps(info), encoding="utf-8")


def rewrite_arrays(directory: Path, change: Callable[[dict[str, np.ndarray]], None]) -> None:
    """Rewrite ``arrays.npz`` through `change(arrays)` and record its new checksum."""
    path = directory / ARRAYS
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    change(arrays)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, allow_pickle=False, **arrays)
    edit_info(directory, arrays_sha256=sha256(path))
