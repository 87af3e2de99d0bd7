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

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from mss_sim.model.events import EventKind
from mss_sim.scenario.council import Draft
from mss_sim.scenario.fields import add_months

if TYPE_CHECKING:
    from mss_sim.model.mission import Mission
from mss_sim.model.chamber import Chamber, CouncilPlan, DraftRecord, Text, council_plan

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
