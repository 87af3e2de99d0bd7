"""Council processes: negotiation, votes, re-tabling, roll-overs and the mandate's expiry.

Each scheduled draft runs as one process. Its negotiation starts ``rounds *
round_days`` before the vote. At each round the penholders estimate every
permanent member's chance of casting a veto (its propensity under the context
of the moment, seen with noise); while a threat persists they soften the text
by its next ``soften`` step, and when no step or round is left they withdraw
the draft (or, with probability ``force_vote``, put it to the vote anyway).
A re-tablable draft that is withdrawn or not adopted is tabled again after
``interval_days`` while the mandate lasts, up to ``attempts`` in all, and may
get a technical roll-over the day before the mandate expires.

Streams: ``council/<draft>`` for the ballots, ``council/<draft>/signals`` for
the penholders' estimates and decisions to force a vote, and
``council/<draft>/rollover`` for a roll-over's ballots.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import special

from mss_sim.council.behaviour import shift_many
from mss_sim.council.rules import Decision, VotingRule, decide, draw_ballots
from mss_sim.model.clock import DAYS_PER_MONTH
from mss_sim.scenario.council import Draft, Softening
from mss_sim.scenario.fields import add_months

if TYPE_CHECKING:
    from mss_sim.model.mission import Mission

__all__ = ["Chamber", "DraftRecord", "Text", "draft_process", "mandate_watch", "start_council"]


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
    """What happened to one scheduled draft (``tabled`` False: it never came up)."""

    tabled: bool = False
    adopted: bool = False
    vetoed: bool = False
    failed: bool = False
    withdrawn: bool = False
    softened: int = 0
    last_vote: tuple[Decision, dict[str, int]] | None = None
    vetoed_by: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Effect:
    factor: str
    size: float
    selectors: frozenset[str]
    kinds: frozenset[str]
    body: str | None


class Chamber:
    """The Council as one replication runs it: members, propensities, context, records.

    Parameters
    ----------
    mission : Mission
        The replication; its parameter draws resolve the uncertain values.
    """

    def __init__(self, mission: Mission):
        self.mission = mission
        spec = self.spec = mission.scenario.council
        value = mission.value
        self.rule = VotingRule.from_spec(spec.rule)
        self.rules = {d.id: VotingRule.from_spec(d.rule) for d in spec.drafts if d.rule}
        self.correlation = value(spec.correlation, "council.correlation")
        self.permanent = tuple(spec.permanent)
        self.effects = [
            _Effect(
                e.factor,
                value(e.size, f"council.effects[{i}].size"),
                frozenset(e.members),
                frozenset(e.kinds),
                e.body,
            )
            for i, e in enumerate(spec.effects)
        ]
        context = spec.context
        self.requests: dict[str, float] = {}
        for request in context.requests:
            day = mission.day(request.date)
            self.requests[request.kind] = min(day, self.requests.get(request.kind, math.inf))
        self.endorsements = [(mission.day(e.date), e.body, e.kind) for e in context.endorsements]
        self.posture = [
            (mission.day(p.date), value(p.value, f"council.context.funder_posture[{i}].value"))
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
        self.vetoes_cast = 0
        self._members: dict[int, tuple[str, ...]] = {}
        self._base: dict[tuple[int, str], np.ndarray] = {}
        self._masks: dict[tuple[int, int], np.ndarray] = {}

    # ------------------------------------------------------------------ members

    def members(self, year: int) -> tuple[str, ...]:
        """Return the fifteen (or `seats`) members sitting in `year` in this replication."""
        members = self._members.get(year)
        if members is None:
            options = self.spec.elected_options(year)
            if options is None:  # the scenario's validation makes this unreachable
                raise KeyError(f"no Council composition for {year}")
            index = 0
            if len(options) > 1:
                path = f"council.elected.{year}"
                index = int(self.mission.value(self.spec.elected[str(year)], path))
            members = self._members[year] = (*self.permanent, *options[index])
        return members

    def rule_for(self, draft: Draft) -> VotingRule:
        """Return the voting rule of `draft`."""
        return self.rules.get(draft.id, self.rule)

    # ------------------------------------------------------------------ propensities

    def _factor(self, factor: str, kind: str, body: str | None) -> float:
        mission = self.mission
        now = mission.env.now
        if factor == "host_request":
            return 1.0 if self.requests.get(kind, math.inf) <= now else 0.0
        if factor == "endorsement":
            return math.fsum(
                0.5 ** ((now - day) / self.half_life_days)
                for day, by, endorsed in self.endorsements
                if endorsed == kind and day <= now and (body is None or by == body)
            )
        if factor == "performance":
            m = mission.mandate
            share = min(1.0, mission.deployed / m.ceiling) if m.active and m.ceiling > 0 else 0.0
            return share - self.performance_reference
        posture = 0.0
        for day, level in self.posture:
            if day > now:
                break
            posture = level
        return posture

    def propensities(self, year: int, kind: str) -> np.ndarray:
        """Return every member's ``(p_yes, p_abstain, p_no)`` on `kind` now, context applied."""
        key = (year, kind)
        base = self._base.get(key)
        members = self.members(year)
        if base is None:
            rows = [self.spec.propensity(m, kind) for m in members]
            base = self._base[key] = np.array(rows, dtype=float)
        delta = np.zeros(len(members))
        for i, effect in enumerate(self.effects):
            if effect.kinds and kind not in effect.kinds:
                continue
            x = self._factor(effect.factor, kind, effect.body)
            if x != 0.0:
                delta += effect.size * x * self._mask(i, year)
        if not delta.any():
            return base
        return shift_many(base, np.clip(delta, -self.max_shift, self.max_shift))

    def _mask(self, effect: int, year: int) -> np.ndarray:
        key = (effect, year)
        mask = self._masks.get(key)
        if mask is None:
            chosen = self.effects[effect].selectors
            mask = self._masks[key] = np.array(
                [
                    "all" in chosen
                    or m in chosen
                    or any(g in chosen for g in self.spec.groups_of(m))
                    for m in self.members(year)
                ],
                dtype=float,
            )
        return mask

    # ------------------------------------------------------------------ decisions

    def threats(self, draft: Draft, kind: str, rng: np.random.Generator) -> tuple[str, ...]:
        """Return the permanent members the penholders see threatening a veto of `kind` now.

        Empty unless enough members threaten to defeat the draft under its rule.
        One normal draw per permanent member from `rng`, whatever the noise.
        """
        rule = self.rule_for(draft)
        year = self.mission.date(self.mission.env.now).year
        p = self.propensities(year, kind)[: len(self.permanent)]
        noise = rng.standard_normal(len(self.permanent))
        if not rule.veto:
            return ()
        blocking = p[:, 2] + (p[:, 1] if rule.abstention_is_veto else 0.0)
        if self.signal_noise > 0:
            with np.errstate(divide="ignore"):
                blocking = special.expit(special.logit(blocking) + self.signal_noise * noise)
        found = tuple(
            m for m, q in zip(self.permanent, blocking, strict=True) if q > self.threshold
        )
        return found if len(found) >= rule.vetoes_needed else ()

    def vote(
        self, kind: str, rule: VotingRule, rng: np.random.Generator
    ) -> tuple[Decision, dict[str, int]]:
        """Draw every member's ballot on a text of `kind` now and decide it under `rule`."""
        year = self.mission.date(self.mission.env.now).year
        members = self.members(year)
        votes = draw_ballots(self.propensities(year, kind), self.correlation, 1, rng)[0]
        ballots = dict(zip(members, votes.tolist(), strict=True))
        decision = decide(ballots, rule=rule, permanent=self.permanent)
        self.vetoes_cast += len(decision.vetoed_by)
        return decision, ballots


