"""The runtime mission: one SimPy environment, its parameters, streams, state and log."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from mss_sim.model.accounts import Treasury
from mss_sim.model.chamber import Chamber
from mss_sim.model.clock import NOON
from mss_sim.model.deployment import Contingent
from mss_sim.model.events import Event, EventKind
from mss_sim.random import SeedLike, as_seed_sequence, stream, stream_uniforms
from mss_sim.scenario.spec import Scenario, add_months

__all__ = ["MandateState", "Mission", "draw_parameters"]


def draw_parameters(scenario: Scenario, seed: SeedLike) -> dict[str, float]:
    """Draw every uncertain parameter of `scenario` for the replication seeded by `seed`.

    Each parameter has its own stream, named ``param/<key path>``, so that adding
    or removing an uncertain value leaves the others' draws unchanged and two
    scenarios sharing a parameter share its draw (common random numbers).

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
    >>> draws = draw_parameters(sc, 7)
    >>> draws == draw_parameters(sc, 7) and set(draws) == set(sc.uncertain_parameters())
    True
    """
    ss = as_seed_sequence(seed)
    items = list(scenario.uncertain_parameters().items())
    draws = stream_uniforms(ss, ["param/" + path for path, _ in items])
    return {path: dist.ppf(float(u)) for (path, dist), u in zip(items, draws, strict=True)}


@dataclass(slots=True)
class MandateState:
    """The authorisation: whether active, its expiry, ceiling, funding model and powers.

    `ceiling` keeps the last authorised value while the mandate is inactive, so a
    draft that restores the mandate without naming a ceiling restores it too.
    `terminating` is set when a termination fixed the expiry.
    """

    active: bool
    expiry_day: float
    ceiling: int
    funding_model: str
    powers: tuple[str, ...] = ()
    terminating: bool = False


class Mission:
    """One replication's world: the environment, resolved parameters, state and event log.

    Subsystems (`council`, `funding`, `deployment`, `monitor`) are processes that
    get the mission passed in; the mission's methods are the only way they change
    shared state, so that costs are accrued before every change of strength.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    seed : int or numpy.random.SeedSequence
        The replication's seed.
    """

    def __init__(self, scenario: Scenario, seed: SeedLike, *, record_events: bool = True):
        self.scenario = scenario
        self.record_events = record_events
        self.seed = as_seed_sequence(seed)
        self.params = draw_parameters(scenario, self.seed)
        self.env = simpy.Environment()
        self.events: list[Event] = []
        info = scenario.scenario
        self.start: dt.date = info.start
        self.end_day = float((info.end - info.start).days)
        self.month_ends = [
            float((add_months(info.start.replace(day=1), k + 1) - info.start).days)
            for k in range(info.horizon_months)
        ]
        spec = scenario.mandate
        self.mandate = MandateState(
            active=spec.active,
            expiry_day=self.day(spec.expiry) if spec.expiry is not None else math.inf,
            ceiling=spec.ceiling,
            funding_model=spec.funding_model,
            powers=tuple(spec.powers),
        )
        self._mandate_changed = self.env.event()
        self.inactive_since: float | None = None if spec.active else 0.0
        self.days_without_mandate = 0.0
        self.lapses = 0
        self.treasury = Treasury(self)
        self.contingents = [
            Contingent.from_spec(self, c, f"deployment.contributors[{i}]")
            for i, c in enumerate(scenario.deployment.contributors)
        ]
        self.deployed = sum(c.deployed for c in self.contingents)
        self.peak_deployed = self.deployed
        self.half_ceiling_day = math.nan
        self._check_half_ceiling()
        self.council = Chamber(self)
        self.withdrawal_rng: np.random.Generator | None = None
        """The stream of withdrawals over unpaid allowances, made when first needed."""

    # ------------------------------------------------------------------ helpers

    def value(self, spec_value: Any, path: str) -> float:
        """Return a scenario number: itself if fixed, this replication's draw if uncertain."""
        if isinstance(spec_value, float | int):
            return float(spec_value)
        return self.params[path]

    def rng(self, name: str) -> np.random.Generator:
        """Return the generator of this replication's sub-stream `name`."""
        return stream(self.seed, name)

    def day(self, date: dt.date) -> float:
        """Return the time (days since the start) of noon on `date`."""
        return float((date - self.start).days) + NOON

    def date(self, day: float) -> dt.date:
        """Return the calendar date of time `day`."""
        return self.start + dt.timedelta(days=math.floor(day))

    def log(self, kind: EventKind, actor: str, /, **details: Any) -> None:
        """Append an event at the current time (nothing when events are not recorded)."""
        if self.record_events:
            now = self.env.now
            self.events.append(Event(now, self.date(now), kind, actor, details))

    @property
    def mandate_changed(self) -> simpy.Event:
        """An event that fires at the next change of the mandate."""
        return self._mandate_changed

    # ------------------------------------------------------------------ state changes

    def _signal_mandate(self) -> None:
        fired, self._mandate_changed = self._mandate_changed, self.env.event()
        fired.succeed()
        self._check_half_ceiling()

    def _check_half_ceiling(self) -> None:
        m = self.mandate
        if (
            math.isnan(self.half_ceiling_day)
            and m.active
            and m.ceiling > 0
            and 2 * self.deployed >= m.ceiling
        ):
            self.half_ceiling_day = self.env.now

    def set_mandate(
        self,
        *,
        expiry_day: float,
        ceiling: int,
        funding_model: str,
        powers: tuple[str, ...],
        terminating: bool = False,
        actor: str,
    ) -> None:
        """Make the mandate active with a new expiry, ceiling, funding model and powers."""
        self.treasury.accrue()
        m = self.mandate
        if self.inactive_since is not None:
            self.days_without_mandate += self.env.now - self.inactive_since
            self.inactive_since = None
        m.active, m.expiry_day, m.ceiling = True, expiry_day, ceiling
        m.funding_model, m.powers, m.terminating = funding_model, powers, terminating
        self.log(
            EventKind.MANDATE,
            actor,
            expiry=self.date(expiry_day),
            ceiling=ceiling,
            funding_model=funding_model,
            powers=powers,
        )
        self._enforce_ceiling()
        self.treasury.mandate_changed()
        self._signal_mandate()

    def lapse(self, reason: str) -> None:
        """End the mandate now and withdraw every contingent (nothing if none is in force)."""
        if not self.mandate.active:
            return
        self.treasury.accrue()
        self.mandate.active = False
        self.inactive_since = self.env.now
        self.lapses += reason == "expired"
        self.log(EventKind.LAPSED, "mission", reason=reason)
        for contingent in self.contingents:
            self.remove_personnel(contingent, contingent.deployed, reason="mandate lapsed")
        self._signal_mandate()

    def add_personnel(self, contingent: Contingent, count: int) -> None:
        """Deploy `count` more personnel of `contingent` (its first wave costs extra)."""
        self.treasury.accrue()
        if not contingent.arrived:
            contingent.arrived = True
            self.treasury.deployment_cost(contingent)
        contingent.deployed += count
        self.deployed += count
        self.peak_deployed = max(self.peak_deployed, self.deployed)
        self.log(EventKind.DEPLOYED, contingent.country, count=count, total=self.deployed)
        self._check_half_ceiling()

    def remove_personnel(self, contingent: Contingent, count: int, *, reason: str) -> None:
        """Withdraw `count` personnel of `contingent` (attrition, ceiling, lapse)."""
        if count <= 0:
            return
        self.treasury.accrue()
        contingent.deployed -= count
        self.deployed -= count
        kind = EventKind.ATTRITION if reason == "attrition" else EventKind.REPATRIATED
        self.log(kind, contingent.country, count=count, total=self.deployed, reason=reason)

    def _enforce_ceiling(self) -> None:
        excess = self.deployed - self.mandate.ceiling
        # Non-lead contingents leave first, the most recently listed first.
        order = [c for c in reversed(self.contingents) if not c.lead_nation]
        order += [c for c in self.contingents if c.lead_nation]
        for contingent in order:
            if excess <= 0:
                break
            cut = min(excess, contingent.deployed)
            self.remove_personnel(contingent, cut, reason="ceiling lowered")
            excess -= cut
