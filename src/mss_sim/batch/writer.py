"""Writing a batch into a store directory: the lock, resume, overwrite and repair.

:meth:`StoreWriter.open` decides, before any replication runs, what a batch
may do with its directory: create it, continue the chunks already there
(``resume``), discard them (``overwrite``) or refuse with a
:class:`~mss_sim.errors.BatchError` that names the directory and the reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from pathlib import Path
from typing import IO, Any

from mss_sim.batch.chunk import ChunkData
from mss_sim.batch.design import extensible
from mss_sim.batch.files import (
    append_journal,
    remove_own_entries,
    rewrite_journal,
    take_lock,
    write_chunk_file,
    write_manifest,
)
from mss_sim.batch.store import (
    CHUNKS,
    JOURNAL,
    LOCK,
    ChunkRecord,
    Store,
    directory_kind,
    missing_ranges,
    read_journal,
    read_manifest,
    target_problem,
)
from mss_sim.errors import BatchError, ResultsError

__all__ = ["StoreWriter", "check_target"]

_OVERWRITE = "--overwrite (overwrite=True in Python)"
# The manifest entries a resumed batch must share with the store.
_IDENTITY = ("scenario_hash", "seed", "version", "first_month", "months", "columns")


def check_target(path: Path) -> None:
    """Raise BatchError if `path` can never be a results directory."""
    problem = target_problem(path)
    if problem is not None:
        raise BatchError(f"{problem}; choose another directory (--out)")


def _describe(manifest: dict[str, Any]) -> str:
    return (
        f"scenario {manifest.get('scenario')!r} (hash {str(manifest.get('scenario_hash'))[:12]}), "
        f"seed {manifest.get('seed')}, mss_sim {manifest.get('version')}"
    )


class StoreWriter:
    """Owns a store directory while a batch writes into it.

    Attributes
    ----------
    path : pathlib.Path
        The directory.
    found : int
        Replications already on disk when the batch started.
    repaired : list of str
        One line per chunk found corrupt or missing and scheduled to run again.
    todo : list of tuple of int
        The ranges of replications still to run.
    """

    def __init__(self, path: Path, lock: IO[str], manifest: dict[str, Any]):
        self.path = path
        self._lock: IO[str] | None = lock
        self.manifest = manifest
        self.names = Store(path, manifest, []).names
        self.records: list[ChunkRecord] = []
        self.found = 0
        self.repaired: list[str] = []
        self.todo: list[tuple[int, int]] = [(0, int(manifest["runs"]))]
        self.created = False  # True when this batch made the directory (or found it empty)

    @classmethod
    def open(
        cls, path: Path, manifest: dict[str, Any], *, resume: bool, overwrite: bool
    ) -> StoreWriter:
        """Take `path` for a batch described by `manifest`.

        Raises
        ------
        BatchError
            If `path` is a file or a foreign directory, is being written by another
            process, holds a different batch (without `overwrite`), or holds
            anything without `resume` or `overwrite`.
        """
        check_target(path)
        existed = path.exists()
        path.mkdir(parents=True, exist_ok=True)
        lock = take_lock(path)
        try:
            writer = cls(path, lock, manifest)
            writer.created = not existed
            kind = directory_kind(path)  # under the lock: nobody changes it now
            if kind == "other":
                check_target(path)
            if kind == "legacy" and not overwrite:
                raise BatchError(
                    f"{path}: holds a result saved in the earlier single-file format, "
                    f"which cannot be resumed; replace it with {_OVERWRITE} or choose "
                    "another directory"
                )
            if kind == "store" and not overwrite:
                writer._resume(resume)
            else:
                remove_own_entries(path, keep=(LOCK,))
                writer.manifest = {**manifest, "batch_id": uuid.uuid4().hex[:12]}
                write_manifest(path, writer.manifest)
                rewrite_journal(path, [])
            return writer
        except BaseException:
            lock.close()
            raise

    def _resume(self, resume: bool) -> None:
        try:
            old = read_manifest(self.path)
        except ResultsError as exc:
            raise BatchError(f"{exc}; replace it with {_OVERWRITE}") from None
        old_design, design = old.get("design") or "monte_carlo", self.manifest["design"]
        if old_design != design:
            raise BatchError(
                f"{self.path}: holds a batch with a {old_design} design, not {design}; "
                f"discard it with {_OVERWRITE} or choose another directory"
            )
        if not extensible(design) and old["runs"] != self.manifest["runs"]:
            raise BatchError(
                f"{self.path}: a Latin hypercube drawn for {old['runs']:,} replications "
                f"cannot be changed to {self.manifest['runs']:,} (its strata depend on the "
                f"number of points); start a new batch with {_OVERWRITE} or in another "
                "directory, or use the sobol or halton design, which extend"
            )
        for key in _IDENTITY:
            if old.get(key) != self.manifest[key]:
                raise BatchError(
                    f"{self.path}: holds another batch ({_describe(old)}), not this one "
                    f"({_describe(self.manifest)}); discard it with {_OVERWRITE} or "
                    "choose another directory"
                )
        if not resume:
            raise BatchError(
                f"{self.path}: already holds results of this batch; continue them with "
                "resume=True or start again with overwrite=True"
            )
        # Fewer runs than the store was last asked for is fine: chunks beyond them
        # stay on disk, outside the result, for a later extension.
        runs, old_runs = int(self.manifest["runs"]), int(old["runs"])
        records, torn = read_journal(self.path)
        if torn:
            self.repaired.append(
                f"{torn} damaged line(s) in {JOURNAL} skipped; their chunks run again"
            )
        keep = []
        bad = set()
        everything = Store(self.path, {**old, "runs": max(runs, old_runs)}, records)
        for record, problem in everything.verify():
            bad.add(record.file)
            self.repaired.append(
                f"chunk {record.start}-{record.stop - 1} ({record.file}): {problem}; "
                "running it again"
            )
        for record in records:
            if record.file in bad:
                continue
            if record.crashed:
                self.repaired.append(
                    f"chunk {record.start}-{record.stop - 1}: its worker died; running it again"
                )
                continue
            keep.append(record)
        keep = _drop_overlaps(keep)
        listed = {r.file for r in keep}
        named = {r.file for r in records}
        chunk_dir = self.path / CHUNKS
        unlisted = 0
        if chunk_dir.is_dir():
            for file in chunk_dir.iterdir():
                name = f"{CHUNKS}/{file.name}"
                if name not in listed:
                    unlisted += name not in named and not file.name.startswith(".tmp-")
                    file.unlink()
        if unlisted:
            self.repaired.append(
                f"{unlisted} chunk file(s) not in {JOURNAL} removed (written as the batch "
                "stopped, or named by a damaged line); their replications run again"
            )
        meta = {**old.get("meta", {}), "runs": runs, "replications": [0, runs]}
        self.manifest = {**old, "runs": runs, "meta": meta}
        write_manifest(self.path, self.manifest)
        rewrite_journal(self.path, keep)
        self.records = keep
        self.todo = missing_ranges(runs, keep)
        self.found = runs - sum(b - a for a, b in self.todo)

    def write(self, chunk: ChunkData) -> None:
        """Write a finished chunk and record it in the journal."""
        record = write_chunk_file(self.path, chunk, self.names, tag=self.manifest.get("batch_id"))
        append_journal(self.path, record)
        self.records.append(record)

    def abandon(self) -> None:
        """After a failure: remove the directory this batch made if it wrote nothing
        into it (under the lock), else keep what is there; release the lock."""
        if self._lock is not None and self.created and not self.records:
            remove_own_entries(self.path)
            self._lock.close()
            self._lock = None
            with contextlib.suppress(OSError):
                self.path.rmdir()  # only if nothing else is there
        self.close()

    def close(self) -> None:
        """Update the manifest's time stamp and release the lock."""
        if self._lock is None:
            return
        try:
            self.manifest = {
                **self.manifest,
                "updated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
            write_manifest(self.path, self.manifest)
        finally:
            self._lock.close()
            self._lock = None


def _drop_overlaps(records: list[ChunkRecord]) -> list[ChunkRecord]:
    """Keep records that do not overlap an earlier-starting kept record."""
    kept: list[ChunkRecord] = []
    for record in sorted(records, key=lambda r: (r.start, -r.stop)):
        if kept and record.start < kept[-1].stop:
            continue
        kept.append(record)
    return kept
