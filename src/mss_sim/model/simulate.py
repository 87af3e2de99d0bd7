"""One replication: build the mission, start its processes, run to the horizon."""

from __future__ import annotations

import numpy as np

from mss_sim.model.council import start_council
from mss_sim.model.deployment import start_deployment
from mss_sim.model.funding import start_funding
from mss_sim.model.mission import Mission
from mss_sim.model.monitor import Replication, collect, month_end_process, series_names
from mss_sim.random import SeedLike
from mss_sim.scenario.spec import Scenario

__all__ = ["simulate"]


def simulate(scenario: Scenario, seed: SeedLike, *, record_events: bool = True) -> Replication:
    """Run one replication of `scenario`.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`mss_sim.load_scenario`).
    seed : int or numpy.random.SeedSequence
        The replication's seed. ``run_batch(..., seed=s)`` runs replication ``i``
        with ``mss_sim.random.replication_seed(s, i)``, so any replication of a
        batch can be re-run alone.
    record_events : bool
        Keep the event log (``Replication.events``). Batches switch it off: the
        outputs never depend on it, and a replication runs faster without it.

    Returns
    -------
    Replication
        Monthly series, scalar outcomes, the event log and the parameter draws.

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
    >>> rep = mss_sim.simulate(sc, seed=7)
    >>> rep.series["deployed"].shape
    (24,)
    """
    mission = Mission(scenario, seed, record_events=record_events)
    names = scenario.derived("series_names", series_names)
    rows = np.zeros((scenario.scenario.horizon_months, len(names)))
    # Order matters only for simultaneous events: drafts first, then funding,
    # deployment, and the month-end bookkeeping last.
    start_council(mission)
    start_funding(mission)
    start_deployment(mission)
    bookkeeping = mission.env.process(month_end_process(mission, rows))
    mission.env.run(until=bookkeeping)
    return collect(mission, rows)
