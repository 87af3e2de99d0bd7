"""Global sensitivity analysis of a batch's outputs to its uncertain parameters (SALib).

* :func:`sobol_indices`: Sobol' first-order and total indices, with bootstrap
  confidence intervals, from a batch run with the ``saltelli`` design
  (:mod:`mss_sim.batch.design`).
* :func:`delta_indices`: Borgonovo's moment-independent delta (and first-order
  indices estimated from the same sample) from any batch: Monte Carlo, Latin
  hypercube, Sobol' or Halton draws.

Both need the ``sensitivity`` extra (``pip install 'mss-sim[sensitivity]'``) and
return a :class:`Sensitivity`: one row per parameter, ranked by total index (or
delta), printable as a table; :func:`mss_sim.plotting.plot_sensitivity` draws it.
A replication whose output is NaN (a failure, or ``months_to_target`` when the target
was never reached) has no value to attribute; pass `fill` to give those one.

Examples
--------
>>> import mss_sim
>>> sc = mss_sim.load_scenario("gsf_2025")
>>> res = mss_sim.run_batch(sc, 200, seed=1)
>>> sens = delta_indices(res, "peak_deployed", resamples=10)
>>> sens.rows[0].name in res.parameters
True
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Sensitivity", "SensitivityRow", "delta_indices", "sobol_indices"]


@dataclass(frozen=True, slots=True)
class SensitivityRow:
    """One parameter's indices (NaN where the method gives none)."""

    name: str
    first: float
    first_conf: float
    total: float
    total_conf: float


@dataclass(frozen=True)
class Sensitivity:
    """Indices of one output, one row per parameter, most influential first."""

    output: str
    method: str
    runs: int
    rows: tuple[SensitivityRow, ...]

    @property
    def ranked(self) -> list[str]:
        """The parameters, most influential first."""
        return [r.name for r in self.rows]

    def __str__(self) -> str:
        total = "total" if self.method == "sobol" else "delta"
        lines = [
            f"{self.output}: {self.method} indices from {self.runs:,} runs (95% intervals)",
            f"{'parameter':55s} {'first order':>20s} {total:>20s}",
        ]
        for r in self.rows:
            first = f"{r.first:.3f} ± {r.first_conf:.3f}"
            tot = f"{r.total:.3f} ± {r.total_conf:.3f}"
            lines.append(f"{r.name:55s} {first:>20s} {tot:>20s}")
        return "\n".join(lines)


def _salib(module: str) -> Any:
    try:
        if module == "sobol":
            from SALib.analyze import sobol as analyzer
        else:
            from SALib.analyze import delta as analyzer
    except ImportError:
        raise ImportError(
            "sensitivity analysis needs SALib; install it with pip install 'mss-sim[sensitivity]'"
        ) from None
    return analyzer


def _output(result: Any, output: str, fill: float | None) -> np.ndarray:
    if output not in result.scalars:
        raise KeyError(f"no scalar output {output!r} in the batch")
    y = np.asarray(result.scalars[output], dtype=float)
    missing = int(np.isnan(y).sum())
    if missing and fill is None:
        raise ValueError(
            f"{output} is NaN in {missing} of {y.size} replications (failures, or a target "
            "never reached); pass fill= to give those a value, such as the horizon in months"
        )
    return np.where(np.isnan(y), fill if fill is not None else 0.0, y)


def sobol_indices(
    result: Any, output: str, *, fill: float | None = None, seed: int = 0
) -> Sensitivity:
    """Sobol' first-order and total indices of `output` from a ``saltelli`` batch.

    Parameters
    ----------
    result : BatchResult
        A batch run with ``design="saltelli"``: its parameters, in the batch's
        order, are the design's dimensions.
    output : str
        A scalar output.
    fill : float, optional
        The value given to replications where `output` is NaN.
    seed : int
        Seeds the bootstrap of the confidence intervals.

    Raises
    ------
    ValueError
        If the batch was not run with the ``saltelli`` design, or `output` has NaN
        values and no `fill`.
    """
    design = result.meta.get("design", "monte_carlo")
    if design != "saltelli":
        raise ValueError(
            f"Sobol' indices need a batch run with design='saltelli' (this one: {design}); "
            "delta_indices works on any batch"
        )
    names = list(result.parameters)
    y = _output(result, output, fill)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    si = _salib("sobol").analyze(problem, y, calc_second_order=False, seed=seed)
    rows = [
        SensitivityRow(
            n,
            float(si["S1"][i]),
            float(si["S1_conf"][i]),
            float(si["ST"][i]),
            float(si["ST_conf"][i]),
        )
        for i, n in enumerate(names)
    ]
    return _ranked(output, "sobol", y.size, rows)


def delta_indices(
    result: Any, output: str, *, fill: float | None = None, seed: int = 0, resamples: int = 100
) -> Sensitivity:
    """Borgonovo's delta and first-order indices of `output` from any batch's draws.

    Parameters that do not vary in the batch are left out; `resamples` bootstrap
    samples give the confidence intervals.

    Raises
    ------
    ValueError
        If `output` has NaN values and no `fill`, or no parameter varies.
    """
    y = _output(result, output, fill)
    columns = {n: np.asarray(v, dtype=float) for n, v in result.parameters.items()}
    names = [n for n, v in columns.items() if np.nanmax(v) > np.nanmin(v)]
    if not names:
        raise ValueError("no uncertain parameter varies in the batch")
    x = np.column_stack([columns[n] for n in names])
    bounds = [[float(x[:, i].min()), float(x[:, i].max())] for i in range(len(names))]
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    si = _quietly(
        _salib("delta").analyze,
        problem,
        x,
        y,
        num_resamples=resamples,
        seed=seed,
        print_to_console=False,
        method="all",
    )
    key = "delta_raw" if "delta_raw" in si else "delta"
    rows = [
        SensitivityRow(
            n,
            float(si["S1"][i]),
            float(si["S1_conf"][i]),
            float(si[key][i]),
            float(si[key + "_conf"][i]),
        )
        for i, n in enumerate(names)
    ]
    return _ranked(output, "delta", y.size, rows)


_NOTICES = ("Bin Merge Notice", "bins skipped", "Potential Bias Notice")
"""SALib's notes on its delta estimator's binning; the intervals carry the uncertainty."""


def _quietly(analyze: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a SALib analyzer without its binning notes, and undo its changes to `warnings`."""
    formatter = warnings.formatwarning
    with warnings.catch_warnings():
        shown = warnings.showwarning

        def show(message: Any, *rest: Any, **more: Any) -> None:
            text = str(message)
            if not any(notice in text for notice in _NOTICES):
                shown(message, *rest, **more)

        warnings.showwarning = show
        try:
            return analyze(*args, **kwargs)
        finally:
            warnings.formatwarning = formatter


def _ranked(output: str, method: str, runs: int, rows: list[SensitivityRow]) -> Sensitivity:
    def key(r: SensitivityRow) -> float:
        return -r.total if math.isfinite(r.total) else math.inf

    return Sensitivity(output, method, runs, tuple(sorted(rows, key=key)))
