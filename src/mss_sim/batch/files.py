"""Writing a results store: chunk files, the journal, the manifest and the lock.

The layout and the reading side are in :mod:`mss_sim.batch.store`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from mss_sim.batch.chunk import ChunkData, Failure, OutputNames
from mss_sim.batch.store import (
    CHUNKS,
    JOURNAL,
    LOCK,
    MANIFEST,
    OWN_ENTRIES,
    PARAM,
    SERIES,
    STORE_FORMAT,
    STORE_VERSION,
    ChunkRecord,
    Store,
)
from mss_sim.errors import BatchError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "append_journal",
    "chunk_table",
    "copy_store",
    "new_manifest",
    "remove_own_entries",
    "rewrite_journal",
    "take_lock",
    "write_chunk_file",
    "write_manifest",
    "write_store",
]


def chunk_table(chunk: ChunkData, names: OutputNames) -> Any:
    """Return the chunk's outputs as a :class:`pyarrow.Table` in the store's columns."""
    import pyarrow as pa

    months = chunk.series.shape[2]
    columns: dict[str, Any] = {"replication": pa.array(np.arange(chunk.start, chunk.stop))}
    for j, name in enumerate(names.scalars):
        columns[name] = pa.array(chunk.scalars[:, j])
    for j, name in enumerate(names.parameters):
        columns[PARAM + name] = pa.array(chunk.parameters[:, j])
    for j, name in enumerate(names.series):
        flat = pa.array(np.ascontiguousarray(chunk.series[:, j, :]).ravel())
        columns[SERIES + name] = pa.FixedSizeListArray.from_arrays(flat, months)
    return pa.table(columns)


def _write_atomic(path: Path, data: bytes) -> None:
    # No fsync: a file torn by a power cut fails its checksum and is run again.
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def take_lock(path: Path) -> IO[str]:
    """Take the lock of the store directory `path`; return the open lock file.

    The lock is the operating system's (``flock``) on ``path/.lock``: it is
    released when the file is closed or its process ends, however it ends.

    Raises
    ------
    BatchError
        If another process holds it; the message names that process.
    """
    fh = open(path / LOCK, "a+", encoding="utf-8")  # noqa: SIM115 - held for the batch
    if fcntl is None:  # pragma: no cover - Windows: no lock
        return fh
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        fh.close()
        raise BatchError(
            f"{path}: another run (process {holder}) is writing into it; wait for it to "
            "finish or choose another directory"
        ) from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"{os.getpid()}\n")
    fh.flush()
    return fh


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically."""
    _write_atomic(path / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))


def write_chunk_file(
    path: Path, chunk: ChunkData, names: OutputNames, *, tag: str | None = None
) -> ChunkRecord:
    """Write a chunk's Parquet file in place (atomically) and return its record.

    `tag` (the store's batch id) goes into the file name, so that a result opened
    from an earlier batch in the same directory never reads this batch's files.
    The caller appends the record to the journal with :func:`append_journal`.
    """
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(chunk_table(chunk, names), buffer, compression="zstd", write_page_checksum=True)
    data = buffer.getvalue()
    name = f"{CHUNKS}/{chunk.start:012d}-{chunk.stop:012d}{'-' + tag if tag else ''}.parquet"
    (path / CHUNKS).mkdir(exist_ok=True)
    _write_atomic(path / name, data)
    failures = tuple(sorted(chunk.failures, key=lambda f: f.index))
    return ChunkRecord(
        chunk.start,
        chunk.stop,
        name,
        hashlib.sha256(data).hexdigest(),
        failures,
        chunk.crashed,
    )


def append_journal(path: Path, record: ChunkRecord) -> None:
    """Append a record to the journal (one write of one line)."""
    with open(path / JOURNAL, "a", encoding="utf-8") as fh:
        fh.write(record.to_json() + "\n")


def rewrite_journal(path: Path, records: Iterable[ChunkRecord]) -> None:
    """Replace the journal by `records` atomically."""
    text = "".join(r.to_json() + "\n" for r in sorted(records, key=lambda r: r.start))
    _write_atomic(path / JOURNAL, text.encode("utf-8"))


