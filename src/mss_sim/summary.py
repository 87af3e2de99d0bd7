"""Summary tables of batch outcomes, formatted by what each outcome is.

Each outcome's kind comes from the output registry (:mod:`mss_sim.catalog`), never
from its values: a 0/1 count stays a count. Probabilities get a Wilson score
interval; ballots (+1/0/-1) the shares of yes, abstain and no; every other outcome
its mean with a Student-t interval, median and 5th-95th percentiles. A NaN value
means the outcome was undefined in that run ("never reached"): the summary gives
the share of such runs, and leaves out outcomes undefined in every run (naming
them in a note). Money is shown in US$ millions.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from mss_sim.catalog import OutputInfo, OutputKind, describe, is_described
from mss_sim.formats import decimals, fixed, percent
from mss_sim.statistics import mean_interval, wilson_interval

__all__ = ["Outcomes", "Summary", "SummaryRow", "failed_rows", "summarise"]

_NAN = math.nan
_NON_NEGATIVE = (OutputKind.COUNT, OutputKind.MONTHS, OutputKind.DAYS, OutputKind.SHARE)


class Outcomes(Protocol):
    """What :func:`summarise` needs of a batch result (a ``BatchResult``)."""

    @property
    def scalars(self) -> Mapping[str, np.ndarray]: ...

    @property
    def meta(self) -> dict[str, Any]: ...

    @property
    def runs(self) -> int: ...

    def iter_columns(
        self, names: Sequence[str], *, kind: Literal["scalars", "series", "parameters"] = ...
    ) -> Iterator[tuple[str, np.ndarray]]: ...


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One outcome's summary, in the units it is shown in (money in US$ millions).

    Attributes
    ----------
    name, label : str
        The outcome and its title in words.
    kind : str
        An :class:`~mss_sim.catalog.OutputKind` value.
    unit : str
        The unit of `estimate` and the percentiles (``""`` for probabilities).
    n, missing : int
        Runs where the outcome was defined, and where it was not (NaN); failed
        replications are in neither (see `failed`).
    estimate, low, high : float
        P(1) for a probability, the share of yes for a ballot, else the mean;
        with its confidence interval.
    p5, p50, p95 : float
        Percentiles (NaN for probabilities and ballots).
    abstain, no : float
        Shares of abstentions and no votes (ballots only, else NaN).
    undefined : str
        What a NaN value means for this outcome ("never reached").
    failed : int
        Replications that raised, left out.
    """

    name: str
    label: str
    kind: str
    unit: str
    n: int
    missing: int
    estimate: float
    low: float
    high: float
    p5: float = _NAN
    p50: float = _NAN
    p95: float = _NAN
    abstain: float = _NAN
    no: float = _NAN
    undefined: str = ""
    failed: int = 0

    @property
    def undefined_share(self) -> float:
        """The share of runs in which the outcome was undefined."""
        total = self.n + self.missing
        return self.missing / total if total else _NAN

    def cells(self) -> tuple[str, ...]:
        """The row as text: outcome, estimate, interval, median, 5-95%, unit, undefined.

        The mean and its interval share their decimals, and so do the percentiles
        (:func:`mss_sim.formats.decimals`); shares are in percent.
        """
        kind = OutputKind(self.kind)
        undefined = (
            f"{self.undefined or 'undefined'}: {percent(self.undefined_share)}"
            if self.missing
            else ""
        )
        if kind is OutputKind.PROBABILITY:
            est, ci = f"P={self.estimate:.3f}", f"[{self.low:.3f}, {self.high:.3f}]"
            return (self.name, est, ci, "", "", "", undefined)
        if kind is OutputKind.BALLOT:
            shares = (self.estimate, self.abstain, self.no)
            est = "yes {}, abstain {}, no {}".format(*map(percent, shares))
            ci = f"yes [{percent(self.low)}, {percent(self.high)}]"
            return (self.name, est, ci, "", "", "", undefined)
        scale = 100.0 if kind is OutputKind.SHARE else 1.0
        means = [v * scale for v in (self.estimate, self.low, self.high)]
        spread = [v * scale for v in (self.p50, self.p5, self.p95)]
        est, low, high = (fixed(v, decimals(means, kind)) for v in means)
        whole = kind is OutputKind.COUNT  # a count's percentiles are values some run had
        p50, p5, p95 = (fixed(v, decimals(spread, kind, whole=whole)) for v in spread)
        unit = "%" if kind is OutputKind.SHARE else self.unit
        return (self.name, est, f"[{low}, {high}]", p50, f"{p5} to {p95}", unit, undefined)


_PAD = "padding:0 0.6em"
_HEADER = ("outcome", "estimate", "{pct} interval", "median", "5% to 95%", "unit", "undefined")


