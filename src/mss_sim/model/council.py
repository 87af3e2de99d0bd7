"""The Council's processes: negotiation, votes, re-tabling, roll-overs and the mandate's expiry.

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
from typing import Any

import simpy

from mss_sim.model.chamber import Chamber, Text
from mss_sim.model.clock import Clock
from mss_sim.model.events import EventKind
from mss_sim.model.shared import Bus, EventLog, MandateState, Process
from mss_sim.random import Streams
from mss_sim.scenario.council import Draft
from mss_sim.scenario.fields import add_months

__all__ = ["Negotiations"]


def _needs_mandate(draft: Draft, text: Text) -> bool:
    """A renewal renews, and a termination ends, the mandate in force: they need one."""
    return draft.renews or text.kind == "termination"


class Negotiations:
    """Every scheduled draft's negotiation and votes, and the watch on the mandate's expiry.

    Parameters
    ----------
    drafts : list of Draft
        The scheduled drafts, in file order.
    chamber : Chamber
        The Council (members, propensities, threats, votes, records).
    clock, log, bus, streams : Clock, EventLog, Bus, Streams
        The replication's shared pieces (adoptions are announced on the bus).
    mandate : MandateState
        The mandate that adopted texts set.
    """

    def __init__(
        self,
        drafts: list[Draft],
        chamber: Chamber,
        clock: Clock,
        log: EventLog,
        bus: Bus,
        streams: Streams,
        mandate: MandateState,
    ):
        self._drafts = drafts
        self.chamber = chamber
        self._clock, self._log, self._bus, self._streams = clock, log, bus, streams
        self._mandate = mandate

    def start(self) -> None:
        """Start a process per scheduled draft (in file order), then the expiry watch."""
        env = self._clock.env
        for draft in self._drafts:
            env.process(self._draft(draft))
        env.process(self._watch())

    def _draft(self, draft: Draft) -> Process:
        """Negotiate `draft`, put it to the vote, re-table it if it may be, apply it if adopted.

        A draft that needs a mandate in force (a renewal, a termination) is not
        tabled when none is in force as its negotiation opens; its per-draft
        outcomes stay NaN.
        """
        env = self._clock.env
        chamber = self.chamber
        record = chamber.records[draft.id]
        text = Text.of(draft)
        vote_day = self._clock.day(draft.date)
        opening = max(0.0, vote_day - chamber.negotiation_days)
        yield env.timeout(opening)
        if _needs_mandate(draft, text) and not self._mandate.active:
            self._log(EventKind.NOT_TABLED, draft.id, reason="no mandate in force")
            return
        record.text = text
        rolled_over = False
        attempt = 1
        while True:
            adopted = yield from self._attempt(draft, text, attempt, opening, vote_day)
            if adopted or not draft.retablable:
                return
            while (schedule := self._next_attempt(attempt)) is None:
                # No time left before the expiry: one technical roll-over, then try again.
                if rolled_over or chamber.rollover_months == 0 or not self._mandate.active:
                    return
                rolled_over = True
                if not (yield from self._rollover(draft)):
                    return
            attempt += 1
            opening, vote_day = schedule
            if self._log.record:
                self._log(
                    EventKind.RETABLED, draft.id, attempt=attempt, date=self._clock.date(vote_day)
                )
            yield env.timeout(opening - env.now)

    def _next_attempt(self, attempt: int) -> tuple[float, float] | None:
        """Return (opening, vote day) of the next attempt, or None if none fits before expiry."""
        chamber = self.chamber
        if attempt >= chamber.attempts:
            return None
        opening = self._clock.env.now + chamber.interval_days
        vote_day = opening + chamber.negotiation_days
        m = self._mandate
        return (opening, vote_day) if m.active and vote_day < m.expiry_day else None

    def _attempt(
        self, draft: Draft, text: Text, attempt: int, opening: float, vote_day: float
    ) -> Generator[simpy.Event, Any, bool]:
        """One attempt: negotiation rounds from `opening`, then the vote on `vote_day`."""
        env = self._clock.env
        chamber = self.chamber
        log = self._log
        record = chamber.records[draft.id]
        name = f"council/{draft.id}/{attempt}"
        signals = self._streams[name + "/signals"]
        for k in range(chamber.rounds + 1):
            check = min(vote_day, opening + k * chamber.round_days)
            if check > env.now:
                yield env.timeout(check - env.now)
            if _needs_mandate(draft, text) and not self._mandate.active:
                return self._withdraw(draft, attempt, (), "no mandate in force")
            threats = chamber.threats(draft, text.kind, signals)
            if not threats:
                break
            if k < chamber.rounds and text.steps < len(draft.soften):
                text.soften(draft.soften[text.steps])
                log(
                    EventKind.SOFTENED,
                    draft.id,
                    attempt=attempt,
                    step=text.steps,
                    kind=text.kind,
                    by=threats,
                )
                continue
            if self._streams[name + "/force"].random() >= chamber.force_vote:
                return self._withdraw(draft, attempt, threats, "veto threat")
            break
        if vote_day > env.now:
            yield env.timeout(vote_day - env.now)
        if _needs_mandate(draft, text) and not self._mandate.active:
            return self._withdraw(draft, attempt, (), "no mandate in force")
        decision, ballots = chamber.vote(text.kind, chamber.rule_for(draft), self._streams[name])
        record.last_vote = (decision, ballots)
        if log.record:
            log(
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
            log(EventKind.ADOPTED, draft.id, kind=text.kind)
            self.apply(text, actor=draft.id)
            self._bus.announce_adoption(draft.id)
            return True
        if decision.vetoed_by:
            record.vetoed = True
            record.vetoed_by.update(decision.vetoed_by)
            log(EventKind.VETOED, draft.id, by=decision.vetoed_by)
        else:
            record.failed = True
            log(EventKind.FAILED, draft.id, yes=decision.yes)
        return False

    def _withdraw(self, draft: Draft, attempt: int, threats: tuple[str, ...], reason: str) -> bool:
        self.chamber.records[draft.id].withdrawn = True
        self._log(EventKind.WITHDRAWN, draft.id, attempt=attempt, by=threats, reason=reason)
        return False

    def _rollover(self, draft: Draft) -> Generator[simpy.Event, Any, bool]:
        """A technical roll-over of the mandate in force, voted the day before it expires."""
        env = self._clock.env
        chamber = self.chamber
        target = self._mandate.expiry_day - 1.0
        if target > env.now:
            yield env.timeout(target - env.now)
        m = self._mandate
        if not m.active or m.expiry_day - env.now > 1.0:
            return False  # lapsed meanwhile, or another draft moved the expiry
        text = Text("renewal", chamber.rollover_months, None, None, None)
        rng = self._streams[f"council/{draft.id}/rollover"]
        decision, ballots = chamber.vote(text.kind, chamber.plan.rule, rng)
        if self._log.record:
            self._log(
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
            self.apply(text, actor=draft.id)
        return decision.adopted

    def apply(self, text: Text, *, actor: str) -> None:
        """Set the mandate as an adopted text says.

        A termination ends the mandate in force `duration_months` after the vote, or
        at its expiry if that comes first (0 months: at once).
        """
        mandate = self._mandate
        clock = self._clock
        today = clock.today
        if text.kind == "termination":
            if text.duration_months == 0:
                mandate.lapse(reason=f"terminated by {actor}")
                return
            expiry = min(mandate.expiry_day, clock.day(add_months(today, text.duration_months)))
            terminating = True
        else:
            current = clock.date(mandate.expiry_day) if mandate.active else today
            expiry = clock.day(add_months(max(today, current), text.duration_months))
            terminating = False
        mandate.set(
            expiry_day=expiry,
            ceiling=mandate.ceiling if text.ceiling is None else text.ceiling,
            funding_model=text.funding_model or mandate.funding_model,
            powers=mandate.powers if text.powers is None else text.powers,
            terminating=terminating,
            actor=actor,
        )

    def _watch(self) -> Process:
        """Lapse the mandate when it reaches its expiry without renewal."""
        env = self._clock.env
        bus = self._bus
        mandate = self._mandate
        while True:
            if not mandate.active:
                yield bus.next_mandate_change()
            elif mandate.expiry_day <= env.now:
                mandate.lapse(reason="terminated" if mandate.terminating else "expired")
            else:
                yield env.timeout(mandate.expiry_day - env.now) | bus.next_mandate_change()
