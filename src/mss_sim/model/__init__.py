"""The discrete-event model: one Mission per replication, a SimPy process per actor."""

from mss_sim.model.clock import DAYS_PER_MONTH
from mss_sim.model.events import Event, EventKind
from mss_sim.model.mission import Mission, draw_parameters
from mss_sim.model.monitor import (
    ACCOUNT_SERIES,
    DRAFT_SCALARS,
    SERIES,
    STANDARD_SCALARS,
    Replication,
    scalar_names,
    series_names,
)
from mss_sim.model.simulate import simulate

__all__ = [
    "ACCOUNT_SERIES",
    "DAYS_PER_MONTH",
    "DRAFT_SCALARS",
    "SERIES",
    "STANDARD_SCALARS",
    "Event",
    "EventKind",
    "Mission",
    "Replication",
    "draw_parameters",
    "scalar_names",
    "series_names",
    "simulate",
]
