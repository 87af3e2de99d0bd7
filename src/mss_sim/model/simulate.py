"""One replication: resolve the scenario, wire the subsystems, run to the horizon.

:func:`simulate` builds the shared pieces (the clock, the event log, the bus,
the mandate and the strength) and gives each subsystem only what it needs;
the subsystems never refer to each other except through the bus, where
:func:`run` subscribes them in a fixed order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from mss_sim.model.accounts import Treasury
from mss_sim.model.airlift import Airlift
from mss_sim.model.assessed import Assessments
from mss_sim.model.chamber import Chamber
from mss_sim.model.clock import Clock
from mss_sim.model.compiled import CompiledScenario, compile
from mss_sim.model.council import Negotiations
from mss_sim.model.deployment import Force
from mss_sim.model.donors import Donors, SecurityResponse
from mss_sim.model.events import Event
from mss_sim.model.forcegen import ForceGeneration
from mss_sim.model.monitor import Monitor
from mss_sim.model.outputs import Replication
from mss_sim.model.security import Security
from mss_sim.model.shared import Bus, EventLog, MandateState, SecurityState, Strength
from mss_sim.random import SeedLike, Streams, as_seed_sequence
from mss_sim.scenario.resolve import fixed
from mss_sim.scenario.spec import Feedback, Scenario

__all__ = ["Outcome", "run", "simulate"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One replication's outputs as arrays, in the order of its :class:`CompiledScenario`.

    Attributes
    ----------
    series : numpy.ndarray
        Shape ``(months, series)``.
    scalars : numpy.ndarray
        Shape ``(scalars,)``.
    parameters : list of float
        The draws of the uncertain values, in the order of ``plan.parameters.paths``.
    events : list of Event
        The event log (empty unless recorded).
    month_marks : list of int
        For each month end, how many events were logged before its sample (empty
        unless recorded).
    """

    series: np.ndarray
    scalars: np.ndarray
    parameters: list[float]
    events: list[Event]
    month_marks: list[int] = field(default_factory=list)


class _Feedback:
    """What the security situation feeds back to, per ``[security.feedback]`` (None: off)."""

    def __init__(self, spec: Feedback | None, security: Security | None):
        self.council: tuple[SecurityState | None, float] = (None, 0.0)
        self.donors: SecurityResponse | None = None
        self.contributors: tuple[SecurityState, float] | None = None
        """The state and ``casualty_withdrawal``."""
        if spec is None or security is None:
            return
        state = security.state
        reference = fixed(spec.performance_reference)
        if spec.council:
            self.council = (state, reference)
        if spec.donors:
            sensitivity, elasticity = fixed(spec.donor_sensitivity), fixed(spec.pledge_elasticity)
            draws = security.donor_draws
            self.donors = SecurityResponse(state, reference, sensitivity, elasticity, draws)
        if spec.contributors:
            self.contributors = (state, fixed(spec.casualty_withdrawal))


