"""Council processes: scheduled drafts put to the vote, mandate updates, lapse at expiry."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from mss_sim.council.rules import Vote, decide
from mss_sim.scenario.spec import Draft, add_months

if TYPE_CHECKING:
    from mss_sim.model.mission import Mission

__all__ = ["draft_process", "mandate_watch", "start_council"]


def cast_ballots(mission: Mission, draft: Draft) -> dict[str, Vote]:
    """Draw every member's ballot on `draft`, independently, from the draft's own stream."""
    council = mission.scenario.council
    members = council.members(draft.date.year)
    draws = mission.rng("council/" + draft.id).random(len(members))
    ballots = {}
    for member, u in zip(members, draws, strict=True):
        p_yes, p_abstain, _ = council.propensity(member, draft.kind) or (0.0, 0.0, 1.0)
        if u < p_yes:
            ballots[member] = Vote.YES
        elif u < p_yes + p_abstain:
            ballots[member] = Vote.ABSTAIN
        else:
            ballots[member] = Vote.NO
    return ballots


def draft_process(mission: Mission, draft: Draft) -> Generator[Any, Any, None]:
    """Put `draft` to the vote on its date and apply it if adopted.

    A ``renewal`` is not tabled when no mandate is in force to renew; its
    per-draft outcomes stay NaN.
    """
    yield mission.env.timeout(mission.day(draft.date))
    if draft.kind == "renewal" and not mission.mandate.active:
        mission.log("not_tabled", draft.id, reason="no mandate in force to renew")
        return
    ballots = cast_ballots(mission, draft)
    decision = decide(ballots, permanent=mission.scenario.council.permanent)
    mission.log(
        "vote",
        draft.id,
        kind=draft.kind,
        yes=decision.yes,
        no=decision.no,
        abstain=decision.abstain,
        ballots={m: int(v) for m, v in ballots.items()},
    )
    mission.draft_outcomes[draft.id] = (
        float(decision.adopted),
        float(bool(decision.vetoed_by)),
        float(decision.yes),
        float(decision.no),
        float(decision.abstain),
    )
    if decision.adopted:
        mission.log("adopted", draft.id, kind=draft.kind)
        apply_draft(mission, draft)
    elif decision.vetoed_by:
        mission.log("vetoed", draft.id, by=decision.vetoed_by)
    else:
        mission.log("failed", draft.id, yes=decision.yes)


def apply_draft(mission: Mission, draft: Draft) -> None:
    """Set the mandate as an adopted `draft` says."""
    mandate = mission.mandate
    today = mission.date(mission.env.now)
    if draft.kind == "termination":
        if draft.duration_months == 0:
            mission.lapse(reason=f"terminated by {draft.id}")
            return
        base = today
    else:
        current = mission.date(mandate.expiry_day) if mandate.active else today
        base = max(today, current)
    mission.set_mandate(
        expiry_day=mission.day(add_months(base, draft.duration_months)),
        ceiling=mandate.ceiling if draft.ceiling is None else draft.ceiling,
        funding_model=draft.funding_model or mandate.funding_model,
        actor=draft.id,
    )


def mandate_watch(mission: Mission) -> Generator[Any, Any, None]:
    """Lapse the mandate when it reaches its expiry without renewal."""
    env = mission.env
    while True:
        mandate = mission.mandate
        if not mandate.active:
            yield mission.mandate_changed
        elif mandate.expiry_day <= env.now:
            mission.lapse(reason="expired")
        else:
            yield env.timeout(mandate.expiry_day - env.now) | mission.mandate_changed


def start_council(mission: Mission) -> None:
    """Start a process per scheduled draft (in file order), then the expiry watch."""
    for draft in mission.scenario.council.drafts:
        mission.env.process(draft_process(mission, draft))
    mission.env.process(mandate_watch(mission))
