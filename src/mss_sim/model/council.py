"""Council processes: negotiation, votes, re-tabling, roll-overs and the mandate's expiry.

Each scheduled draft runs as one process. Its negotiation opens ``rounds *
round_days`` before the vote (not before the start) and holds a round every
``round_days``. At each round the penholders estimate every permanent member's
chance of casting a veto (its propensity under the context of the moment, seen
with noise); while a threat persists they soften the text by its next
``soften`` step, and when no step or round is left they withdraw the draft (or,
with probability ``force_vote``, put it to the vote anyway). A re-tablable
draft that is withdrawn or not adopted reopens ``interval_days`` later, with its
vote ``rounds * round_days`` after that, while the vote falls before the
mandate expires, up to ``attempts`` in all; it may get one technical roll-over
the day before the mandate expires.

Streams, for attempt ``k`` of draft ``d``: ``council/d/k`` for the ballots,
``council/d/k/signals`` for the penholders' estimates, ``council/d/k/force`` for
the decision to force a vote, and ``council/d/rollover`` for a roll-over's ballots.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import special

from mss_sim.council.behaviour import shift_many
from mss_sim.council.rules import Decision, VotingRule, tally
from mss_sim.council.sampling import draw_ballots
from mss_sim.model.clock import DAYS_PER_MONTH, NOON
from mss_sim.model.events import EventKind
from mss_sim.scenario.council import Draft, Softening
from mss_sim.scenario.fields import add_months
from mss_sim.scenario.spec import Scenario

if TYPE_CHECKING:
    from mss_sim.model.mission import Mission

__all__ = [
    "Chamber",
    "CouncilPlan",
    "DraftRecord",
    "Text",
    "council_plan",
    "draft_process",
    "mandate_watch",
    "start_council",
]


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

    Built once per scenario (see :func:`council_plan`) and shared by its
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
        self._masks: dict[tuple[int, tuple[str, ...]], np.ndarray] = {}
        self._permanent: dict[tuple[str, ...], np.ndarray] = {}

    def base(self, members: tuple[str, ...], kind: str) -> np.ndarray:
        """Return the members' propensities on `kind` before context, shape ``(n, 3)``."""
        key = (members, kind)
        table = self._base.get(key)
        if table is None:
            rows = [self.spec.propensity(m, kind) for m in members]
            table = self._base[key] = np.array(rows, dtype=float)
        return table

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


def council_plan(scenario: Scenario) -> CouncilPlan:
    """Return the :class:`CouncilPlan` of `scenario`, built on first use."""
    return scenario.derived("council_plan", CouncilPlan)


class Chamber:
    """The Council as one replication runs it: the plan, this replication's draws, records.

    Parameters
    ----------
    mission : Mission
        The replication; its parameter draws resolve the uncertain values.
    """

    def __init__(self, mission: Mission):
        self.mission = mission
        plan = self.plan = council_plan(mission.scenario)
        spec = plan.spec
        value = mission.value
        self.correlation = value(spec.correlation, "council.correlation")
        self.effects = [
            (e.factor, value(e.size, f"council.effects[{i}].size"), frozenset(e.kinds), e.body)
            for i, e in enumerate(spec.effects)
        ]
        context = spec.context
        self.posture = [
            value(p.value, f"council.context.funder_posture[{i}].value")
            for i, p in enumerate(context.funder_posture)
        ]
        half_life = context.endorsement_half_life_months
        self.half_life_days = (
            math.inf
            if half_life is None
            else value(half_life, "council.context.endorsement_half_life_months") * DAYS_PER_MONTH
        )
        self.performance_reference = value(
            context.performance_reference, "council.context.performance_reference"
        )
        self.max_shift = value(context.max_shift, "council.context.max_shift")
        neg = spec.negotiation
        self.threshold = value(neg.threshold, "council.negotiation.threshold")
        self.rounds = neg.rounds
        self.round_days = value(neg.round_days, "council.negotiation.round_days")
        self.signal_noise = value(neg.signal_noise, "council.negotiation.signal_noise")
        self.force_vote = value(neg.force_vote, "council.negotiation.force_vote")
        ret = spec.retabling
        self.attempts = ret.attempts
        self.interval_days = value(ret.interval_days, "council.retabling.interval_days")
        self.rollover_months = ret.rollover_months
        self.records = {d.id: DraftRecord() for d in spec.drafts}
        self.adoption = {d.id: mission.env.event() for d in spec.drafts}
        """Events that fire when a draft is first adopted (for conditional support)."""
        self.vetoes_cast = 0
        self._members: dict[int, tuple[str, ...]] = {}

    @property
    def negotiation_days(self) -> float:
        """How long before its vote a draft's negotiation opens."""
        return self.rounds * self.round_days

    # ------------------------------------------------------------------ members

    def members(self, year: int) -> tuple[str, ...]:
        """Return the members sitting in `year` in this replication (permanent first)."""
        members = self._members.get(year)
        if members is None:
            spec = self.plan.spec
            choice = spec.elected.get(str(year))
            option = 0
            if choice is not None and not isinstance(choice, tuple):
                option = int(self.mission.value(choice, f"council.elected.{year}"))
            members = self._members[year] = spec.members(year, option)
        return members

    def rule_for(self, draft: Draft) -> VotingRule:
        """Return the voting rule of `draft`."""
        return self.plan.rules.get(draft.id, self.plan.rule)

    # ------------------------------------------------------------------ propensities

    def _factor(self, factor: str, kind: str, body: str | None) -> float:
        mission = self.mission
        now = mission.env.now
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
            m = mission.mandate
            share = min(1.0, mission.deployed / m.ceiling) if m.active and m.ceiling > 0 else 0.0
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
        """Return every member's ``(p_yes, p_abstain, p_no)`` on `kind` now, context applied."""
        members = self.members(year)
        base = self.plan.base(members, kind)
        delta = np.zeros(len(members))
        for i, (factor, size, kinds, body) in enumerate(self.effects):
            if kinds and kind not in kinds:
                continue
            x = self._factor(factor, kind, body)
            if x != 0.0:
                delta += size * x * self.plan.mask(i, members)
        if not delta.any():
            return base
        return shift_many(base, np.clip(delta, -self.max_shift, self.max_shift))

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
        year = self.mission.date(self.mission.env.now).year
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
        year = self.mission.date(self.mission.env.now).year
        members = self.members(year)
        votes = draw_ballots(self.propensities(year, kind), self.correlation, 1, rng)[0]
        decision = tally(members, votes, self.plan.permanent_mask(members), rule)
        self.vetoes_cast += len(decision.vetoed_by)
        return decision, dict(zip(members, votes.tolist(), strict=True))


