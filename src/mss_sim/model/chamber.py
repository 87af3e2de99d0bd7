"""The Council at one moment: its members, their propensities in context, threats and votes.

:class:`Chamber` holds what a replication knows of the Council (the plan built
once per scenario by :func:`council_plan`, the compositions drawn for uncertain
years) and answers the questions the draft processes of :mod:`mss_sim.model.council`
ask: who sits, how each is inclined on a kind of draft now, which permanent members
threaten a veto, how a vote comes out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from mss_sim.council.behaviour import shift_latent
from mss_sim.council.rules import Decision, VotingRule, tally
from mss_sim.council.sampling import draw_ballots
from mss_sim.model.clock import DAYS_PER_MONTH, NOON, Clock
from mss_sim.model.shared import MandateState, SecurityState, Strength
from mss_sim.scenario.council import Council, Draft, Softening
from mss_sim.scenario.resolve import fixed
from mss_sim.scenario.spec import Scenario

__all__ = ["Chamber", "CouncilPlan", "DraftRecord", "Text"]


@dataclass(slots=True)
class Text:
    """A draft's text as negotiated so far: what it would set if adopted."""

    kind: str
    duration_months: int
    ceiling: int | None
    funding_model: str | None
    powers: tuple[str, ...] | None
    steps: int = 0

    @classmethod
    def of(cls, draft: Draft) -> Text:
        """The text as first circulated."""
        powers = None if draft.powers is None else tuple(draft.powers)
        return cls(draft.kind, draft.duration_months, draft.ceiling, draft.funding_model, powers)

    def soften(self, step: Softening) -> None:
        """Apply one softening step."""
        self.steps += 1
        self.kind = step.kind or self.kind
        if step.duration_months is not None:
            self.duration_months = step.duration_months
        if step.ceiling is not None:
            self.ceiling = step.ceiling
        if step.funding_model is not None:
            self.funding_model = step.funding_model
        if step.powers is not None:
            self.powers = tuple(step.powers)


@dataclass(slots=True)
class DraftRecord:
    """What happened to one scheduled draft (`text` None: it never came up)."""

    text: Text | None = None
    adopted: bool = False
    vetoed: bool = False
    failed: bool = False
    withdrawn: bool = False
    last_vote: tuple[Decision, dict[str, int]] | None = None
    vetoed_by: set[str] = field(default_factory=set)