@dataclass(frozen=True)
class Summary:
    """A table of :class:`SummaryRow`, printable, indexable by outcome name.

    Shows as a table in a notebook (:meth:`_repr_html_`); ``str()`` gives it as text.

    Attributes
    ----------
    rows : tuple of SummaryRow
    confidence : float
        Coverage of the intervals.
    title : str
        Scenario, replications and seed.
    omitted : tuple of str
        Outcomes left out because they were undefined in every run.
    """

    rows: tuple[SummaryRow, ...]
    confidence: float = 0.95
    title: str = ""
    omitted: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[SummaryRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, name: str) -> SummaryRow:
        for row in self.rows:
            if row.name == name:
                return row
        if name in self.omitted:
            raise KeyError(f"{name!r} was undefined in every run and is not in the summary")
        raise KeyError(name)

    def __repr__(self) -> str:
        omitted = f", {len(self.omitted)} undefined in every run" if self.omitted else ""
        return f"<Summary {self.title or 'of a batch'}: {len(self.rows)} outcomes{omitted}>"

    def to_dicts(self) -> list[dict[str, Any]]:
        """Return the rows as dictionaries."""
        return [{f: getattr(r, f) for f in SummaryRow.__slots__} for r in self.rows]

    def to_frame(self) -> Any:
        """Return the table as a pandas DataFrame indexed by outcome (needs pandas).

        Its columns are the fields of :class:`SummaryRow`; ``kind`` and ``unit``
        say how to read each row (money in US$ millions).
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "Summary.to_frame() needs pandas; install it with pip install 'mss-sim[pandas]'"
            ) from None
        return pd.DataFrame(self.to_dicts()).set_index("name")

    def _table(self) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
        header = tuple(h.format(pct=f"{self.confidence:.0%}") for h in _HEADER)
        return header, [row.cells() for row in self.rows]

    def note(self) -> str:
        """The note under the table: which outcomes were left out."""
        if not self.omitted:
            return ""
        shown = ", ".join(self.omitted[:6]) + (", ..." if len(self.omitted) > 6 else "")
        return f"Undefined in every run, not shown ({len(self.omitted)}): {shown}"

    def __str__(self) -> str:
        header, lines = self._table()
        keep = [i for i in range(len(header)) if i < 3 or any(line[i] for line in lines)]
        header = tuple(header[i] for i in keep)
        lines = [tuple(line[i] for i in keep) for line in lines]
        widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]

        def render(row: tuple[str, ...]) -> str:
            cells = [row[0].ljust(widths[0])]
            cells += [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
            return "  ".join(cells).rstrip()

        table = [render(header), "-" * (sum(widths) + 2 * (len(widths) - 1))]
        table += [render(row) for row in lines]
        parts = [self.title, *table] if self.title else table
        return "\n".join([*parts, self.note()] if self.omitted else parts)

    def _repr_html_(self) -> str:
        header, lines = self._table()
        esc = html.escape
        head = "".join(f"<th>{esc(h)}</th>" for h in header)
        body = "".join(
            "<tr>"
            + f'<td title="{esc(row.label)}" style="{_PAD}"><code>{esc(line[0])}</code></td>'
            + "".join(f'<td style="text-align:right;{_PAD}">{esc(c)}</td>' for c in line[1:])
            + "</tr>"
            for row, line in zip(self.rows, lines, strict=True)
        )
        note = (
            f"<p><small>Undefined in every run, not shown ({len(self.omitted)}): "
            f"{esc(', '.join(self.omitted))}</small></p>"
            if self.omitted
            else ""
        )
        caption = f"<caption>{esc(self.title)}</caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"


def failed_rows(result: Any) -> np.ndarray:
    """A boolean mask of the rows of `result` whose replication raised.

    A failed replication is NaN in every output; summaries and figures leave it
    out rather than count it as an outcome that was undefined.

    Examples
    --------
    >>> from mss_sim.batch import BatchResult, Failure
    >>> res = BatchResult({}, {}, np.array([], "datetime64[M]"), {},
    ...                   failures=(Failure(11, "boom"),),
    ...                   meta={"runs": 3, "replications": [10, 13]})
    >>> failed_rows(res).tolist()
    [False, True, False]
    """
    runs = int(result.runs)
    mask = np.zeros(runs, dtype=bool)
    start = int((result.meta.get("replications") or [0, runs])[0])
    for failure in getattr(result, "failures", ()):
        row = int(failure.index) - start
        if 0 <= row < runs:
            mask[row] = True
    return mask


def _info(name: str, kinds: Mapping[str, str] | None) -> OutputInfo:
    if kinds is not None and name in kinds:
        kind = OutputKind(kinds[name])
        unit = "US$" if kind is OutputKind.MONEY else ""
        return OutputInfo(name, kind, unit, name, name)
    if is_described(name):
        return describe(name)
    return OutputInfo(name, OutputKind.QUANTITY, "", name, name)


def _summarise_one(
    name: str, values: np.ndarray, info: OutputInfo, confidence: float, failed: int
) -> SummaryRow:
    finite = values[np.isfinite(values)] / info.scale
    n, missing = int(finite.size), int(values.size - finite.size)
    why = info.undefined
    base = (name, info.label, info.kind.value, info.display_unit, n, missing)
    if info.kind in (OutputKind.PROBABILITY, OutputKind.BALLOT):
        allowed = (0, 1) if info.kind is OutputKind.PROBABILITY else (-1, 0, 1)
        if not np.all(np.isin(finite, allowed)):
            bad = finite[~np.isin(finite, allowed)][0]
            raise ValueError(
                f"{name}: a {info.kind.value} takes the values {allowed}, found {bad:g}"
            )
        k = int(np.count_nonzero(finite == 1))
        low, high = wilson_interval(k, n, confidence) if n else (_NAN, _NAN)
        if info.kind is OutputKind.PROBABILITY:
            return SummaryRow(*base, k / n, low, high, undefined=why, failed=failed)
        abstain = float(np.count_nonzero(finite == 0)) / n
        no = float(np.count_nonzero(finite == -1)) / n
        return SummaryRow(
            *base, k / n, low, high, abstain=abstain, no=no, undefined=why, failed=failed
        )
    mean, low, high = mean_interval(finite, confidence)
    if info.kind in _NON_NEGATIVE and finite.size and finite.min() >= 0:
        low = max(low, 0.0)  # the t interval of a mean of counts can dip below 0
    if info.kind is OutputKind.SHARE and finite.size and finite.max() <= 1:
        high = min(high, 1.0)
    # Counts are whole numbers: their percentiles are values some run had.
    if info.kind is OutputKind.COUNT:
        qs = np.percentile(finite, [5, 50, 95], method="inverted_cdf")
    else:
        qs = np.percentile(finite, [5, 50, 95])
    p5, p50, p95 = (float(q) for q in qs)
    return SummaryRow(*base, mean, low, high, p5, p50, p95, undefined=why, failed=failed)


def summarise(
    result: Outcomes,
    names: Sequence[str] | None = None,
    *,
    confidence: float = 0.95,
    kinds: Mapping[str, str] | None = None,
) -> Summary:
    """Summarise scalar outcomes of a batch.

    Parameters
    ----------
    result : BatchResult
        The batch.
    names : sequence of str, optional
        Outcomes to include (default: every scalar, in order).
    confidence : float
        Interval coverage, in (0, 1).
    kinds : mapping of str to str, optional
        The :class:`~mss_sim.catalog.OutputKind` of outcomes the registry does not
        know (for a hand-made result); unknown outcomes are otherwise quantities.

    Returns
    -------
    Summary

    Raises
    ------
    KeyError
        If an outcome is not in the result.
    ValueError
        If a probability or ballot outcome has a value it cannot take.

    Examples
    --------
    >>> import numpy as np
    >>> from mss_sim.batch import BatchResult
    >>> res = BatchResult(
    ...     scalars={"target_reached": np.array([1.0, 0, 0, 1, 1, 1]),
    ...              "months_to_target": np.array([7.0, np.nan, np.nan, 9.0, 8.0, 8.5])},
    ...     series={}, months=np.array([], "datetime64[M]"), parameters={},
    ...     meta={"scenario": "demo", "seed": 1})
    >>> print(summarise(res))
    demo: 6 replications, seed 1
    outcome           estimate    95% interval  median   5% to 95%    unit           undefined
    ------------------------------------------------------------------------------------------
    target_reached     P=0.667  [0.300, 0.903]
    months_to_target       8.1      [6.8, 9.5]     8.2  7.2 to 8.9  months  never reached: 33%
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    chosen = list(result.scalars) if names is None else list(names)
    unknown = [n for n in chosen if n not in result.scalars]
    if unknown:
        raise KeyError(f"no scalar outcome named {unknown}; available: {list(result.scalars)}")
    rows, omitted = [], []
    failed = failed_rows(result)
    for name, values in result.iter_columns(chosen):
        values = np.asarray(values, float)
        if failed.any():
            values = values[~failed]
        if not np.isfinite(values).any():
            omitted.append(name)
            continue
        info = _info(name, kinds)
        rows.append(_summarise_one(name, values, info, confidence, int(failed.sum())))
    meta = result.meta
    title = f"{meta.get('scenario', '')}: {result.runs:,} replications, seed {meta.get('seed')}"
    if failed.any():
        title += f" ({int(failed.sum()):,} failed and left out)"
    return Summary(tuple(rows), confidence, title, tuple(omitted))