# --------------------------------------------------------------------------- processes

_ADOPTED, _NOT_ADOPTED = True, False


def draft_process(mission: Mission, draft: Draft) -> Generator[Any, Any, None]:
    """Negotiate `draft`, put it to the vote, re-table it if it may be, apply it if adopted.

    A ``renewal`` is not tabled when no mandate is in force to renew when its
    negotiation starts; its per-draft outcomes stay NaN.
    """
    env = mission.env
    chamber = mission.council
    record = chamber.records[draft.id]
    text = Text.of(draft)
    vote_day = mission.day(draft.date)
    yield env.timeout(max(0.0, vote_day - chamber.rounds * chamber.round_days))
    if text.kind == "renewal" and not mission.mandate.active:
        mission.log("not_tabled", draft.id, reason="no mandate in force to renew")
        return
    record.tabled = True
    streams = (
        mission.rng("council/" + draft.id),
        mission.rng(f"council/{draft.id}/signals"),
    )
    rolled_over = False
    attempt = 1
    while True:
        adopted = yield from _attempt(mission, draft, text, vote_day, attempt, streams)
        if adopted or not draft.retablable:
            return
        next_day = env.now + chamber.interval_days
        if attempt < chamber.attempts and _before_expiry(mission, next_day):
            attempt += 1
            vote_day = next_day
            mission.log("retabled", draft.id, attempt=attempt, date=mission.date(vote_day))
            yield env.timeout(max(0.0, vote_day - chamber.rounds * chamber.round_days - env.now))
            continue
        if chamber.rollover_months == 0 or rolled_over or not mission.mandate.active:
            return
        rolled_over = True
        extended = yield from _rollover(mission, draft)
        next_day = env.now + chamber.interval_days
        if not (extended and attempt < chamber.attempts and _before_expiry(mission, next_day)):
            return
        attempt += 1
        vote_day = next_day
        mission.log("retabled", draft.id, attempt=attempt, date=mission.date(vote_day))
        yield env.timeout(max(0.0, vote_day - chamber.rounds * chamber.round_days - env.now))


