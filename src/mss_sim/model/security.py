"""Security: gang control, violence, displacement and the police, month by month.

A stylised dynamic (``docs/security.md`` gives the reasoning, priors and sources).
At the end of month ``k``, with the state at its start (gangs' strength ``G``,
gang control ``C``, displaced ``D``, police available ``P``) and the force as it
stands after the month's bookkeeping:

* effective force, in mission personnel equivalents::

      E = L * M * sum_c(w_c * d_c) + pi * P

  ``d_c`` the personnel of contingent ``c``, ``w_c`` its weight
  (``security.contingents``), ``M`` the product of ``1 + uplift`` over the powers
  of the mandate in force (``security.powers``), ``L = 1 - logistics_penalty`` if
  the month's logistics bills went unpaid (else 1), ``pi`` the police weight.
  ``E0`` is the same at the start; ``x = (E - E0) / 1000``.
* a coordinated offensive happens with probability ``offensive_hazard`` (``O = 1``);
* gangs' strength: ``G' = G * exp(gang_growth - suppression * x + gang_noise * e1)``;
* gang control moves towards its balance with the force,
  ``C* = G' / (G' + phi * E)`` with ``phi`` set so that the start is in balance
  (``C* = C`` at ``G0``, ``E0``): ``C' = C + control_adjustment * (C* - C)``, then an
  offensive takes ``offensive_control`` of the free area:
  ``C' += offensive_control * (1 - C')``;
* violence level ``V = (G' / G0) * exp(-killing_reduction * x) * (1 + offensive_killings * O)``;
  killings ``K = round(K0 * V * exp(violence_noise * e2 - violence_noise**2 / 2))``
  (a log-normal count with mean ``K0 * V``);
* displaced: ``D' = D * (1 - return_rate * (1 - C')) + displaced_per_killing * K``;
* police: ``P' = P * (1 - police_attrition) + police_recruitment_per_month``;
* mission casualties: Poisson with mean ``casualties_per_1000 * V * deployed / 1000``.

Draws come from the stream ``security``, all at the start of the replication and
whatever the parameters (so that changing one parameter never shifts another
draw): the normal numbers ``e1`` and ``e2`` of every month (an array of shape
``(months, 2)``), then ``months * (2 + contingents) + donors`` uniform numbers:
for each month its offensive, its casualties (Poisson by inversion) and one per
contingent, in the scenario's order, for withdrawals after casualties
(``[security.feedback] contributors``); then one per donor, in the scenario's
order, for honouring its pledge (``[security.feedback] donors``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import Protocol

from mss_sim.model.clock import Clock
from mss_sim.model.deployment import Contingent
from mss_sim.model.events import EventKind
from mss_sim.model.shared import Bus, EventLog, MandateState, SecurityState, Strength
from mss_sim.random import Streams
from mss_sim.scenario.resolve import fixed
from mss_sim.scenario.security import Security as SecuritySpec

__all__ = ["Logistics", "Security", "poisson_quantile"]

_NORMAL = NormalDist()


class Logistics(Protocol):
    """Whether the month's logistics bills went unpaid (a :class:`~.accounts.Treasury`)."""

    def logistics_short(self) -> bool: ...


def poisson_quantile(u: float, mean: float) -> int:
    """Return the smallest ``k`` with ``P(N <= k) >= u`` for ``N`` Poisson with `mean`.

    Inverse-transform sampling from one uniform number; above a mean of 500 the
    normal approximation with continuity correction is used.

    Examples
    --------
    >>> poisson_quantile(0.5, 0.0), poisson_quantile(0.3, 2.0), poisson_quantile(0.99, 2.0)
    (0, 1, 6)
    """
    if mean <= 0.0 or u <= 0.0:
        return 0
    if mean > 500.0:
        return max(0, math.floor(mean + math.sqrt(mean) * _NORMAL.inv_cdf(u) + 0.5))
    k = 0
    p = math.exp(-mean)
    cdf = p
    while cdf < u and p > 0.0:
        k += 1
        p *= mean / k
        cdf += p
    return k


