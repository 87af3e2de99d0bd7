"""The results store: a directory that a batch streams its finished chunks into.

Layout of a store directory::

    store.json      the manifest: format, scenario name and content hash, seed,
                    runs, chunk size, package version, output names, months
    chunks.jsonl    the journal: one JSON line per finished chunk (its range, file,
                    SHA-256 and failures), appended after the chunk's file is in place
    chunks/         one Parquet file per finished chunk
    .lock           held (``flock``) by the process writing into the store

A chunk is written to a temporary file and renamed into place, and only then
recorded in the journal: a chunk is complete on disk (its checksum recorded) or
absent. A crash between the rename and the journal line leaves a file that no
line names; it is deleted and run again on resume. A torn journal line is
skipped, and a file damaged later (a power cut, a bad disk, a hand edit) fails
its checksum and is run again on resume.

Why Parquet (through pyarrow): each chunk is a self-describing columnar file that
pandas, polars, DuckDB or Spark read directly (``pandas.read_parquet(DIR /
"chunks")``), a reader takes only the columns it asks for, and a store grows by
adding files, never by rewriting one. Columns: ``replication`` (int64), each
scalar outcome by name, each uncertain parameter as ``param:<key path>`` and each
monthly series as ``series:<name>``, a fixed-size list of float64 per replication.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mss_sim.batch.chunk import Failure, OutputNames
from mss_sim.errors import ResultsError

__all__ = [
    "EXPERIMENT",
    "JOURNAL",
    "MANIFEST",
    "STORE_FORMAT",
    "ChunkRecord",
    "Store",
    "directory_kind",
    "experiment_policies",
    "missing_ranges",
    "policy_of",
    "read_journal",
    "read_manifest",
    "sha256_file",
    "target_problem",
]

STORE_FORMAT = "mss_sim.BatchStore"
STORE_VERSION = 1
MANIFEST = "store.json"
JOURNAL = "chunks.jsonl"
EXPERIMENT = "experiment.json"
CHUNKS = "chunks"
LOCK = ".lock"
PARAM = "param:"
SERIES = "series:"
LEGACY_FILES = ("result.json", "arrays.npz")
OWN_ENTRIES = (MANIFEST, JOURNAL, CHUNKS, LOCK, "plots", *LEGACY_FILES)


@dataclass(frozen=True)
class ChunkRecord:
    """A finished chunk as the journal records it."""

    start: int
    stop: int
    file: str
    sha256: str
    failures: tuple[Failure, ...] = ()
    crashed: bool = False

    def to_json(self) -> str:
        """Return the chunk's journal line (without the newline)."""
        return json.dumps(
            {
                "start": self.start,
                "stop": self.stop,
                "file": self.file,
                "sha256": self.sha256,
                "failures": [[f.index, f.error] for f in self.failures],
                "crashed": self.crashed,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, line: str) -> ChunkRecord:
        """Parse a journal line; raise ValueError (or KeyError, TypeError) if it is torn."""
        d = json.loads(line)
        record = cls(
            int(d["start"]),
            int(d["stop"]),
            str(d["file"]),
            str(d["sha256"]),
            tuple(Failure(int(i), str(e)) for i, e in d["failures"]),
            bool(d.get("crashed", False)),
        )
        if not 0 <= record.start < record.stop or "/" in record.file.removeprefix(CHUNKS + "/"):
            raise ValueError(f"bad chunk record {line!r}")
        return record


def directory_kind(path: Path) -> str:
    """Classify `path`: ``missing``, ``file``, ``empty``, ``store``, ``legacy`` or ``other``."""
    if not path.exists():
        return "missing"
    if not path.is_dir():
        return "file"
    if (path / MANIFEST).is_file():
        return "store"
    if (path / LEGACY_FILES[0]).is_file():
        return "legacy"
    if all(entry.name.startswith(".") for entry in path.iterdir()):
        return "empty"  # nothing, or only hidden files such as .DS_Store
    return "other"


def target_problem(path: Path) -> str | None:
    """Say why `path` can never hold a result (a file, under a file, a foreign directory)."""
    kind = directory_kind(path)
    if kind == "file":
        return f"{path}: exists and is not a directory"
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        return f"{path}: cannot create it, {blocking} is not a directory"
    if kind == "other":
        return f"{path}: exists, is not empty and is not an mss_sim result"
    return None


def missing_ranges(runs: int, records: Iterable[ChunkRecord]) -> list[tuple[int, int]]:
    """Return the ranges of ``0 .. runs - 1`` that no record covers, in order.

    Examples
    --------
    >>> missing_ranges(10, [ChunkRecord(2, 4, "a", ""), ChunkRecord(6, 12, "b", "")])
    [(0, 2), (4, 6)]
    """
    gaps, at = [], 0
    for record in sorted(records, key=lambda r: r.start):
        if record.start > at:
            gaps.append((at, min(record.start, runs)))
        at = max(at, record.stop)
        if at >= runs:
            break
    if at < runs:
        gaps.append((at, runs))
    return [(a, b) for a, b in gaps if a < b]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Store:
    """A results store directory (see the module documentation for its layout).

    Open one for reading with :meth:`Store.open`; the batch runner creates and
    writes them through :mod:`mss_sim.batch.writer`.

    Parameters
    ----------
    path : pathlib.Path
        The store directory.
    manifest : dict
        The parsed ``store.json``.
    records : sequence of ChunkRecord
        The finished chunks.
    """

    def __init__(self, path: Path, manifest: dict[str, Any], records: Sequence[ChunkRecord]):
        self.path = path
        self.manifest = manifest
        self.records = sorted(records, key=lambda r: r.start)
        columns = manifest["columns"]
        self.names = OutputNames(
            tuple(columns["scalars"]), tuple(columns["series"]), tuple(columns["parameters"])
        )
        self.months = int(manifest["months"])

    # ------------------------------------------------------------------ reading

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Store:
        """Read a store's manifest and journal (not its chunks).

        Raises
        ------
        ResultsError
            If `path` is not a store or its manifest is unreadable.
        """
        path = Path(path)
        manifest = read_manifest(path)
        return cls(path, manifest, read_journal(path)[0])

    @property
    def runs(self) -> int:
        """The number of replications the store is meant to hold."""
        return int(self.manifest["runs"])

    @property
    def done(self) -> int:
        """The number of replications whose chunk is on disk."""
        return sum(min(r.stop, self.runs) - r.start for r in self.records if r.start < self.runs)

    @property
    def complete(self) -> bool:
        """True when every replication ``0 .. runs - 1`` is on disk."""
        return not missing_ranges(self.runs, self.records)

    def complete_prefix(self) -> int:
        """How many replications from 0 on are on disk without a gap."""
        gaps = missing_ranges(self.runs, self.records)
        return gaps[0][0] if gaps else self.runs

    @property
    def failures(self) -> tuple[Failure, ...]:
        """Every recorded failure of a replication below ``runs``, by index."""
        found = [f for r in self.records for f in r.failures if f.index < self.runs]
        return tuple(sorted(found, key=lambda f: f.index))

    def month_values(self) -> np.ndarray:
        """The ``datetime64[M]`` calendar months of the series' entries."""
        listed = self.manifest.get("month_list")
        if listed is not None:
            return np.array(listed, dtype="datetime64[M]")
        return np.datetime64(self.manifest["first_month"], "M") + np.arange(self.months)

    def verify(self) -> list[tuple[ChunkRecord, str]]:
        """Return the chunks whose file is missing or does not match its checksum."""
        bad = []
        for record in self.records:
            if record.start >= self.runs:
                continue
            file = self.path / record.file
            if not file.is_file():
                bad.append((record, "file missing"))
            elif sha256_file(file) != record.sha256:
                bad.append((record, "checksum mismatch"))
        return bad

    def read(self, columns: Sequence[str], *, kind: str) -> dict[str, np.ndarray]:
        """Read whole columns of one kind (``scalars``, ``series``, ``parameters``).

        Returns one array per name, shape ``(runs,)`` (``(runs, months)`` for
        series), in replication order. Only the requested columns are read.
        """
        import pyarrow.parquet as pq

        prefix = {"scalars": "", "parameters": PARAM, "series": SERIES}[kind]
        runs = self.runs
        shape: tuple[int, ...] = (runs, self.months) if kind == "series" else (runs,)
        out = {name: np.full(shape, np.nan) for name in columns}
        stored = [prefix + name for name in columns]
        for record in self.records:
            if record.start >= runs:
                continue
            stop = min(record.stop, runs)
            try:
                table = pq.read_table(
                    self.path / record.file,
                    columns=stored,
                    memory_map=True,
                    page_checksum_verification=True,
                )
            except FileNotFoundError:
                raise ResultsError(
                    f"{self.path / record.file}: the chunk file is gone; the results "
                    "directory was overwritten or changed since this result was opened"
                ) from None
            except (OSError, ValueError) as exc:
                raise ResultsError(f"{self.path / record.file}: unreadable chunk ({exc})") from None
            n = stop - record.start
            for name, column in zip(columns, stored, strict=True):
                data = table.column(column)
                if kind == "series":
                    flat = data.combine_chunks().flatten().to_numpy()
                    values = flat.reshape(-1, self.months)
                else:
                    values = data.to_numpy()
                out[name][record.start : stop] = values[:n]
        return out


def read_manifest(path: Path) -> dict[str, Any]:
    """Return the parsed manifest of the store at `path`; raise ResultsError if unusable."""
    file = path / MANIFEST
    if not file.is_file():
        raise ResultsError(f"{path}: not an mss_sim results store (no {MANIFEST})")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{file}: corrupt manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != STORE_FORMAT:
        raise ResultsError(f"{file}: not an mss_sim results store")
    version = manifest.get("format_version")
    if type(version) is not int or version != STORE_VERSION:
        raise ResultsError(
            f"{file}: store format version {version!r} is not "
            f"supported (this version reads {STORE_VERSION})"
        )
    try:
        for key in ("runs", "months"):
            if type(manifest[key]) is not int or manifest[key] < 0:
                raise ValueError(f"{key}: {manifest[key]!r}")
        for kind in ("scalars", "series", "parameters"):
            names = manifest["columns"][kind]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ValueError(f"columns.{kind}")
        if manifest["months"]:
            try:
                np.datetime64(manifest["first_month"], "M")
            except ValueError:
                raise ValueError(f"first_month: {manifest['first_month']!r}") from None
        months = Store(path, manifest, []).month_values()
        if len(months) != manifest["months"] or (len(months) and np.isnat(months).any()):
            raise ValueError("first_month")
        meta = manifest["meta"]
        if not isinstance(meta, dict):
            raise ValueError("meta")
        for key in ("scenario", "scenario_hash", "seed"):
            if key not in meta:
                raise KeyError(f"meta.{key}")
        for key in ("scenario", "scenario_hash"):
            if not isinstance(meta[key], str):
                raise ValueError(f"meta.{key}: {meta[key]!r}")
        if type(meta["seed"]) is not int or meta["seed"] < 0:
            raise ValueError(f"meta.seed: {meta['seed']!r}")
        for key in ("seed", "scenario_hash", "design"):  # kept twice: the two must agree
            if key in meta and key in manifest and meta[key] != manifest[key]:
                raise ValueError(f"meta.{key}: {meta[key]!r}, but {key} is {manifest[key]!r}")
    except KeyError as exc:
        raise ResultsError(f"{file}: incomplete manifest (missing {exc})") from None
    except (TypeError, ValueError) as exc:
        raise ResultsError(f"{file}: incomplete manifest (bad or missing {exc})") from None
    return manifest


def experiment_policies(path: Path) -> dict[str, Any] | None:
    """The policies (name to values) of the experiment written to `path`, or None if it
    holds none."""
    try:
        described = json.loads((path / EXPERIMENT).read_text(encoding="utf-8"))
        policies = described["policies"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {str(k): v for k, v in policies.items()} if isinstance(policies, dict) else None


def policy_of(path: Path) -> tuple[str, Any] | None:
    """The policy whose results `path` holds, with its values, if `path` is
    ``<experiment>/policies/<name>``."""
    path = path.resolve()
    if path.parent.name != "policies":
        return None
    policies = experiment_policies(path.parent.parent)
    if policies is None or path.name not in policies:
        return None
    return path.name, policies[path.name]


def read_journal(path: Path) -> tuple[list[ChunkRecord], int]:
    """Return the journal's records (later lines for a file replace earlier ones)
    and the number of torn lines skipped."""
    file = path / JOURNAL
    if not file.is_file():
        return [], 0
    by_file: dict[str, ChunkRecord] = {}
    torn = 0
    with open(file, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                record = ChunkRecord.from_json(line)
            except (ValueError, KeyError, TypeError):
                torn += 1
                continue
            by_file[record.file] = record
    return list(by_file.values()), torn
