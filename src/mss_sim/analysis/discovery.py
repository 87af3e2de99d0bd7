"""Scenario discovery: the ranges of uncertain parameters where a condition holds (PRIM).

:func:`discover` runs the Patient Rule Induction Method of EMA Workbench (the
``discovery`` extra: ``pip install 'mss-sim[discovery]'``) on a batch's parameter
draws and a yes/no condition on its outputs, such as ``"peak_deployed < 2775"``
(the GSF never reaching half its ceiling). PRIM peels the parameter space towards
the runs where the condition holds; the box returned is the point of its
peeling trajectory with the highest coverage among those whose density reaches
`threshold` (the densest, if none does):

* coverage: the share of the runs where the condition holds that fall in the box;
* density: the share of the runs in the box where it holds;
* mass: the share of all runs in the box.

Only the parameters the box restricts are listed, with their limits.
"""

from __future__ import annotations

import operator
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Box", "condition_mask", "discover"]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
_TERM = re.compile(r"^\s*(?P<name>[^\s<>=!]+)\s*(?P<op><=|>=|==|!=|<|>)\s*(?P<value>\S+)\s*$")


def condition_mask(result: Any, condition: str | np.ndarray) -> np.ndarray:
    """The runs where `condition` holds: an expression over scalar outputs, or a mask.

    An expression is one or more terms ``NAME OP NUMBER`` joined by ``and``, where
    OP is one of ``< <= > >= == !=``; a run whose output is NaN does not meet a term.

    Examples
    --------
    >>> import numpy as np
    >>> class R:
    ...     scalars = {"peak_deployed": np.array([1000.0, 3000.0, np.nan])}
    >>> condition_mask(R(), "peak_deployed < 2775").tolist()
    [True, False, False]
    """
    if not isinstance(condition, str):
        given = np.asarray(condition, dtype=bool)
        if given.shape != (result.runs,):
            raise ValueError(f"a condition mask needs one value per run ({result.runs})")
        return given
    mask: np.ndarray | None = None
    for term in re.split(r"\s+and\s+", condition.strip()):
        match = _TERM.match(term)
        if match is None:
            raise ValueError(
                f"cannot read {term!r}: write NAME OP NUMBER, e.g. 'peak_deployed < 2775'"
            )
        name, op, text = match["name"], match["op"], match["value"]
        if name not in result.scalars:
            raise KeyError(f"no scalar output {name!r} in the batch")
        try:
            value = float(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"{text!r} in {term!r} is not a number") from None
        values = np.asarray(result.scalars[name], dtype=float)
        with np.errstate(invalid="ignore"):
            held = _OPS[op](values, value) & ~np.isnan(values)
        mask = held if mask is None else mask & held
    assert mask is not None
    return np.asarray(mask, dtype=bool)


@dataclass(frozen=True)
class Box:
    """A box of parameter ranges where a condition holds more often than elsewhere.

    `limits` lists the restricted parameters, the most restricted (the largest share
    of its range cut away) first; ``str(box)`` shows the `top` of them.
    """

    condition: str
    base_rate: float
    coverage: float
    density: float
    mass: float
    limits: dict[str, tuple[float, float]]
    runs: int
    threshold: float = 0.8

    def __str__(self) -> str:
        lines = [
            f"{self.condition}: holds in {self.base_rate:.1%} of {self.runs:,} runs; in the box "
            f"in {self.density:.1%} (density), covering {self.coverage:.1%} of them "
            f"(coverage), {self.mass:.1%} of the runs in the box (mass)",
        ]
        shown = list(self.limits.items())[:12]
        lines += [f"  {low:>14.4g} <= {name} <= {high:.4g}" for name, (low, high) in shown]
        if len(self.limits) > len(shown):
            lines.append(f"  ... and {len(self.limits) - len(shown)} ranges trimmed less")
        if self.density < self.threshold:
            lines.append(
                f"  (no box reaches the density threshold of {self.threshold:.0%}: this is "
                "the densest PRIM found; lower the threshold to trade density for coverage)"
            )
        elif not self.limits:
            lines.append("  (no parameter restricted: the condition is not tied to a range)")
        return "\n".join(lines)


def discover(
    result: Any,
    condition: str | np.ndarray,
    *,
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Box:
    """Find the box of uncertain parameters where `condition` holds, with PRIM.

    Parameters
    ----------
    result : BatchResult
        Any batch (its parameter draws are the inputs).
    condition : str or numpy.ndarray
        An expression over scalar outputs (:func:`condition_mask`), or a mask.
    threshold : float
        The density the box should reach.
    peel_alpha, mass_min : float
        PRIM's peeling share and the smallest mass of a box.

    Raises
    ------
    ValueError
        If the condition holds in no run or in every run, or cannot be read.
    ImportError
        Without EMA Workbench (``pip install 'mss-sim[discovery]'``).
    """
    try:
        import pandas as pd

        with warnings.catch_warnings():  # EMA Workbench warns of evaluators it cannot offer
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        raise ImportError(
            "scenario discovery needs EMA Workbench; install it with "
            "pip install 'mss-sim[discovery]'"
        ) from None
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold is a density in (0, 1], got {threshold:g}")
    mask = condition_mask(result, condition)
    text = condition if isinstance(condition, str) else "condition"
    held = int(mask.sum())
    if held == 0 or held == mask.size:
        raise ValueError(
            f"{text} holds in {held} of {mask.size} runs: there is nothing to tell apart"
        )
    if held / mask.size >= threshold:
        raise ValueError(
            f"{text} holds in {held / mask.size:.1%} of the runs, already above the density "
            f"threshold ({threshold:.0%}): ask about the rarer outcome (its opposite) or raise "
            "the threshold"
        )
    columns = {n: np.asarray(v, dtype=float) for n, v in result.parameters.items()}
    varying = {n: v for n, v in columns.items() if np.nanmax(v) > np.nanmin(v)}
    x = pd.DataFrame(varying)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, mask, threshold=threshold, peel_alpha=peel_alpha, mass_min=mass_min)
        box = finder.find_box()
        trajectory = box.peeling_trajectory
        dense = trajectory[trajectory["density"] >= threshold]
        chosen = (
            int(dense["coverage"].idxmax()) if len(dense) else int(trajectory["density"].idxmax())
        )
        box.select(chosen)
        lims = box.box_lims[chosen]
    cut = {}
    for name in x.columns:
        low, high = float(lims[name].iloc[0]), float(lims[name].iloc[1])
        lo, hi = float(x[name].min()), float(x[name].max())
        if low > lo or high < hi:
            cut[name] = (1.0 - (high - low) / (hi - lo), (low, high))
    # The most restricted first: PRIM also trims slivers off many ranges.
    limits = {n: cut[n][1] for n in sorted(cut, key=lambda n: -cut[n][0])}
    row = trajectory.loc[chosen]
    return Box(
        text,
        held / mask.size,
        float(row["coverage"]),
        float(row["density"]),
        float(row["mass"]),
        limits,
        int(mask.size),
        threshold,
    )
