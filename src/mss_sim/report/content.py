"""What a report shows, gathered from results into plain data for the template."""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from mss_sim._version import __version__
from mss_sim.analysis.compare import compare as compare_batches
from mss_sim.batch import BatchResult, replay_result, typical_replication
from mss_sim.catalog import OutputKind, describe
from mss_sim.errors import ResultsError, ScenarioError
from mss_sim.formats import percent
from mss_sim.model.narrate import Entry, timeline
from mss_sim.model.outputs import SECURITY_SCALARS, Replication
from mss_sim.plotting.dashboard import key_probabilities
from mss_sim.report.rerun import changes_from_bundled, rerun
from mss_sim.scenario import Scenario
from mss_sim.scenario.diff import toml_value
from mss_sim.scenario.display import uncertain_rows
from mss_sim.summary import SummaryRow, summarise

__all__ = ["HEADLINE", "Batch", "Row", "Typical", "batch_info", "limitations", "outcome_rows"]

HEADLINE = (
    "peak_deployed",
    "deployed_at_end",
    "months_to_target",
    "days_without_mandate",
    "total_received_usd",
    "total_spent_usd",
    "shortfall_months",
    "share_of_costs_covered",
    "contingents_withdrawn",
    "lead_nation_changes",
    *SECURITY_SCALARS,
)
"""The quantities the report's outcome table shows (those a result has)."""


@dataclass(frozen=True)
class Batch:
    """One result as the report describes it."""

    label: str
    result: BatchResult
    scenario: Scenario | None
    problem: str = ""
    reproduce: list[tuple[str, str]] = field(default_factory=list)
    command: str = ""
    command_note: str = ""
    facts: str = ""


@dataclass(frozen=True)
class Row:
    """One line of a table: the outcome in words, its unit, one cell per result."""

    name: str
    label: str
    unit: str
    cells: list[str]
    note: str = ""


@dataclass(frozen=True)
class Typical:
    """The typical replication, re-run with its events."""

    index: int
    output: str
    label: str
    value: float
    median: float
    rep: Replication
    entries: list[Entry]


def batch_info(result: BatchResult, label: str) -> Batch:
    """The scenario a result ran (when it keeps it) and how to reproduce the result.

    Parameters
    ----------
    result : BatchResult
    label : str
        The result's name in the report's tables.

    Returns
    -------
    Batch
        With `problem` saying why the scenario could not be read, if it could not.
    """
    meta = result.meta
    scenario, problem = None, ""
    try:
        scenario = result.scenario()
    except (ResultsError, ScenarioError) as exc:  # the report says what it cannot show
        problem = str(exc)
    design = meta.get("design", "monte_carlo")
    command, note = rerun(result)
    reproduce = [
        ("scenario", str(meta.get("scenario"))),
        ("scenario content hash (SHA-256)", str(meta.get("scenario_hash"))),
        ("seed", str(meta.get("seed"))),
        ("replications", _indices(result)),
        ("design", str(design)),
        ("mss_sim version of the batch", str(meta.get("version"))),
        ("created", str(meta.get("created"))),
        ("results directory", str(meta.get("store", "(in memory)"))),
    ]
    return Batch(
        label, result, scenario, problem, reproduce, command, note, _facts(result, scenario)
    )


def _facts(result: BatchResult, scenario: Scenario | None) -> str:
    """Runs, period, target strength and policy values, in one sentence."""
    parts = [f"{result.runs:,} replications"]
    if scenario is not None:
        info = scenario.scenario
        parts.append(f"{info.horizon_months} months from {info.start}")
        parts.append(f"target strength {scenario.target_strength():,} personnel")
    values = result.meta.get("policy_values")
    if result.meta.get("policy"):
        shown = ", ".join(f"{k} = {toml_value(v)}" for k, v in (values or {}).items())
        parts.append(f"policy {result.meta['policy']}: {shown or 'no changes'}")
    changed = changes_from_bundled(result)
    if changed:
        listed = ", ".join(f"{d.path} = {toml_value(d.new)}" for d in changed[:_LISTED])
        more = f" and {len(changed) - _LISTED} more" if len(changed) > _LISTED else ""
        parts.append(f"changed from the bundled {result.meta['scenario']}: {listed}{more}")
    return "; ".join(parts)


_LISTED = 6  # changed values named in a report's header


def _indices(result: BatchResult) -> str:
    start, stop = result.meta.get("replications") or [0, result.runs]
    failed = f", {len(result.failures):,} failed" if result.failures else ""
    return f"{result.runs:,}: replications {start:,} to {stop - 1:,}{failed}"


def _interval(row: SummaryRow) -> str:
    """A probability and its interval in percent, one decimal each (the same in every
    row, so 0.3% is not shown as 0%)."""
    a, b, c = (f"{v:.1%}" for v in (row.estimate, row.low, row.high))
    return f"{a} ({b} to {c})"


