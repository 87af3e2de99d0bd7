"""Batch results: arrays per outcome and metadata, in memory or opened from a store.

A result held in memory (``run_batch`` without ``out=``) maps each outcome to a
NumPy array. A result opened from a results store (:meth:`BatchResult.load`, or
``run_batch(..., out=DIR)``) reads an outcome's column from the chunk files only
when it is asked for, so a million-replication store opens at once and a summary
or a figure reads only the columns it needs.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mss_sim._version import __version__
from mss_sim.batch.chunk import Failure
from mss_sim.batch.columns import Kind, StoredColumns
from mss_sim.batch.files import copy_store, take_lock, write_store
from mss_sim.batch.legacy import read_legacy
from mss_sim.batch.store import (
    LOCK,
    Store,
    directory_kind,
    experiment_policies,
    policy_of,
    target_problem,
)
from mss_sim.catalog import describe, is_described
from mss_sim.errors import BatchError, ResultsError
from mss_sim.model.outputs import SECURITY_SCALARS, STANDARD_SCALARS
from mss_sim.scenario import Scenario
from mss_sim.scenario.spec import scenario_from_dict
from mss_sim.summary import Summary, summarise

__all__ = ["BatchResult", "Failure", "StoredColumns"]

_READ_BUDGET = 256 * 2**20  # bytes of columns read at once by iter_columns
_SAVE_ROWS_BYTES = 32 * 2**20  # bytes of outputs per chunk file written by save()


@dataclass(frozen=True)
class BatchResult:
    """The outputs of a Monte Carlo batch, one entry per replication.

    Attributes
    ----------
    scalars : mapping of str to numpy.ndarray
        Each scalar outcome, shape ``(runs,)``; NaN for failed replications.
    series : mapping of str to numpy.ndarray
        Each monthly series, shape ``(runs, months)``.
    months : numpy.ndarray
        ``datetime64[M]`` calendar months of the series.
    parameters : mapping of str to numpy.ndarray
        Each uncertain parameter's draws, by key path, shape ``(runs,)``.
    failures : tuple of Failure
        Replications that raised, by index.
    meta : dict
        ``scenario``, ``scenario_hash``, ``seed``, ``runs``, ``replications``
        (the half-open index range), ``version``, ``created`` and, for a result
        in a store, ``chunk_size`` and ``store`` (its directory).
    """

    scalars: Mapping[str, np.ndarray]
    series: Mapping[str, np.ndarray]
    months: np.ndarray
    parameters: Mapping[str, np.ndarray]
    failures: tuple[Failure, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        """The number of replications."""
        if "runs" in self.meta:
            return int(self.meta["runs"])
        for group in (self.scalars, self.parameters, self.series):
            for values in group.values():
                return len(values)
        return 0

    def __repr__(self) -> str:
        where = f", store={self.meta['store']!r}" if "store" in self.meta else ""
        return (
            f"BatchResult(scenario={self.meta.get('scenario')!r}, runs={self.runs}, "
            f"seed={self.meta.get('seed')}, months={len(self.months)}, "
            f"failures={len(self.failures)}{where})"
        )

    def scenario(self) -> Scenario:
        """Return the scenario the batch ran, as kept in its metadata.

        Raises
        ------
        ResultsError
            If the result keeps no scenario (written by an earlier version).
        """
        spec = self.meta.get("scenario_spec")
        where = self.meta.get("store", "the result")
        if spec is None:
            raise ResultsError(
                f"{where}: keeps no scenario (written by an earlier version of mss_sim); "
                "load the scenario file instead"
            )
        return scenario_from_dict(spec, source=f"{where}: scenario_spec")

    def _repr_html_(self) -> str:
        import html

        headline = [n for n in (*STANDARD_SCALARS, *SECURITY_SCALARS) if n in self.scalars]
        table = self.summary(headline)._repr_html_() if headline and self.runs else ""
        failed = f", {len(self.failures)} failed" if self.failures else ""
        return (
            f"<div><p>{html.escape(repr(self))}{failed}</p>{table}"
            "<p><small>res.summary() for every outcome</small></p></div>"
        )

    def iter_columns(
        self, names: Sequence[str], *, kind: Kind = "scalars"
    ) -> Iterator[tuple[str, np.ndarray]]:
        """Yield ``(name, values)`` for `names`, reading a store in few passes.

        A result in a store reads as many columns per pass over its chunk files
        as fit in 256 MB; a result in memory just yields its arrays.
        """
        columns = getattr(self, kind)
        if not isinstance(columns, StoredColumns):
            for name in names:
                yield name, columns[name]
            return
        per_column = max(1, self.runs * columns.width() * 8)
        block = max(1, _READ_BUDGET // per_column)
        for i in range(0, len(names), block):
            yield from columns.read_many(names[i : i + block]).items()

    def summary(self, names: list[str] | None = None, *, confidence: float = 0.95) -> Summary:
        """Summarise the scalar outcomes; see :func:`mss_sim.summary.summarise`."""
        return summarise(self, names, confidence=confidence)

    def to_frame(self, columns: Sequence[str] | None = None) -> Any:
        """Return a pandas DataFrame: one row per replication.

        Parameters
        ----------
        columns : sequence of str, optional
            Scalar outcomes and parameters (as ``"param:<key path>"``) to include;
            by default every scalar, then every parameter. On a large store, ask
            for the columns you need: only those are read. Values are as stored
            (money in US dollars); ``frame.attrs["units"]`` and
            ``frame.attrs["descriptions"]`` give each outcome's unit and meaning
            (:mod:`mss_sim.catalog`).

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install 'mss-sim[pandas]'``).
        KeyError
            If a column is not a scalar outcome or ``param:`` parameter.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "BatchResult.to_frame() needs pandas; install it with pip install 'mss-sim[pandas]'"
            ) from None
        if columns is None:
            columns = [*self.scalars, *(f"param:{k}" for k in self.parameters)]
        scalars = [c for c in columns if not c.startswith("param:")]
        params = [c.removeprefix("param:") for c in columns if c.startswith("param:")]
        for name in scalars:
            if name not in self.scalars:
                hint = (
                    f"; parameters are named 'param:{name}'"
                    if name in self.parameters
                    else "; series are not columns of the frame"
                    if name.removeprefix("series:") in self.series
                    else ""
                )
                raise KeyError(f"no scalar outcome named {name!r}{hint}")
        for name in params:
            if name not in self.parameters:
                raise KeyError(f"no uncertain parameter named {name!r}")
        data = dict(self.iter_columns(scalars))
        data |= {f"param:{k}": v for k, v in self.iter_columns(params, kind="parameters")}
        frame = pd.DataFrame(
            {c: data[c] for c in columns}, index=pd.RangeIndex(self.runs, name="replication")
        )
        described = [c for c in scalars if is_described(c)]
        frame.attrs["units"] = {c: describe(c).unit for c in described}
        frame.attrs["descriptions"] = {c: describe(c).description for c in described}
        return frame

    # ------------------------------------------------------------------ storage

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write the result to `directory` as a results store, atomically.

        An earlier result in `directory` is replaced; a directory that holds
        anything else is refused.

        Returns
        -------
        pathlib.Path
            The directory written.

        Raises
        ------
        ResultsError
            If `directory` is a file, cannot be created, or is a non-empty
            directory that is not an mss_sim result.
        """
        target = Path(directory)
        problem = target_problem(target)
        if problem is not None:
            raise ResultsError(f"{problem}; refusing to replace it")
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = None
        made_lock = not (target / LOCK).exists()
        if directory_kind(target) == "store":  # not while a batch writes into it
            try:
                lock = take_lock(target)
            except BatchError as exc:
                raise ResultsError(f"{exc}; refusing to replace it") from None
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        tmp.mkdir()
        old = None
        try:
            groups = (self.scalars, self.series, self.parameters)
            stored = [g for g in groups if isinstance(g, StoredColumns)]
            if len(stored) == 3 and len({id(g.store) for g in stored}) == 1:
                copy_store(stored[0].store, tmp, self.meta)  # its chunk files as they are
            else:
                write_store(
                    tmp,
                    scalars=self.scalars,
                    series=self.series,
                    parameters=self.parameters,
                    months=self.months,
                    failures=self.failures,
                    meta=self.meta,
                    runs=self.runs,
                    version=__version__,
                    chunk_bytes=_SAVE_ROWS_BYTES,
                )
            if target.exists():
                old = target.with_name(f".{target.name}.old-{os.getpid()}")
                os.replace(target, old)
            os.replace(tmp, target)
        except BaseException:
            if old is not None and not target.exists():
                os.replace(old, target)  # put the earlier result back
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            if lock is not None:
                lock.close()
                if made_lock:  # a failed save leaves the earlier result as it was
                    (target / LOCK).unlink(missing_ok=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return target

    @classmethod
    def load(
        cls, directory: str | os.PathLike[str], *, verify: bool = True, runs: int | None = None
    ) -> BatchResult:
        """Open a result saved by :meth:`save` or written by ``run_batch(..., out=DIR)``.

        A results store opens lazily: outputs are read from its chunk files when
        they are used. Results saved in the earlier single-file format load whole.

        Parameters
        ----------
        directory : path
            The results directory.
        verify : bool
            Check every chunk file against its recorded SHA-256 first (chunk data
            read later is checked against its Parquet page checksums either way).
        runs : int, optional
            Open only the first `runs` replications of a store (for instance the
            finished part of a batch whose extension was interrupted).

        Raises
        ------
        ResultsError
            If the directory is missing, is not an mss_sim result, is incomplete
            (an interrupted batch: run it again to finish it) or is corrupt.
        ValueError
            If `runs` is not between 1 and the replications the store holds.
        """
        source = Path(directory)
        kind = directory_kind(source)
        if kind == "missing":
            raise ResultsError(f"{source}: no such results directory")
        if kind == "file":
            raise ResultsError(f"{source}: is a file, not a results directory")
        if kind == "legacy":
            scalars, series, months, params, failures, meta = read_legacy(source)
            return cls(scalars, series, months, params, failures, meta)
        if kind != "store":
            policies = experiment_policies(source)
            if policies:
                first = source / "policies" / next(iter(policies))
                raise ResultsError(
                    f"{source}: an experiment ({len(policies)} policies), not one result; open "
                    f"one policy's results, e.g. {first}, or the whole experiment with "
                    "ExperimentResult.load"
                )
            raise ResultsError(f"{source}: not an mss_sim result (no store.json)")
        store = Store.open(source)
        if runs is not None:
            if not 0 < runs <= store.runs:
                raise ValueError(f"runs must be in [1, {store.runs}], got {runs!r}")
            store = Store(source, {**store.manifest, "runs": runs}, store.records)
        if not store.complete:
            prefix = store.complete_prefix()
            hint = (
                f"; the first {prefix:,} are all there: BatchResult.load(..., runs={prefix})"
                if prefix
                else ""
            )
            raise ResultsError(
                f"{source}: incomplete, {store.done:,} of {store.runs:,} replications on disk "
                "(an interrupted batch, or one still running); run the same batch again to "
                f"finish it{hint}"
            )
        if verify:
            for record, problem in store.verify():
                raise ResultsError(
                    f"{source / record.file}: {problem}; the chunk is corrupt or altered "
                    "(running the same batch again with resume repairs it)"
                )
        names = store.names
        months = store.month_values()
        meta = dict(store.manifest.get("meta") or {})
        meta |= {"runs": store.runs, "replications": [0, store.runs]}  # what is on disk
        meta["store"] = str(source)
        policy = policy_of(source)
        if policy is not None:  # names it in tables and figures
            meta["policy"], meta["policy_values"] = policy
        return cls(
            StoredColumns(store, "scalars", names.scalars),
            StoredColumns(store, "series", names.series),
            months,
            StoredColumns(store, "parameters", names.parameters),
            store.failures,
            meta,
        )
