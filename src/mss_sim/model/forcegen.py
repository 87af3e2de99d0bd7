"""Force generation over time: drawdowns, governments leaving, the lead's handover, rotations.

* A contributor's dated drawdowns bring it down to ``to`` personnel (no more waves
  above that); ``to = 0`` withdraws it for good (event ``repatriated``, reason
  ``drawdown``).
* With ``leave_hazard_per_month`` its government withdraws it for good at an
  exponential time (stream ``deployment/<country>/politics``; reason ``politics``).
* A handover passes the lead to its successor on its date, with its probability
  (stream ``deployment/handovers[<i>]``); for ``gap_months`` after it no wave
  deploys (event ``handover``).
* With ``tour_months`` a contingent rotates at each tour's end: in groups of its wave
  size, one after another, a group goes home (reason ``rotation``) and as many
  relieve it, flown in as airlift seats allow; the days each group waited for its
  relief add up in ``rotation_gap_days`` (a relief still awaited at the horizon counts
  to the horizon). The next tour counts from the end of the
  rotation. The first tour of personnel in the field at the start ends one tour after
  the start; of those arriving later, one tour after the contingent's first wave.
"""

from __future__ import annotations

import simpy

from mss_sim.model.clock import DAYS_PER_MONTH, Clock
from mss_sim.model.deployment import Contingent, Force
from mss_sim.model.events import EventKind
from mss_sim.model.shared import Bus, EventLog, MandateState, Process, Strength
from mss_sim.random import Streams
from mss_sim.scenario.deployment import Deployment
from mss_sim.scenario.resolve import fixed

__all__ = ["ForceGeneration"]


class ForceGeneration:
    """The processes that change the force other than waves and attrition.

    Parameters
    ----------
    spec : Deployment
        The resolved ``[deployment]`` table.
    force : Force
        The contingents (in the order of `spec`'s contributors).
    clock, log, bus, streams : Clock, EventLog, Bus, Streams
        The replication's shared pieces.
    mandate, strength : MandateState, Strength
        The mandate in force and the personnel deployed (reliefs stay within the
        ceiling).
    """

    def __init__(
        self,
        spec: Deployment,
        force: Force,
        clock: Clock,
        log: EventLog,
        bus: Bus,
        streams: Streams,
        mandate: MandateState,
        strength: Strength,
    ):
        self._spec, self._force = spec, force
        self._clock, self._log, self._bus, self._streams = clock, log, bus, streams
        self._mandate, self._strength = mandate, strength
        self._rotations_of: dict[str, simpy.Process] = {}

    def start(self) -> None:
        """Start the drawdowns, the politics, the handovers and the rotations that apply."""
        env = self._clock.env
        force = self._force
        for spec, c in zip(self._spec.contributors, force.contingents, strict=True):
            if spec.drawdowns:
                steps = [(self._clock.day(d.date), d.to) for d in spec.drawdowns]
                env.process(self._drawdowns(c, steps))
            hazard = fixed(spec.leave_hazard_per_month)
            if hazard > 0:
                env.process(self._politics(c, hazard))
            if spec.tour_months is not None:
                tour = fixed(spec.tour_months) * DAYS_PER_MONTH
                process = env.process(self._rotations(c, tour, self._arrival(c)))
                self._rotations_of[c.country] = process
        if self._rotations_of and force.airlift is not None:
            self._bus.contingent_reduced.append(self._relief_unwanted)
        for i in range(len(self._spec.handovers)):
            env.process(self._handover(i))

    def _relief_unwanted(self, country: str) -> None:
        """Stop a relief waiting for seats when its contingent was drawn down or left."""
        process = self._rotations_of.get(country)
        c = next(c for c in self._force.contingents if c.country == country)
        if process is not None and process.is_alive and c.relief_since >= 0:
            process.interrupt("drawn down")

    def _arrival(self, c: Contingent) -> simpy.Event:
        """An event that fires at the contingent's first wave (at once if it is in the field)."""
        arrived = self._clock.env.event()
        if c.arrived:
            return arrived.succeed()

        def listener(country: str) -> None:
            if country == c.country and not arrived.triggered:
                arrived.succeed()

        self._bus.contingent_arrived.append(listener)
        return arrived

    def _drawdowns(self, c: Contingent, steps: list[tuple[float, int]]) -> Process:
        env = self._clock.env
        for day, to in steps:
            if day > env.now:
                yield env.timeout(day - env.now)
            if c.withdrawn:
                return
            self._force.draw_down(c, to, reason="drawdown")

    def _politics(self, c: Contingent, hazard: float) -> Process:
        env = self._clock.env
        rng = self._streams[f"deployment/{c.country}/politics"]
        delay = float(rng.exponential(DAYS_PER_MONTH / hazard))
        if delay >= self._clock.calendar.end_day:
            return
        yield env.timeout(delay)
        if not c.withdrawn:
            self._force.draw_down(c, 0, reason="politics")

    def _handover(self, index: int) -> Process:
        env = self._clock.env
        handover = self._spec.handovers[index]
        successor = handover.successor
        day = self._clock.day(handover.date)
        probability = fixed(handover.probability)
        happens = probability >= 1.0 or (
            self._streams[f"deployment/handovers[{index}]"].random() < probability
        )
        if not happens:
            return
        if day > env.now:
            yield env.timeout(day - env.now)
        force = self._force
        heir = next(c for c in force.contingents if c.country == successor)
        if heir.withdrawn or (heir.deployed == 0 and heir.pledged == 0):
            return  # nobody left to take the lead: the lead stays where it is
        previous = [c.country for c in force.contingents if c.lead_nation]
        for c in force.contingents:
            c.lead_nation = c.country == successor
        force.set_cut_order()
        force.lead_changes += 1
        gap = fixed(handover.gap_months) * DAYS_PER_MONTH
        force.paused_until = max(force.paused_until, env.now + gap)
        if self._log.record:
            self._log(
                EventKind.HANDOVER,
                successor,
                previous=previous[0] if previous else None,
                gap_days=round(gap, 2),
            )

    def _rotations(self, c: Contingent, tour: float, arrived: simpy.Event) -> Process:
        env = self._clock.env
        force, mandate, strength = self._force, self._mandate, self._strength
        if not arrived.triggered:
            yield arrived  # the first tour starts with the first wave
        while not c.withdrawn:
            yield env.timeout(tour)
            # Wave-sized groups go home one after another, each as its relief arrives.
            going = c.deployed
            while going > 0 and mandate.active and not c.withdrawn and c.deployed > 0:
                group = min(c.wave_size, going, c.deployed)
                going -= group
                c.rotating = True
                force.remove(c, group, reason="rotation")
                left = c.relief_since = env.now
                seated = group
                if force.airlift is not None:
                    seated = yield from force.airlift.board(group)
                relief = 0
                if mandate.active and not c.withdrawn:
                    room = mandate.ceiling - strength.deployed
                    relief = max(0, min(seated, c.pledged - c.deployed, room))
                if relief:
                    force.add(c, relief, reason="relief")
                if force.airlift is not None:
                    force.airlift.give_back(seated - relief)
                force.rotation_gap_days += env.now - left
                c.relief_since = -1.0
            c.rotating = False