class Security:
    """The security situation of one replication, updated at each month end.

    Parameters
    ----------
    spec : Security
        The resolved ``[security]`` table.
    months : int
        The horizon in months (how many months of draws to take).
    clock, log, bus, streams : Clock, EventLog, Bus, Streams
        The replication's shared pieces (updates are announced on the bus).
    contingents : sequence of Contingent
        The force's contingents (their personnel make the mission's force).
    mandate : MandateState
        The mandate in force (its powers raise the mission's effectiveness).
    strength : Strength
        The personnel deployed (casualties are among them).
    logistics : Logistics
        Whether logistics bills went unpaid.
    donors : sequence of str
        The donors' names, in the scenario's order (each gets a uniform number for
        the donors' feedback).
    """

    def __init__(
        self,
        spec: SecuritySpec,
        months: int,
        clock: Clock,
        log: EventLog,
        bus: Bus,
        streams: Streams,
        contingents: Sequence[Contingent],
        mandate: MandateState,
        strength: Strength,
        logistics: Logistics,
        donors: Sequence[str] = (),
    ):
        self._clock, self._log, self._bus = clock, log, bus
        self._mandate, self._strength, self._logistics = mandate, strength, logistics
        self._contingents = contingents
        self._weights = [fixed(spec.contingents.get(c.country, 1.0)) for c in contingents]
        self._weighted = any(weight != 1.0 for weight in self._weights)
        self._uplift = {power: fixed(value) for power, value in spec.powers.items()}
        self._multipliers: dict[tuple[str, ...], float] = {}
        self.gang_growth = fixed(spec.gang_growth)
        self.suppression = fixed(spec.suppression)
        self.killing_reduction = fixed(spec.killing_reduction)
        self.control_adjustment = fixed(spec.control_adjustment)
        self.gang_noise = fixed(spec.gang_noise)
        self.violence_noise = fixed(spec.violence_noise)
        self._half_variance = self.violence_noise * self.violence_noise / 2.0
        self.recruitment = fixed(spec.police_recruitment_per_month)
        self.police_attrition = fixed(spec.police_attrition)
        self.police_weight = fixed(spec.police_weight)
        self.displaced_per_killing = fixed(spec.displaced_per_killing)
        self.return_rate = fixed(spec.return_rate)
        self.logistics_penalty = fixed(spec.logistics_penalty)
        self.casualties_per_1000 = fixed(spec.casualties_per_1000)
        self.offensive_hazard = fixed(spec.offensive_hazard)
        self.offensive_killings = fixed(spec.offensive_killings)
        self.offensive_control = fixed(spec.offensive_control)
        self.state = SecurityState(
            gang_control=fixed(spec.gang_control),
            gang_strength=fixed(spec.gang_strength),
            killings=round(fixed(spec.killings_per_month)),
            displaced=fixed(spec.displaced),
            police_available=fixed(spec.police_available),
        )
        self.killings_start = fixed(spec.killings_per_month)
        self.strength_start = self.state.gang_strength
        self.force_start = self.effective_force(logistics_short=False)
        self.state.effective_force = self.force_start
        control = self.state.gang_control
        # The start is the balance of gangs and force: C* = C at G0 and E0.
        self._phi = self.strength_start * (1.0 - control) / (control * self.force_start)
        rng = streams["security"]
        self._normals = rng.standard_normal((months, 2)).tolist()
        per_month = 2 + len(contingents)
        uniforms = rng.random(months * per_month + len(donors)).tolist()
        self._uniforms = [
            uniforms[k : k + per_month] for k in range(0, months * per_month, per_month)
        ]
        self.donor_draws = dict(zip(donors, uniforms[months * per_month :], strict=True))
        """Each donor's uniform number for honouring its pledge under the donors' feedback."""
        self.withdrawal_draws: list[float] = []
        """The month's uniform numbers for the contingents' withdrawals, one each."""
        self.killings_total = 0
        self.casualties_total = 0

    def multiplier(self) -> float:
        """The mission's effectiveness multiplier from the powers of the mandate in force."""
        m = self._mandate
        if not m.active:
            return 1.0
        value = self._multipliers.get(m.powers)
        if value is None:
            value = 1.0
            for power in m.powers:
                value *= 1.0 + self._uplift.get(power, 0.0)
            self._multipliers[m.powers] = value
        return value

    def effective_force(self, *, logistics_short: bool) -> float:
        """The effective force now, in mission personnel equivalents."""
        if self._weighted:
            mission = 0.0
            for c, weight in zip(self._contingents, self._weights, strict=True):
                if c.deployed:
                    mission += weight * c.deployed
        else:
            mission = float(self._strength.deployed)
        mission *= self.multiplier()
        if logistics_short:
            mission *= 1.0 - self.logistics_penalty
        return mission + self.police_weight * self.state.police_available

    def month_end(self, month: int) -> None:
        """Advance the security situation by month `month` (from 0) and announce it."""
        s = self.state
        gang_shock, violence_shock = self._normals[month]
        uniforms = self._uniforms[month]
        u_offensive, u_casualties = uniforms[0], uniforms[1]
        self.withdrawal_draws = uniforms[2:]
        force = self.effective_force(logistics_short=self._logistics.logistics_short())
        x = (force - self.force_start) / 1000.0
        offensive = u_offensive < self.offensive_hazard
        strength = s.gang_strength * math.exp(
            self.gang_growth - self.suppression * x + self.gang_noise * gang_shock
        )
        target = strength / (strength + self._phi * force)
        control = s.gang_control + self.control_adjustment * (target - s.gang_control)
        if offensive:
            control += self.offensive_control * (1.0 - control)
        level = (strength / self.strength_start) * math.exp(-self.killing_reduction * x)
        if offensive:
            level *= 1.0 + self.offensive_killings
        sigma = self.violence_noise
        noise = math.exp(sigma * violence_shock - self._half_variance)
        killings = round(self.killings_start * level * noise)
        mean_casualties = self.casualties_per_1000 * level * self._strength.deployed / 1000.0
        casualties = poisson_quantile(u_casualties, mean_casualties)
        s.displaced = (
            s.displaced * (1.0 - self.return_rate * (1.0 - control))
            + self.displaced_per_killing * killings
        )
        s.police_available = s.police_available * (1.0 - self.police_attrition) + self.recruitment
        s.gang_strength, s.gang_control = strength, control
        s.killings, s.casualties, s.effective_force = killings, casualties, force
        self.killings_total += killings
        self.casualties_total += casualties
        if offensive and self._log.record:
            self._log(EventKind.OFFENSIVE, "gangs", killings=killings, gang_control=control)
        self._bus.announce_security()

    def row(self) -> list[float]:
        """The month's values of :data:`~mss_sim.model.outputs.SECURITY_SERIES`."""
        s = self.state
        return [
            s.gang_control,
            s.gang_strength,
            s.killings,
            s.displaced,
            s.police_available,
            s.effective_force,
            s.casualties,
        ]

    def scalars(self) -> list[float]:
        """The values of :data:`~mss_sim.model.outputs.SECURITY_SCALARS` at the end."""
        s = self.state
        return [s.gang_control, self.killings_total, s.displaced, self.casualties_total]
