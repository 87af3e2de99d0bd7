"""Batch results: arrays per outcome, metadata, and a safe on-disk format.

A saved result is a directory holding ``arrays.npz`` (plain numeric arrays,
read without pickle) and ``result.json`` (names, metadata, failures and the
SHA-256 of the arrays file). Saving writes a temporary directory and renames it
into place, so a crash never leaves a half-written result under the target name.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mss_sim.errors import ResultsError

if TYPE_CHECKING:
    from mss_sim.analysis.summary import Summary

__all__ = ["FORMAT", "BatchResult", "Failure"]

FORMAT = "mss_sim.BatchResult"
FORMAT_VERSION = 1
_ARRAYS = "arrays.npz"
_META = "result.json"


@dataclass(frozen=True, slots=True)
class Failure:
    """A replication that raised: its index and the error."""

    index: int
    error: str


@dataclass(frozen=True)
class BatchResult:
    """The outputs of a Monte Carlo batch, one entry per replication.

    Attributes
    ----------
    scalars : dict of str to numpy.ndarray
        Each scalar outcome, shape ``(runs,)``; NaN for failed replications.
    series : dict of str to numpy.ndarray
        Each monthly series, shape ``(runs, months)``.
    months : numpy.ndarray
        ``datetime64[M]`` calendar months of the series.
    parameters : dict of str to numpy.ndarray
        Each uncertain parameter's draws, by key path, shape ``(runs,)``.
    failures : tuple of Failure
        Replications that raised, by index.
    meta : dict
        ``scenario``, ``scenario_hash``, ``seed``, ``runs``, ``replications``
        (the half-open index range), ``version`` and ``created``.
    """

    scalars: dict[str, np.ndarray]
    series: dict[str, np.ndarray]
    months: np.ndarray
    parameters: dict[str, np.ndarray]
    failures: tuple[Failure, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        """The number of replications."""
        return int(self.meta.get("runs", len(next(iter(self.scalars.values())))))

    def __repr__(self) -> str:
        return (
            f"BatchResult(scenario={self.meta.get('scenario')!r}, runs={self.runs}, "
            f"seed={self.meta.get('seed')}, months={len(self.months)}, "
            f"failures={len(self.failures)})"
        )

    def summary(self, names: list[str] | None = None, *, confidence: float = 0.95) -> Summary:
        """Summarise the scalar outcomes; see :func:`mss_sim.analysis.summarise`."""
        from mss_sim.analysis.summary import summarise

        return summarise(self, names, confidence=confidence)

    def to_frame(self) -> Any:
        """Return a pandas DataFrame: one row per replication, scalars then parameters.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install 'mss-sim[pandas]'``).
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "BatchResult.to_frame() needs pandas; install it with pip install 'mss-sim[pandas]'"
            ) from None
        columns = {**self.scalars, **{f"param:{k}": v for k, v in self.parameters.items()}}
        return pd.DataFrame(columns, index=pd.RangeIndex(self.runs, name="replication"))

    # ------------------------------------------------------------------ storage

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write the result to `directory` atomically (replacing an earlier result there).

        Returns
        -------
        pathlib.Path
            The directory written.
        """
        target = Path(directory)
        if target.exists() and not target.is_dir():
            raise ResultsError(f"{target}: exists and is not a directory; refusing to replace it")
        blocking = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            raise ResultsError(f"{target}: cannot create it, {blocking} is not a directory")
        if target.exists() and not (target / _META).is_file() and any(target.iterdir()):
            raise ResultsError(
                f"{target}: exists and is not an mss_sim result; refusing to replace it"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            arrays = {f"scalar_{i}": v for i, v in enumerate(self.scalars.values())}
            arrays |= {f"series_{i}": v for i, v in enumerate(self.series.values())}
            arrays |= {f"param_{i}": v for i, v in enumerate(self.parameters.values())}
            arrays["months"] = self.months.astype("datetime64[M]").astype(np.int64)
            with open(tmp / _ARRAYS, "wb") as fh:
                np.savez_compressed(fh, allow_pickle=False, **arrays)
            meta = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "arrays_sha256": _sha256(tmp / _ARRAYS),
                "scalars": list(self.scalars),
                "series": list(self.series),
                "parameters": list(self.parameters),
                "failures": [[f.index, f.error] for f in self.failures],
                "meta": self.meta,
            }
            (tmp / _META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
            old = None
            if target.exists():
                old = target.with_name(f".{target.name}.old-{os.getpid()}")
                os.replace(target, old)
            os.replace(tmp, target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> BatchResult:
        """Read a result written by :meth:`save`.

        Raises
        ------
        ResultsError
            If the directory is missing, is not an mss_sim result, or is corrupt
            (a missing or altered arrays file, missing arrays, wrong shapes).
        """
        source = Path(directory)
        if not source.is_dir():
            raise ResultsError(f"{source}: no such results directory")
        meta_file = source / _META
        if not meta_file.is_file():
            raise ResultsError(f"{source}: not an mss_sim result (no {_META})")
        try:
            info = json.loads(meta_file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ResultsError(f"{meta_file}: corrupt metadata ({exc})") from None
        if not isinstance(info, dict) or info.get("format") != FORMAT:
            raise ResultsError(
                f"{meta_file}: not an mss_sim result (format {info.get('format')!r})"
                if isinstance(info, dict)
                else f"{meta_file}: not an mss_sim result"
            )
        if info.get("format_version") != FORMAT_VERSION:
            raise ResultsError(
                f"{meta_file}: format version {info.get('format_version')!r} is not supported "
                f"(this version reads {FORMAT_VERSION})"
            )
        arrays_file = source / _ARRAYS
        if not arrays_file.is_file():
            raise ResultsError(f"{source}: {_ARRAYS} is missing")
        if _sha256(arrays_file) != info.get("arrays_sha256"):
            raise ResultsError(f"{arrays_file}: checksum mismatch; the file is corrupt or altered")
        try:
            with np.load(arrays_file, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise ResultsError(f"{arrays_file}: unreadable ({exc})") from None
        try:
            runs = int(info["meta"]["runs"])
            months = arrays["months"].astype("datetime64[M]")
            scalars = {n: arrays[f"scalar_{i}"] for i, n in enumerate(info["scalars"])}
            series = {n: arrays[f"series_{i}"] for i, n in enumerate(info["series"])}
            params = {n: arrays[f"param_{i}"] for i, n in enumerate(info["parameters"])}
            failures = tuple(Failure(int(i), str(e)) for i, e in info["failures"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ResultsError(f"{source}: incomplete result (missing {exc})") from None
        for name, arr in [*scalars.items(), *params.items()]:
            if arr.shape != (runs,):
                raise ResultsError(f"{source}: {name} has shape {arr.shape}, expected ({runs},)")
        for name, arr in series.items():
            if arr.shape != (runs, len(months)):
                raise ResultsError(
                    f"{source}: series {name} has shape {arr.shape}, "
                    f"expected ({runs}, {len(months)})"
                )
        return cls(scalars, series, months, params, failures, dict(info["meta"]))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
