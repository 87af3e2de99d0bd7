"""The discrete-event model: a replication wired from subsystems, a SimPy process per actor.

:func:`compile` derives once what a scenario's replications share;
:func:`simulate` runs one replication (:func:`run` is its array-returning core).
"""

from mss_sim.model.clock import DAYS_PER_MONTH
from mss_sim.model.compiled import CompiledScenario, compile
from mss_sim.model.events import Event, EventKind
from mss_sim.model.outputs import (
    ACCOUNT_SERIES,
    DRAFT_SCALARS,
    SERIES,
    STANDARD_SCALARS,
    Replication,
    scalar_names,
    series_names,
)
from mss_sim.model.simulate import Outcome, run, simulate
from mss_sim.scenario.resolve import resolve

__all__ = [
    "ACCOUNT_SERIES",
    "DAYS_PER_MONTH",
    "DRAFT_SCALARS",
    "SERIES",
    "STANDARD_SCALARS",
    "CompiledScenario",
    "Event",
    "EventKind",
    "Outcome",
    "Replication",
    "compile",
    "resolve",
    "run",
    "scalar_names",
    "series_names",
    "simulate",
]