def _spread(row: SummaryRow) -> str:
    """Median (5th to 95th percentile), as the summary shows them."""
    _, _, _, median, spread, *_ = row.cells()
    return f"{median} ({spread})"


def probability_rows(results: list[BatchResult]) -> list[Row]:
    """Key probabilities with Wilson 95% intervals, one cell per result.

    Parameters
    ----------
    results : list of BatchResult
        One or two results (the second compared with the first).

    Returns
    -------
    list of Row
        ``"n/a"`` where a result never defines the outcome.
    """
    names = key_probabilities(results[0], results[1] if len(results) > 1 else None)
    summaries = [summarise(r, [n for n in names if _defined(r, n)]) for r in results]
    rows = []
    for name in names:
        cells = []
        for s in summaries:
            try:
                cells.append(_interval(s[name]))
            except KeyError:
                cells.append("n/a")
        info = describe(name)
        rows.append(Row(name, info.label, "probability", cells, info.description))
    return rows


def _defined(result: BatchResult, name: str) -> bool:
    import numpy as np

    return bool(np.isfinite(np.asarray(result.scalars[name], float)).any())


def outcome_rows(results: list[BatchResult]) -> list[Row]:
    """Headline quantities: median, 5-95% and the share of runs where undefined.

    Parameters
    ----------
    results : list of BatchResult

    Returns
    -------
    list of Row
        The outcomes of :data:`HEADLINE` every result has (one undefined in every
        run of a result says so), money in US$ millions, shares in percent.
    """
    names = [n for n in HEADLINE if all(n in r.scalars for r in results)]
    summaries = [summarise(r, names) for r in results]
    rows = []
    for name in names:
        info = describe(name)
        cells = []
        for s in summaries:
            if name in s.omitted:
                cells.append(f"{info.undefined or 'undefined'} in every run")
                continue
            r = s[name]
            text = _spread(r)
            if r.missing:
                text += f"; {r.undefined or 'undefined'} in {percent(r.undefined_share)} of runs"
            cells.append(text)
        unit = "percent" if info.kind is OutputKind.SHARE else info.display_unit
        rows.append(Row(name, info.label, unit, cells, info.description))
    return rows


def comparison_rows(a: BatchResult, b: BatchResult) -> tuple[str, list[Row]]:
    """Differences ``b - a`` of the headline outcomes with 95% intervals.

    Parameters
    ----------
    a, b : BatchResult
        The baseline and the alternative.

    Returns
    -------
    tuple of (str, list of Row)
        How the differences were taken (paired or Welch), and the rows:
        probabilities and shares in percentage points, money in US$ millions.
    """
    names = [n for n in HEADLINE if n in a.scalars and n in b.scalars]
    names += key_probabilities(a, b)
    rows, method = [], "paired"
    for c in compare_batches(a, b, names):
        method = c.method
        text, unit = c.shown()
        if math.isfinite(c.mean) and c.method == "paired" and c.pairs < min(a.runs, b.runs):
            pairs = "the pair" if c.pairs == 1 else f"the {c.pairs:,} pairs"
            text += f"; over {pairs} where both are defined"
        rows.append(Row(c.name, describe(c.name).label, unit, [text]))
    how = (
        "paired replication by replication (same seed and runs: common random numbers)"
        if method == "paired"
        else "unpaired (Welch): the two results differ in seed, runs or design, so their "
        "replications are not counterparts"
    )
    return how, rows


def typical(batch: Batch, output: str = "peak_deployed") -> Typical | None:
    """The replication whose `output` is closest to the median, re-run with its events.

    Parameters
    ----------
    batch : Batch
    output : str
        The scalar outcome that picks the replication.

    Returns
    -------
    Typical or None
        None when the result keeps no scenario or never defines `output`.
    """
    result = batch.result
    if batch.scenario is None or output not in result.scalars or not _defined(result, output):
        return None
    import numpy as np

    index = typical_replication(result, output)
    rep = replay_result(result, index, scenario=batch.scenario)
    values = np.asarray(result.scalars[output], float)
    median = float(np.percentile(values[np.isfinite(values)], 50, method="inverted_cdf"))
    label = describe(output).label.lower()
    return Typical(index, output, label, rep.scalars[output], median, rep, timeline(rep))


def parameters(scenario: Scenario | None) -> list[tuple[str, str]]:
    """The scenario's uncertain values as (key path, distribution)."""
    return uncertain_rows(scenario) if scenario is not None else []


def limitations(*, security: bool = True) -> list[dict[str, Any]]:
    """What the model leaves out, by subsystem (the security model's only with `security`)."""
    text = resources.files("mss_sim").joinpath("report/limitations.toml").read_text("utf-8")
    sections: list[dict[str, Any]] = tomllib.loads(text)["section"]
    return [s for s in sections if security or s["name"] != "Security"]


def generated() -> str:
    """When and with what the report was written."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return f"{now} with mss_sim {__version__}"
