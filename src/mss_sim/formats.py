"""Numbers as the outputs' kinds show them, the same in every table.

Decimals follow the kind of output and the size of the numbers shown together,
never whether a batch's values happen to be whole: money (US$ millions), months,
days and shares (in percent) always get one decimal; a count's percentiles are
values some run had, so they get none; other numbers get fewer decimals the
larger they are. A difference of probabilities or shares is in percentage points.

Examples
--------
>>> from mss_sim.catalog import describe
>>> difference(describe("target_reached"), 0.045, -0.012, 0.101)
('+4.5 (-1.2 to +10.1)', 'percentage points')
>>> difference(describe("total_received_usd"), -21.5e6, -30e6, -13e6)
('-21.5 (-30.0 to -13.0)', 'US$ million')
>>> difference(describe("displaced_at_end"), 214352.7, 200000.2, 228705.1)
('+214,353 (+200,000 to +228,705)', 'people')
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from mss_sim.catalog import OutputInfo, OutputKind

__all__ = ["decimals", "difference", "fixed", "percent"]

_ONE_DECIMAL = (OutputKind.MONEY, OutputKind.MONTHS, OutputKind.DAYS, OutputKind.SHARE)
_POINTS = (OutputKind.PROBABILITY, OutputKind.SHARE, OutputKind.BALLOT)


def percent(share: float) -> str:
    """A share of runs in percent; one decimal within 1% of 0 or 100% (so 3 runs in
    2,000 are not 0%, and 199 in 200 are not 100%).

    Examples
    --------
    >>> percent(0.25), percent(0.0015), percent(0.995), percent(0.0), percent(1.0)
    ('25%', '0.1%', '99.5%', '0%', '100%')
    """
    whole = 0.01 <= share <= 0.99 or share in (0.0, 1.0)
    return f"{share:.0%}" if whole else f"{share:.1%}"


def decimals(values: Sequence[float], kind: str, *, whole: bool = False) -> int:
    """Decimals for numbers shown together (already in display units).

    Parameters
    ----------
    values : sequence of float
        The numbers of one cell or one row (NaN ignored).
    kind : str
        An :class:`~mss_sim.catalog.OutputKind` value.
    whole : bool
        The numbers are whole by construction (a count's percentiles).

    Examples
    --------
    >>> decimals([15.0, 2.0, 23.0], "months"), decimals([1527.0], "count", whole=True)
    (1, 0)
    >>> decimals([0.72, 0.5, 0.93], "count"), decimals([12.7], "count"), decimals([0.0], "count")
    (2, 1, 0)
    """
    finite = [abs(v) for v in values if math.isfinite(v)]
    if whole or not finite:
        return 0
    if kind in _ONE_DECIMAL:
        return 1
    largest = max(finite)
    return 0 if largest >= 100 or largest == 0 else 1 if largest >= 10 else 2


def fixed(x: float, digits: int, *, sign: bool = False) -> str:
    """`x` with `digits` decimals and thousands separators; ``"n/a"`` if undefined, and
    no sign on a value that rounds to zero.

    Examples
    --------
    >>> fixed(1234.5, 1), fixed(-0.04, 1, sign=True), fixed(2.0, 0, sign=True)
    ('1,234.5', '0.0', '+2')
    """
    if not math.isfinite(x):
        return "n/a"
    if round(x, digits) == 0:
        return f"{0:.{digits}f}"
    return f"{x:+,.{digits}f}" if sign else f"{x:,.{digits}f}"


def difference(info: OutputInfo, mean: float, low: float, high: float) -> tuple[str, str]:
    """A difference of means ``b - a`` and its interval, as text, with its unit.

    Parameters
    ----------
    info : OutputInfo
        The output (from :func:`mss_sim.catalog.describe`).
    mean, low, high : float
        In stored units (a probability as a fraction, money in US$).

    Returns
    -------
    text, unit : str
        Probabilities, ballots (the share of yes) and shares in percentage points,
        money in US$ millions, months of the horizon in months; ``"undefined"``
        when no run defines the difference, and the mean alone when it has no
        interval.
    """
    points = info.kind in _POINTS
    unit = "percentage points" if points else info.display_unit
    if info.kind is OutputKind.MONTHS:
        unit = "months"  # a difference of months of the horizon is in months
    factor = 100.0 if points else 1.0 / info.scale
    values = [v * factor for v in (mean, low, high)]
    if not math.isfinite(values[0]):
        return "undefined", unit
    digits = 1 if points else decimals(values, info.kind)
    a, b, c = (fixed(v, digits, sign=True) for v in values)
    return (f"{a} ({b} to {c})" if math.isfinite(low) else a), unit
