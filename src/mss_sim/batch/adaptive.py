"""Adaptive stopping: add replications until named outputs are estimated precisely enough.

``run_batch(..., until={"gsf.adopted": 0.005, "peak_deployed": 25}, max_runs=...)``
runs the batch, measures the half-width of each named output's 95% interval (a
Wilson interval for a yes/no outcome, a Student-t interval of the mean otherwise,
as :meth:`BatchResult.summary` gives them), and extends the batch while any
half-width is at or above its target and ``max_runs`` allows. The next size is
what the widest ratio asks for (a half-width shrinks as one over the square root
of the runs, or as one over the runs for a share still at 0 or 1), by a tenth
more, at least a tenth more runs and at most eight times as many. Because replication ``i``
always has the same seed, the result is the batch of that many runs: stopping
adaptively changes how many runs there are, not what any of them is.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import numpy as np

from mss_sim.batch.results import BatchResult
from mss_sim.catalog import describe, is_described


class Width(NamedTuple):
    """An interval's half-width and how it shrinks with runs (``runs ** -1 / power``)."""

    value: float
    power: float


__all__ = ["Width", "check_targets", "half_widths", "in_memory", "next_runs", "report", "run_until"]

log = logging.getLogger("mss_sim")


def check_targets(
    until: Any, max_runs: Any, runs: int, design: str, scalars: tuple[str, ...]
) -> int:
    """Validate `until` and `max_runs`; return the largest number of runs allowed."""
    if design != "monte_carlo":
        raise ValueError(
            f"until= works with the Monte Carlo design only (a {design} design is drawn "
            "for a fixed number of runs)"
        )
    if not isinstance(until, Mapping) or not until:
        raise ValueError("until must map output names to target half-widths")
    for name, target in until.items():
        if name not in scalars:
            near = [s for s in scalars if name.split(".")[0] in s][:5]
            hint = f" (for example {', '.join(near)})" if near else ""
            raise ValueError(f"until: {name!r} is not a scalar output of the scenario{hint}")
        if isinstance(target, bool) or not isinstance(target, int | float) or not target > 0:
            raise ValueError(f"until: the target of {name!r} must be a number > 0, got {target!r}")
    limit = 100 * runs if max_runs is None else max_runs
    if isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < runs:
        raise ValueError(f"max_runs must be an integer >= runs ({runs}), got {max_runs!r}")
    return int(limit)


def half_widths(result: BatchResult, until: Mapping[str, float]) -> dict[str, Width]:
    """The half-width of each named output's 95% interval, in the output's stored unit
    (money in US dollars); inf when it has none (undefined in every run so far)."""
    summary = result.summary(list(until))
    out = {}
    for name in until:
        if name in summary.omitted:
            out[name] = Width(math.inf, 2.0)
            continue
        row = summary[name]
        scale = describe(name).scale if is_described(name) else 1.0  # shown in millions
        width = (row.high - row.low) / 2 * scale
        # A share of 0 or 1 has a Wilson interval that shrinks as 1/n, not 1/sqrt(n).
        extreme = row.kind == "probability" and row.estimate in (0.0, 1.0)
        out[name] = Width(width if math.isfinite(width) else math.inf, 1.0 if extreme else 2.0)
    return out


def next_runs(
    runs: int, widths: Mapping[str, Width], until: Mapping[str, float], limit: int
) -> int:
    """The runs the widest target asks for, by a margin, at most eight times as many."""
    wanted = 0.0
    for name, target in until.items():
        ratio = widths[name].value / target
        wanted = max(
            wanted, 8.0 * runs if not math.isfinite(ratio) else runs * ratio ** widths[name].power
        )
    wanted = min(wanted * 1.1, 8.0 * runs)
    return min(limit, max(math.ceil(wanted), math.ceil(runs * 1.1), runs + 1))


def report(
    widths: Mapping[str, Width], until: Mapping[str, float], rounds: list[int], limit: int
) -> dict[str, Any]:
    """What ``meta["until"]`` records: targets, half-widths reached, whether all were met."""
    return {
        "targets": dict(until),
        "half_widths": {k: w.value for k, w in widths.items()},
        "met": all(widths[name].value < until[name] for name in until),
        "runs": rounds[-1],
        "rounds": list(rounds),
        "max_runs": limit,
    }


def in_memory(result: BatchResult) -> BatchResult:
    """A copy of `result` with every column read into memory (for a temporary store)."""
    meta = {k: v for k, v in result.meta.items() if k != "store"}

    def read(columns: Any) -> dict[str, np.ndarray]:
        if hasattr(columns, "read_many"):  # a store's columns: one pass over the files
            return {k: np.array(v) for k, v in columns.read_many(list(columns)).items()}
        return {k: np.array(v) for k, v in columns.items()}

    return BatchResult(
        read(result.scalars),
        read(result.series),
        np.array(result.months),
        read(result.parameters),
        result.failures,
        meta,
    )


class _Batch(Protocol):
    def __call__(
        self, n: int, where: str | os.PathLike[str], again: bool, fresh: bool
    ) -> BatchResult: ...


def run_until(
    batch: _Batch,
    runs: int,
    until: Mapping[str, float],
    limit: int,
    *,
    out: str | os.PathLike[str] | None,
    resume: bool,
    overwrite: bool,
) -> BatchResult:
    """Run `batch` with `runs`, then more runs until every target is met or `limit` is reached.

    `batch(n, where, resume, overwrite)` runs replications ``0 .. n - 1`` into the
    store `where`; without `out` the rounds go to a temporary store and the result
    is read into memory.
    """
    temporary = tempfile.TemporaryDirectory(prefix="mss_sim_until_") if out is None else None
    where: str | os.PathLike[str] = Path(temporary.name) / "batch" if temporary else out or ""
    try:
        n = runs
        rounds = [n]
        result = batch(n, where, resume, overwrite)
        widths = half_widths(result, until)
        while any(widths[k].value >= until[k] for k in until) and n < limit:
            n = next_runs(n, widths, until, limit)
            rounds.append(n)
            log.info(
                "until: %s; %s runs next",
                ", ".join(f"{k} ±{widths[k].value:.4g} (target {until[k]:g})" for k in until),
                f"{n:,}",
            )
            result = batch(n, where, True, False)
            widths = half_widths(result, until)
        if temporary is not None:
            result = in_memory(result)
        result.meta["until"] = report(widths, until, rounds, limit)
        return result
    finally:
        if temporary is not None:
            temporary.cleanup()