class CouncilPlan:
    """What the Council model needs that depends on the scenario alone.

    Built once per scenario (by :func:`mss_sim.model.compile`) and shared by its
    replications: voting rules, context dates as model days, and lookup tables
    filled as they are first needed (base propensities and effect masks per
    composition and kind).
    """

    def __init__(self, scenario: Scenario):
        spec = self.spec = scenario.council
        start = scenario.scenario.start

        def day(date: Any) -> float:
            return float((date - start).days) + NOON

        self.permanent = tuple(spec.permanent)
        self.rule = VotingRule.from_spec(spec.rule)
        self.rules = {d.id: VotingRule.from_spec(d.rule) for d in spec.drafts if d.rule}
        self.requests: dict[str, float] = {}
        for request in spec.context.requests:
            earliest = self.requests.get(request.kind, math.inf)
            self.requests[request.kind] = min(earliest, day(request.date))
        self.endorsements = tuple((day(e.date), e.body, e.kind) for e in spec.context.endorsements)
        self.posture_days = tuple(day(p.date) for p in spec.context.funder_posture)
        self._base: dict[tuple[tuple[str, ...], str], np.ndarray] = {}
        self._compositions: dict[tuple[int, tuple[str, ...] | None], tuple[str, ...]] = {}
        """Members by year and resolved elected list (None: the package's composition)."""
        self._latent: dict[tuple[tuple[str, ...], str], tuple[np.ndarray, np.ndarray]] = {}
        self._masks: dict[tuple[int, tuple[str, ...]], np.ndarray] = {}
        self._permanent: dict[tuple[str, ...], np.ndarray] = {}

    def members(self, spec: Council, year: int) -> tuple[str, ...]:
        """Return ``spec.members(year)`` for a resolved `spec`, kept per composition."""
        elected = spec.elected.get(str(year))
        if elected is not None and not isinstance(elected, list | tuple):
            return spec.members(year)  # not resolved: not kept
        key = (year, None if elected is None else tuple(elected))
        members = self._compositions.get(key)
        if members is None:
            members = self._compositions[key] = spec.members(year)
        return members

    def base(self, members: tuple[str, ...], kind: str) -> np.ndarray:
        """Return the members' propensities on `kind` before context, shape ``(n, 3)``."""
        key = (members, kind)
        table = self._base.get(key)
        if table is None:
            rows = [self.spec.propensity(m, kind) for m in members]
            table = self._base[key] = np.array(rows, dtype=float)
        return table

    def latent(self, members: tuple[str, ...], kind: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the latent thresholds ``ndtri(p_yes)`` and ``ndtri(p_no)`` of :meth:`base`."""
        key = (members, kind)
        latent = self._latent.get(key)
        if latent is None:
            base = self.base(members, kind)
            with np.errstate(divide="ignore"):
                latent = self._latent[key] = (special.ndtri(base[:, 0]), special.ndtri(base[:, 2]))
        return latent

    def mask(self, effect: int, members: tuple[str, ...]) -> np.ndarray:
        """Return 1.0 for the members effect number `effect` applies to, else 0.0."""
        key = (effect, members)
        mask = self._masks.get(key)
        if mask is None:
            chosen = set(self.spec.effects[effect].members)
            mask = self._masks[key] = np.array(
                [
                    "all" in chosen or m in chosen or not chosen.isdisjoint(self.spec.groups_of(m))
                    for m in members
                ],
                dtype=float,
            )
        return mask

    def permanent_mask(self, members: tuple[str, ...]) -> np.ndarray:
        """Return which of `members` are permanent members."""
        mask = self._permanent.get(members)
        if mask is None:
            mask = self._permanent[members] = np.isin(members, self.permanent)
        return mask


class Chamber:
    """The Council as one replication runs it: the plan, this replication's draws, records.

    Parameters
    ----------
    plan : CouncilPlan
        What the scenario alone determines.
    spec : Council
        The resolved ``[council]`` table.
    clock : Clock
        The replication's clock.
    mandate : MandateState
        The mandate in force (the ``performance`` context factor reads it).
    strength : Strength
        The personnel deployed (the ``performance`` factor too).
    security : SecurityState, optional
        When given, the ``performance`` factor is the share of the capital free
        of gang control less `security_reference`, not the force's share of its
        ceiling (``[security.feedback] council``).
    security_reference : float
        See `security`.
    """

    def __init__(
        self,
        plan: CouncilPlan,
        spec: Council,
        clock: Clock,
        mandate: MandateState,
        strength: Strength,
        security: SecurityState | None = None,
        security_reference: float = 0.0,
    ):
        self.plan = plan
        self._spec = spec
        self._clock, self._mandate, self._strength = clock, mandate, strength
        self._security, self._security_reference = security, security_reference
        self.correlation = fixed(spec.correlation)
        self.effects = [(e.factor, fixed(e.size), frozenset(e.kinds), e.body) for e in spec.effects]
        context = spec.context
        self.posture = [fixed(p.value) for p in context.funder_posture]
        half_life = context.endorsement_half_life_months
        self.half_life_days = math.inf if half_life is None else fixed(half_life) * DAYS_PER_MONTH
        self.performance_reference = fixed(context.performance_reference)
        self.max_shift = fixed(context.max_shift)
        neg = spec.negotiation
        self.threshold = fixed(neg.threshold)
        self.rounds = neg.rounds
        self.round_days = fixed(neg.round_days)
        self.signal_noise = fixed(neg.signal_noise)
        self.force_vote = fixed(neg.force_vote)
        ret = spec.retabling
        self.attempts = ret.attempts
        self.interval_days = fixed(ret.interval_days)
        self.rollover_months = ret.rollover_months
        self.records = {d.id: DraftRecord() for d in spec.drafts}
        self.vetoes_cast = 0
        self._members: dict[int, tuple[str, ...]] = {}
        self._propensities: dict[tuple[Any, ...], np.ndarray] = {}

    @property
    def negotiation_days(self) -> float:
        """How long before its vote a draft's negotiation opens."""
        return self.rounds * self.round_days

    # ------------------------------------------------------------------ members

    def members(self, year: int) -> tuple[str, ...]:
        """Return the members sitting in `year` in this replication (permanent first)."""
        members = self._members.get(year)
        if members is None:
            members = self._members[year] = self.plan.members(self._spec, year)
        return members

    def rule_for(self, draft: Draft) -> VotingRule:
        """Return the voting rule of `draft`."""
        return self.plan.rules.get(draft.id, self.plan.rule)

    # ------------------------------------------------------------------ propensities

    def _factor(self, factor: str, kind: str, body: str | None) -> float:
        now = self._clock.env.now
        plan = self.plan
        if factor == "host_request":
            return 1.0 if plan.requests.get(kind, math.inf) <= now else 0.0
        if factor == "endorsement":
            return math.fsum(
                0.5 ** ((now - day) / self.half_life_days)
                for day, by, endorsed in plan.endorsements
                if endorsed == kind and day <= now and (body is None or by == body)
            )
        if factor == "performance":
            if self._security is not None:
                return self._security.free_share - self._security_reference
            m = self._mandate
            deployed = self._strength.deployed
            share = min(1.0, deployed / m.ceiling) if m.active and m.ceiling > 0 else 0.0
            return share - self.performance_reference
        if factor == "funder_posture":
            posture = 0.0
            for day, level in zip(plan.posture_days, self.posture, strict=True):
                if day > now:
                    break
                posture = level
            return posture
        raise ValueError(f"unknown context factor {factor!r}")  # pragma: no cover

    def propensities(self, year: int, kind: str) -> np.ndarray:
        """Return every member's ``(p_yes, p_abstain, p_no)`` on `kind` now, context applied.

        The array is shared (kept for the same members, kind and context): do not
        modify it.
        """
        members = self.members(year)
        shifts = []
        for i, (factor, size, kinds, body) in enumerate(self.effects):
            if kinds and kind not in kinds:
                continue
            x = self._factor(factor, kind, body)
            if x != 0.0:
                shifts.append((i, size * x))
        key = (members, kind, tuple(shifts))
        p = self._propensities.get(key)
        if p is None:
            p = self._propensities[key] = self._shifted(members, kind, shifts)
        return p

    def _shifted(
        self, members: tuple[str, ...], kind: str, shifts: list[tuple[int, float]]
    ) -> np.ndarray:
        plan = self.plan
        base = plan.base(members, kind)
        if not shifts:
            return base
        delta = np.zeros(len(members))
        for i, shift in shifts:
            delta += shift * plan.mask(i, members)
        if not any(delta.tolist()):
            return base
        z_yes, z_no = plan.latent(members, kind)
        bound = self.max_shift
        return shift_latent(z_yes, z_no, np.minimum(np.maximum(delta, -bound), bound))

    # ------------------------------------------------------------------ decisions

    def threats(self, draft: Draft, kind: str, rng: np.random.Generator) -> tuple[str, ...]:
        """Return the permanent members the penholders see threatening a veto of `kind` now.

        Empty unless enough members threaten to defeat the draft under its rule.
        One normal draw per permanent member from `rng`, whatever the noise.
        """
        rule = self.rule_for(draft)
        permanent = self.plan.permanent
        noise = rng.standard_normal(len(permanent))
        if not rule.veto:
            return ()
        year = self._clock.year
        p = self.propensities(year, kind)[: len(permanent)]
        blocking = p[:, 2] + (p[:, 1] if rule.abstention_is_veto else 0.0)
        if self.signal_noise > 0:
            with np.errstate(divide="ignore"):
                blocking = special.expit(special.logit(blocking) + self.signal_noise * noise)
        seen = zip(permanent, blocking, strict=True)
        found = tuple(m for m, q in seen if q > self.threshold)
        return found if len(found) >= rule.vetoes_needed else ()

    def vote(
        self, kind: str, rule: VotingRule, rng: np.random.Generator
    ) -> tuple[Decision, dict[str, int]]:
        """Draw every member's ballot on a text of `kind` now and decide it under `rule`."""
        year = self._clock.year
        members = self.members(year)
        votes = draw_ballots(self.propensities(year, kind), self.correlation, 1, rng)[0]
        decision = tally(members, votes, self.plan.permanent_mask(members), rule)
        self.vetoes_cast += len(decision.vetoed_by)
        return decision, dict(zip(members, votes.tolist(), strict=True))