# --------------------------------------------------------------------------- processes


def _needs_mandate(draft: Draft, text: Text) -> bool:
    """A renewal renews, and a termination ends, the mandate in force: they need one."""
    return draft.renews or text.kind == "termination"


def draft_process(mission: Mission, draft: Draft) -> Generator[Any, Any, None]:
    """Negotiate `draft`, put it to the vote, re-table it if it may be, apply it if adopted.

    A draft that needs a mandate in force (a renewal, a termination) is not
    tabled when none is in force as its negotiation opens; its per-draft
    outcomes stay NaN.
    """
    env = mission.env
    chamber = mission.council
    record = chamber.records[draft.id]
    text = Text.of(draft)
    vote_day = mission.day(draft.date)
    opening = max(0.0, vote_day - chamber.negotiation_days)
    yield env.timeout(opening)
    if _needs_mandate(draft, text) and not mission.mandate.active:
        mission.log(EventKind.NOT_TABLED, draft.id, reason="no mandate in force")
        return
    record.text = text
    rolled_over = False
    attempt = 1
    while True:
        adopted = yield from _attempt(mission, draft, text, attempt, opening, vote_day)
        if adopted or not draft.retablable:
            return
        while (schedule := _next_attempt(mission, attempt)) is None:
            # No time left before the expiry: one technical roll-over, then try again.
            if rolled_over or chamber.rollover_months == 0 or not mission.mandate.active:
                return
            rolled_over = True
            if not (yield from _rollover(mission, draft)):
                return
        attempt += 1
        opening, vote_day = schedule
        mission.log(EventKind.RETABLED, draft.id, attempt=attempt, date=mission.date(vote_day))
        yield env.timeout(opening - env.now)


def _next_attempt(mission: Mission, attempt: int) -> tuple[float, float] | None:
    """Return (opening, vote day) of the next attempt, or None if none fits before expiry."""
    chamber = mission.council
    if attempt >= chamber.attempts:
        return None
    opening = mission.env.now + chamber.interval_days
    vote_day = opening + chamber.negotiation_days
    m = mission.mandate
    return (opening, vote_day) if m.active and vote_day < m.expiry_day else None


