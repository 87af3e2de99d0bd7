"""Reading results saved in the earlier single-file format (``result.json`` + ``arrays.npz``).

Results saved before the streaming store existed still load, eagerly, with the
same checks as before: a missing or altered arrays file, missing arrays or wrong
shapes give a :class:`~mss_sim.errors.ResultsError` naming the file.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from mss_sim.batch.chunk import Failure
from mss_sim.batch.store import sha256_file
from mss_sim.errors import ResultsError

__all__ = ["FORMAT", "read_legacy"]

FORMAT = "mss_sim.BatchResult"
FORMAT_VERSION = 1
_ARRAYS = "arrays.npz"
_META = "result.json"

Arrays = dict[str, np.ndarray]


def read_legacy(
    source: Path,
) -> tuple[Arrays, Arrays, np.ndarray, Arrays, tuple[Failure, ...], dict[str, Any]]:
    """Return scalars, series, months, parameters, failures and meta of an old result."""
    meta_file = source / _META
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
    if sha256_file(arrays_file) != info.get("arrays_sha256"):
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
                f"{source}: series {name} has shape {arr.shape}, expected ({runs}, {len(months)})"
            )
    return scalars, series, months, params, failures, dict(info["meta"])