def remove_own_entries(path: Path, *, keep: Sequence[str] = ()) -> None:
    """Delete what a store or an earlier-format result put in `path`, nothing else."""
    for entry in OWN_ENTRIES:
        if entry in keep:
            continue
        target = path / entry
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()


def new_manifest(
    *,
    meta: Mapping[str, Any],
    runs: int,
    months: np.ndarray,
    names: OutputNames,
    chunk_size: int | None,
    version: str,
    created: str | None,
    batch_id: str | None = None,
) -> dict[str, Any]:
    """Return the manifest of a store holding `runs` replications of a result with `meta`.

    Missing meta entries (a result built by hand) are recorded as null.
    """
    month_list = [str(m) for m in np.asarray(months).astype("datetime64[M]")]
    return {
        "batch_id": batch_id,
        "format": STORE_FORMAT,
        "format_version": STORE_VERSION,
        "scenario": meta.get("scenario"),
        "scenario_description": meta.get("scenario_description", ""),
        "scenario_hash": meta.get("scenario_hash"),
        "seed": meta.get("seed"),
        "design": meta.get("design") or "monte_carlo",
        "runs": runs,
        "chunk_size": chunk_size,
        "version": meta.get("version", version),
        "created": created,
        "updated": created,
        "first_month": month_list[0] if month_list else None,
        "months": len(month_list),
        "month_list": month_list,
        "columns": {
            "scalars": list(names.scalars),
            "series": list(names.series),
            "parameters": list(names.parameters),
        },
        "storage": "one Parquet file (zstd) per chunk; see mss_sim.batch.store",
        "meta": dict(meta),
    }


def write_store(
    path: Path,
    *,
    scalars: Mapping[str, np.ndarray],
    series: Mapping[str, np.ndarray],
    parameters: Mapping[str, np.ndarray],
    months: np.ndarray,
    failures: Sequence[Failure],
    meta: Mapping[str, Any],
    runs: int,
    version: str,
    chunk_bytes: int,
) -> None:
    """Write outputs held in arrays as a complete store in the empty directory `path`.

    Chunk files hold about `chunk_bytes` of outputs each.
    """
    names = OutputNames(tuple(scalars), tuple(series), tuple(parameters))
    n_months = len(months)
    width = len(names.scalars) + len(names.parameters) + len(names.series) * n_months
    rows = max(1, chunk_bytes // max(1, 8 * width))
    tag = uuid.uuid4().hex[:12]
    meta = {k: v for k, v in meta.items() if k != "store"}
    write_manifest(
        path,
        new_manifest(
            meta=meta,
            runs=runs,
            months=months,
            names=names,
            chunk_size=rows,
            version=version,
            created=meta.get("created"),
            batch_id=tag,
        ),
    )
    records = []
    for start in range(0, runs, rows):
        stop = min(runs, start + rows)
        part = slice(start, stop)
        chunk = ChunkData(
            start,
            stop,
            _stack([scalars[n][part] for n in names.scalars], stop - start),
            _stack([series[n][part] for n in names.series], stop - start, n_months),
            _stack([parameters[n][part] for n in names.parameters], stop - start),
            [f for f in failures if start <= f.index < stop],
        )
        records.append(write_chunk_file(path, chunk, names, tag=tag))
    rewrite_journal(path, records)


def copy_store(store: Store, path: Path, meta: Mapping[str, Any]) -> None:
    """Copy `store` (its chunk files as they are) into the empty directory `path`."""
    (path / CHUNKS).mkdir()
    for record in store.records:
        shutil.copyfile(store.path / record.file, path / record.file)
    write_manifest(
        path, {**store.manifest, "meta": {k: v for k, v in meta.items() if k != "store"}}
    )
    rewrite_journal(path, store.records)


def _stack(columns: list[np.ndarray], n: int, months: int | None = None) -> np.ndarray:
    shape = (n, len(columns)) if months is None else (n, len(columns), months)
    out = np.empty(shape)
    for j, column in enumerate(columns):
        out[:, j] = column
    return out
