"""The monthly grid and the outcomes: what a replication records, into preallocated arrays.

At each month end the treasury pays the month's costs, the force loses its
attrition and any withdrawals, and one row of the monthly series is written. At
the end of the run the scalar outcomes are written into one array, in the
order of :attr:`CompiledScenario.scalar_names`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mss_sim.model.accounts import Treasury
from mss_sim.model.chamber import Chamber
from mss_sim.model.clock import DAYS_PER_MONTH, Clock
from mss_sim.model.compiled import CompiledScenario
from mss_sim.model.deployment import Force
from mss_sim.model.outputs import DRAFT_SCALARS, SECURITY_SCALARS, STANDARD_SCALARS
from mss_sim.model.security import Security
from mss_sim.model.shared import EventLog, MandateState, Process, Strength

__all__ = ["Monitor"]

_FIXED = len(DRAFT_SCALARS)
_NAN = math.nan


class Monitor:
    """Month-end bookkeeping and the replication's outputs.

    Parameters
    ----------
    plan : CompiledScenario
        Sizes the arrays and places the outputs.
    clock : Clock
        The replication's clock.
    treasury, force, chamber : Treasury, Force, Chamber
        The subsystems whose state is recorded.
    mandate, strength : MandateState, Strength
        The shared state that is recorded.
    security : Security, optional
        The security situation, updated at each month end after the force's
        attrition and withdrawals (a scenario with a ``[security]`` table).
    """

    def __init__(
        self,
        plan: CompiledScenario,
        clock: Clock,
        treasury: Treasury,
        force: Force,
        chamber: Chamber,
        mandate: MandateState,
        strength: Strength,
        security: Security | None = None,
        log: EventLog | None = None,
    ):
        self._plan = plan
        self._log = log
        self._security = security
        self._clock = clock
        self._treasury, self._force, self._chamber = treasury, force, chamber
        self._mandate, self._strength = mandate, strength
        self._rows: list[list[Any]] = [
            [0.0] * len(plan.series_names) for _ in plan.calendar.month_ends
        ]

    @property
    def series(self) -> np.ndarray:
        """Monthly series, shape ``(months, series)`` (rows not reached yet are zeros)."""
        return np.array(self._rows, dtype=float)

    def month_ends(self) -> Process:
        """At each month end: charge costs, apply attrition and withdrawals, record a row."""
        env = self._clock.env
        treasury, force = self._treasury, self._force
        mandate, strength = self._mandate, self._strength
        accounts = list(treasury.accounts.values())
        security = self._security
        contingents, airlift = force.contingents, force.airlift
        rows = self._rows
        for k, day in enumerate(self._plan.calendar.month_ends):
            yield env.timeout(day - env.now)
            treasury.charge_month(k)
            force.attrition()
            force.withdrawals()
            if security is not None:
                security.month_end(k)
            balance = received = spent = 0
            per_account = []
            for account in accounts:
                balance += account.balance
                received += account.received
                spent += account.spent
                per_account += [account.balance / 100, account.received / 100, account.spent / 100]
            rows[k] = [
                strength.deployed,
                mandate.ceiling if mandate.active else 0,
                float(mandate.active),
                balance / 100,
                received / 100,
                spent / 100,
                treasury.unpaid_cents / 100,
                treasury.arrears_cents / 100,
                *per_account,
                *[c.deployed for c in contingents],
                airlift.waiting if airlift is not None else 0,
            ]
            if security is not None:
                rows[k] += security.row()
            if self._log is not None:
                self._log.mark_month_end()

    def scalars(self) -> np.ndarray:
        """Return the scalar outcomes of the finished run, in the plan's order."""
        plan = self._plan
        treasury = self._treasury
        chamber = self._chamber
        last = self._rows[-1]
        paid = treasury.spent_cents - treasury.spent_before_cents
        incurred = paid + treasury.unpaid_cents
        records = chamber.records
        tabled = [r for r in records.values() if r.text is not None]
        out = np.full(len(plan.scalar_names), _NAN)
        out[: len(STANDARD_SCALARS)] = (  # in the order of STANDARD_SCALARS
            last[2],
            self._strength.peak,
            last[0],
            self._strength.half_ceiling_day / DAYS_PER_MONTH,
            self._strength.target_day / DAYS_PER_MONTH,
            float(not math.isnan(self._strength.target_day)),
            sum(r.adopted for r in tabled),
            sum(r.vetoed for r in tabled),
            sum(r.withdrawn for r in tabled),
            chamber.vetoes_cast,
            self._mandate.lapses > 0,
            self._mandate.days_inactive(plan.calendar.end_day),
            treasury.received_cents / 100,
            treasury.spent_cents / 100,
            treasury.shortfall_months,
            treasury.first_shortfall_month,
            paid / incurred if incurred else _NAN,
            self._force.lead_changes,
            self._force.withdrawn,
            self._force.rotation_gaps(plan.calendar.end_day),
        )
        for i, donor in plan.donor_scalars:
            out[i] = treasury.received_by[donor] / 100
        for where in plan.draft_outputs:
            record = records[where.draft]
            if record.text is None:
                continue
            vote = record.last_vote
            first = where.first
            out[first : first + 6] = (
                record.adopted,
                record.vetoed,
                record.failed,
                record.withdrawn,
                record.text.steps,
                vote is not None,
            )
            if vote is not None:
                decision, ballots = vote
                out[first + 6 : first + _FIXED] = (decision.yes, decision.no, decision.abstain)
                for i, member in where.ballots:
                    if member in ballots:
                        out[i] = ballots[member]
            for i, member in where.vetoes:
                out[i] = member in record.vetoed_by
        if self._security is not None:
            out[len(out) - len(SECURITY_SCALARS) :] = self._security.scalars()
        return out