def run(
    plan: CompiledScenario,
    seed: SeedLike,
    *,
    record_events: bool = False,
    uniforms: Sequence[float] | None = None,
    draws: Sequence[float] | None = None,
) -> Outcome:
    """Run one replication of a compiled scenario and return its outputs as arrays.

    The fast path of :func:`simulate`, used by the batch runner.

    Parameters
    ----------
    plan : CompiledScenario
        ``mss_sim.model.compile(scenario)``.
    seed : int or numpy.random.SeedSequence
        The replication's seed.
    record_events : bool
        Keep the event log (off by default here, unlike :func:`simulate`).
    uniforms : sequence of float, optional
        The uniform numbers of the parameter draws (a design's row), instead of
        the replication's parameter streams.
    draws : sequence of float, optional
        The parameter values themselves, in the order of ``plan.parameters.paths``
        (an uncertain Council composition: the index of the list chosen).

    Returns
    -------
    Outcome
        The series and scalars as arrays in the plan's order, the parameter
        draws in the order of ``plan.parameters.paths``, and the events.

    Raises
    ------
    TypeError
        If `plan` is not a :class:`CompiledScenario`.

    Examples
    --------
    >>> import mss_sim
    >>> from mss_sim.model import compile, run
    >>> plan = compile(mss_sim.load_scenario("scenarios/gsf_2025.toml"))
    >>> run(plan, 7).series.shape == (24, len(plan.series_names))
    True
    """
    if not isinstance(plan, CompiledScenario):
        raise TypeError(
            "run needs a compiled scenario: run(mss_sim.model.compile(scenario), seed), "
            f"got {type(plan).__name__}"
        )
    ss = as_seed_sequence(seed)
    if draws is not None:
        draws = list(draws)
    elif uniforms is not None:
        draws = plan.parameters.ppf(uniforms)
    else:
        draws = plan.parameters.draw(ss)
    spec = plan.parameters.resolved(plan.scenario, draws)
    clock = Clock(plan.calendar)
    env = clock.env
    log = EventLog(clock, record=record_events)
    streams = Streams(ss)
    bus = Bus(env, (d.id for d in spec.council.drafts))
    mandate = MandateState(spec.mandate, clock, log, bus)
    strength = Strength(0, 0, target=spec.target_strength())
    treasury = Treasury(spec.funding, clock, log, mandate, strength)
    assessments = Assessments(spec.funding.assessed, clock, log, bus, treasury, mandate, strength)
    airlift = None
    if spec.deployment.airlift is not None:
        supplier = spec.deployment.airlift.supplied_by
        # The supplying donor's support is checked from the start, once donors exist.
        airlift = Airlift(
            spec.deployment.airlift,
            clock,
            None if supplier is None else lambda: donors.states[supplier].supporting,
        )
    force = Force(
        spec.deployment.contributors, clock, log, bus, streams, mandate, strength, treasury,
        airlift,
    )  # fmt: skip
    generation = ForceGeneration(
        spec.deployment, force, clock, log, bus, streams, mandate, strength
    )
    security = None
    feedback = _Feedback(None, None)
    if spec.security is not None:
        months = len(plan.calendar.month_ends)
        security = Security(
            spec.security, months, clock, log, bus, streams, force.contingents,
            mandate, strength, treasury, [d.name for d in spec.funding.donors],
        )  # fmt: skip
        feedback = _Feedback(spec.security.feedback, security)
    chamber = Chamber(plan.council, spec.council, clock, mandate, strength, *feedback.council)
    donors = Donors(spec.funding, clock, log, bus, streams, treasury, feedback.donors)
    if feedback.contributors is not None and security is not None:
        per_casualty, subsystem = feedback.contributors[1], security
        bus.security_updated.append(
            lambda: force.casualty_withdrawals(
                subsystem.state.casualties, per_casualty, subsystem.withdrawal_draws
            )
        )
    negotiations = Negotiations(spec.council.drafts, chamber, clock, log, bus, streams, mandate)
    monitor = Monitor(plan, clock, treasury, force, chamber, mandate, strength, security, log)
    # Costs accrue up to every change of strength or mandate; after a change of
    # mandate the force meets the new ceiling before the assessed budget is set up.
    bus.strength_changing.append(treasury.accrue)
    bus.contingent_arrived.append(treasury.deployment_cost)
    bus.mandate_changed += [force.mandate_changed, treasury.mandate_changed, assessments.start]
    # Order matters only for simultaneous events: drafts first, then funding,
    # deployment, and the month-end bookkeeping last.
    negotiations.start()
    donors.start()
    assessments.start()
    force.start()
    generation.start()
    if airlift is not None:
        airlift.start()
    env.run(until=env.process(monitor.month_ends()))
    return Outcome(monitor.series, monitor.scalars(), draws, log.events, log.month_marks)


def simulate(
    scenario: Scenario | CompiledScenario,
    seed: SeedLike,
    *,
    record_events: bool = True,
    draws: Sequence[float] | None = None,
) -> Replication:
    """Run one replication of `scenario`.

    Parameters
    ----------
    scenario : Scenario or CompiledScenario
        A validated scenario (see :func:`mss_sim.load_scenario`), or one compiled
        with :func:`mss_sim.model.compile` when running many replications.
    seed : int or numpy.random.SeedSequence
        The replication's seed. ``run_batch(..., seed=s)`` runs replication ``i``
        with ``mss_sim.random.replication_seed(s, i)``, so any replication of a
        batch can be re-run alone.
    record_events : bool
        Keep the event log (``Replication.events``). Batches switch it off: the
        outputs never depend on it, and a replication runs faster without it.
    draws : sequence of float, optional
        The uncertain parameters' values, in the order of
        :meth:`Scenario.uncertain_parameters` (a row of ``BatchResult.parameters``),
        instead of drawing them: re-runs a replication of a batch with a design.

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
    plan = scenario if isinstance(scenario, CompiledScenario) else compile(scenario)
    out = run(plan, seed, record_events=record_events, draws=draws)
    return Replication(
        scenario=plan.name,
        months=plan.months.copy(),
        series={name: out.series[:, j].copy() for j, name in enumerate(plan.series_names)},
        scalars=dict(zip(plan.scalar_names, out.scalars.tolist(), strict=True)),
        events=tuple(out.events),
        parameters=dict(zip(plan.parameters.paths, out.parameters, strict=True)),
        month_marks=tuple(out.month_marks),
    )