def _attempt(
    mission: Mission, draft: Draft, text: Text, attempt: int, opening: float, vote_day: float
) -> Generator[Any, Any, bool]:
    """One attempt: negotiation rounds from `opening`, then the vote on `vote_day`."""
    env = mission.env
    chamber = mission.council
    record = chamber.records[draft.id]
    name = f"council/{draft.id}/{attempt}"
    signals = mission.rng(name + "/signals")
    for k in range(chamber.rounds + 1):
        check = min(vote_day, opening + k * chamber.round_days)
        if check > env.now:
            yield env.timeout(check - env.now)
        if _needs_mandate(draft, text) and not mission.mandate.active:
            return _withdraw(mission, draft, attempt, (), "no mandate in force")
        threats = chamber.threats(draft, text.kind, signals)
        if not threats:
            break
        if k < chamber.rounds and text.steps < len(draft.soften):
            text.soften(draft.soften[text.steps])
            mission.log(
                EventKind.SOFTENED,
                draft.id,
                attempt=attempt,
                step=text.steps,
                kind=text.kind,
                by=threats,
            )
            continue
        if mission.rng(name + "/force").random() >= chamber.force_vote:
            return _withdraw(mission, draft, attempt, threats, "veto threat")
        break
    if vote_day > env.now:
        yield env.timeout(vote_day - env.now)
    if _needs_mandate(draft, text) and not mission.mandate.active:
        return _withdraw(mission, draft, attempt, (), "no mandate in force")
    decision, ballots = chamber.vote(text.kind, chamber.rule_for(draft), mission.rng(name))
    record.last_vote = (decision, ballots)
    mission.log(
        EventKind.VOTE,
        draft.id,
        kind=text.kind,
        attempt=attempt,
        yes=decision.yes,
        no=decision.no,
        abstain=decision.abstain,
        ballots=ballots,
    )
    if decision.adopted:
        record.adopted = True
        mission.log(EventKind.ADOPTED, draft.id, kind=text.kind)
        apply_text(mission, text, actor=draft.id)
        adoption = chamber.adoption[draft.id]
        if not adoption.triggered:
            adoption.succeed()
        return True
    if decision.vetoed_by:
        record.vetoed = True
        record.vetoed_by.update(decision.vetoed_by)
        mission.log(EventKind.VETOED, draft.id, by=decision.vetoed_by)
    else:
        record.failed = True
        mission.log(EventKind.FAILED, draft.id, yes=decision.yes)
    return False


def _withdraw(
    mission: Mission, draft: Draft, attempt: int, threats: tuple[str, ...], reason: str
) -> bool:
    mission.council.records[draft.id].withdrawn = True
    mission.log(EventKind.WITHDRAWN, draft.id, attempt=attempt, by=threats, reason=reason)
    return False


def _rollover(mission: Mission, draft: Draft) -> Generator[Any, Any, bool]:
    """A technical roll-over of the mandate in force, voted the day before it expires."""
    env = mission.env
    chamber = mission.council
    target = mission.mandate.expiry_day - 1.0
    if target > env.now:
        yield env.timeout(target - env.now)
    m = mission.mandate
    if not m.active or m.expiry_day - env.now > 1.0:
        return False  # lapsed meanwhile, or another draft moved the expiry
    text = Text("renewal", chamber.rollover_months, None, None, None)
    rng = mission.rng(f"council/{draft.id}/rollover")
    decision, ballots = chamber.vote(text.kind, chamber.plan.rule, rng)
    mission.log(
        EventKind.ROLLOVER,
        draft.id,
        adopted=decision.adopted,
        yes=decision.yes,
        no=decision.no,
        abstain=decision.abstain,
        vetoed_by=decision.vetoed_by,
        ballots=ballots,
    )
    if decision.adopted:
        apply_text(mission, text, actor=draft.id)
    return decision.adopted


def apply_text(mission: Mission, text: Text, *, actor: str) -> None:
    """Set the mandate as an adopted text says.

    A termination ends the mandate in force `duration_months` after the vote, or
    at its expiry if that comes first (0 months: at once).
    """
    mandate = mission.mandate
    today = mission.date(mission.env.now)
    if text.kind == "termination":
        if text.duration_months == 0:
            mission.lapse(reason=f"terminated by {actor}")
            return
        expiry = min(mandate.expiry_day, mission.day(add_months(today, text.duration_months)))
        terminating = True
    else:
        current = mission.date(mandate.expiry_day) if mandate.active else today
        expiry = mission.day(add_months(max(today, current), text.duration_months))
        terminating = False
    mission.set_mandate(
        expiry_day=expiry,
        ceiling=mandate.ceiling if text.ceiling is None else text.ceiling,
        funding_model=text.funding_model or mandate.funding_model,
        powers=mandate.powers if text.powers is None else text.powers,
        terminating=terminating,
        actor=actor,
    )


def mandate_watch(mission: Mission) -> Generator[Any, Any, None]:
    """Lapse the mandate when it reaches its expiry without renewal."""
    env = mission.env
    while True:
        mandate = mission.mandate
        if not mandate.active:
            yield mission.mandate_changed
        elif mandate.expiry_day <= env.now:
            mission.lapse(reason="terminated" if mandate.terminating else "expired")
        else:
            yield env.timeout(mandate.expiry_day - env.now) | mission.mandate_changed


def start_council(mission: Mission) -> None:
    """Start a process per scheduled draft (in file order), then the expiry watch."""
    for draft in mission.scenario.council.drafts:
        mission.env.process(draft_process(mission, draft))
    mission.env.process(mandate_watch(mission))