def _before_expiry(mission: Mission, day: float) -> bool:
    m = mission.mandate
    return m.active and day < m.expiry_day


def _attempt(
    mission: Mission,
    draft: Draft,
    text: Text,
    vote_day: float,
    attempt: int,
    streams: tuple[np.random.Generator, np.random.Generator],
) -> Generator[Any, Any, bool]:
    """One attempt: negotiation rounds, then the vote (or a withdrawal)."""
    env = mission.env
    chamber = mission.council
    record = chamber.records[draft.id]
    ballots_rng, signals_rng = streams
    rounds = chamber.rounds
    for k in range(rounds + 1):
        if text.kind == "renewal" and not mission.mandate.active:
            return _withdraw(mission, draft, attempt, (), "no mandate in force to renew")
        threats = chamber.threats(draft, text.kind, signals_rng)
        if not threats:
            break
        if k < rounds and text.steps < len(draft.soften):
            text.soften(draft.soften[text.steps])
            record.softened += 1
            mission.log(
                "softened",
                draft.id,
                attempt=attempt,
                step=text.steps,
                kind=text.kind,
                by=threats,
            )
            next_check = vote_day - (rounds - k - 1) * chamber.round_days
            if next_check > env.now:
                yield env.timeout(next_check - env.now)
            continue
        if signals_rng.random() >= chamber.force_vote:
            return _withdraw(mission, draft, attempt, threats, "veto threat")
        break
    if vote_day > env.now:
        yield env.timeout(vote_day - env.now)
    if text.kind == "renewal" and not mission.mandate.active:
        return _withdraw(mission, draft, attempt, (), "no mandate in force to renew")
    decision, ballots = chamber.vote(text.kind, chamber.rule_for(draft), ballots_rng)
    record.last_vote = (decision, ballots)
    mission.log(
        "vote",
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
        mission.log("adopted", draft.id, kind=text.kind)
        apply_text(mission, text, actor=draft.id)
        return _ADOPTED
    if decision.vetoed_by:
        record.vetoed = True
        record.vetoed_by.update(decision.vetoed_by)
        mission.log("vetoed", draft.id, by=decision.vetoed_by)
    else:
        record.failed = True
        mission.log("failed", draft.id, yes=decision.yes)
    return _NOT_ADOPTED


def _withdraw(
    mission: Mission, draft: Draft, attempt: int, threats: tuple[str, ...], reason: str
) -> bool:
    mission.council.records[draft.id].withdrawn = True
    mission.log("withdrawn", draft.id, attempt=attempt, by=threats, reason=reason)
    return _NOT_ADOPTED


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
    decision, ballots = chamber.vote(text.kind, chamber.rule, rng)
    mission.log(
        "rollover",
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
    """Set the mandate as an adopted text says."""
    mandate = mission.mandate
    today = mission.date(mission.env.now)
    terminating = text.kind == "termination"
    if terminating:
        if text.duration_months == 0:
            mission.lapse(reason=f"terminated by {actor}")
            return
        base = today
    else:
        current = mission.date(mandate.expiry_day) if mandate.active else today
        base = max(today, current)
    mission.set_mandate(
        expiry_day=mission.day(add_months(base, text.duration_months)),
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
