"""What the model needs of a scenario beyond the scenario itself, built once.

:func:`compile` derives, purely and once per scenario, the tables every
replication uses: the uncertain values and their streams, the calendar as
model days, the Council's voting rules and lookup tables, and the names of the
outputs. :func:`mss_sim.run_batch` compiles a scenario once per batch and hands
the result to every chunk; :func:`mss_sim.simulate` accepts either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mss_sim.model.chamber import CouncilPlan
from mss_sim.model.clock import Calendar
from mss_sim.model.outputs import (
    DRAFT_SCALARS,
    draft_members,
    scalar_names,
    series_names,
)
from mss_sim.scenario.fields import add_months
from mss_sim.scenario.resolve import ParameterTable, parameter_table
from mss_sim.scenario.spec import Scenario

__all__ = ["CompiledScenario", "DraftOutputs", "compile"]


@dataclass(frozen=True, slots=True)
class DraftOutputs:
    """Where one draft's outputs go in a replication's scalars."""

    draft: str
    first: int
    """The index of ``<draft>.adopted``; the other :data:`DRAFT_SCALARS` follow."""
    ballots: tuple[tuple[int, str], ...]
    """``(index, member)`` of each ``<draft>.vote.<member>``."""
    vetoes: tuple[tuple[int, str], ...]
    """``(index, member)`` of each ``<draft>.vetoed_by.<member>``."""


@dataclass(frozen=True, eq=False)
class CompiledScenario:
    """A scenario with what every replication of it derives from it alone.

    Attributes
    ----------
    scenario : Scenario
        The scenario, with its uncertain values.
    parameters : ParameterTable
        Its uncertain values, their key paths and streams.
    calendar : Calendar
        Its dates as model days.
    council : CouncilPlan
        Voting rules, context dates and lookup tables of the Council.
    series_names, scalar_names : tuple of str
        The outputs' names, in the order of a replication's arrays.
    months : numpy.ndarray
        ``datetime64[M]``: the calendar month of each series entry.
    design : numpy.ndarray or None
        With a design other than Monte Carlo (:mod:`mss_sim.batch.design`), the
        uniform numbers of replication ``i``'s parameter draws in row ``i``.
    """

    scenario: Scenario
    parameters: ParameterTable
    calendar: Calendar
    council: CouncilPlan
    series_names: tuple[str, ...]
    scalar_names: tuple[str, ...]
    months: np.ndarray = field(repr=False)
    donor_scalars: tuple[tuple[int, str], ...] = field(repr=False)
    draft_outputs: tuple[DraftOutputs, ...] = field(repr=False)
    design: np.ndarray | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name


def compile(scenario: Scenario) -> CompiledScenario:
    """Derive once what every replication of `scenario` needs.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Returns
    -------
    CompiledScenario

    Raises
    ------
    TypeError
        If `scenario` is not a :class:`~mss_sim.scenario.spec.Scenario`.

    Examples
    --------
    >>> import mss_sim
    >>> from mss_sim.model import compile
    >>> plan = compile(mss_sim.load_scenario("scenarios/gsf_2025.toml"))
    >>> plan.series_names[0], len(plan.calendar.month_ends)
    ('deployed', 24)
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(
            "scenario must be a Scenario (see mss_sim.load_scenario), "
            f"got {type(scenario).__name__}"
        )
    info = scenario.scenario
    start = info.start
    first = start.replace(day=1)
    calendar = Calendar(
        start=start,
        end_day=float((info.end - start).days),
        month_ends=tuple(
            float((add_months(first, k + 1) - start).days) for k in range(info.horizon_months)
        ),
    )
    scalars = scalar_names(scenario)
    index = {name: i for i, name in enumerate(scalars)}
    drafts = []
    for draft in scenario.council.drafts:
        members = draft_members(scenario, draft)
        drafts.append(
            DraftOutputs(
                draft=draft.id,
                first=index[f"{draft.id}.{DRAFT_SCALARS[0]}"],
                ballots=tuple((index[f"{draft.id}.vote.{m}"], m) for m in members),
                vetoes=tuple(
                    (index[f"{draft.id}.vetoed_by.{m}"], m) for m in scenario.council.permanent
                ),
            )
        )
    return CompiledScenario(
        scenario=scenario,
        parameters=parameter_table(scenario),
        calendar=calendar,
        council=CouncilPlan(scenario),
        series_names=series_names(scenario),
        scalar_names=scalars,
        months=np.datetime64(first, "M") + np.arange(info.horizon_months),
        donor_scalars=tuple(
            (index[f"received_usd.{d.name}"], d.name) for d in scenario.funding.donors
        ),
        draft_outputs=tuple(drafts),
    )
