"""Draft resolutions and how they are negotiated.

``[[council.drafts]]``, ``[council.negotiation]`` and ``[council.retabling]``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from mss_sim.scenario.fields import (
    FundingModel,
    Identifier,
    NonNegative,
    Number,
    Probability,
    _bounded,
    _Spec,
)
from mss_sim.scenario.rule import Rule

__all__ = ["DRAFT_KINDS", "Draft", "Negotiation", "Retabling", "Softening"]


DRAFT_KINDS: tuple[str, ...] = (
    "renewal",
    "force_authorisation",
    "pko_transition",
    "support_office",
    "termination",
)
"""The kinds of draft resolution the model knows; scenarios may add their own names."""


class Negotiation(_Spec):
    """How penholders negotiate a draft before its vote.

    The negotiation opens ``rounds * round_days`` before the vote. At each round
    the penholders estimate every permanent member's chance of casting a veto
    (its probability of a vote that blocks under the rule — a no, or under
    ``abstention_veto`` also an abstention — given the context, seen with
    log-odds noise of standard deviation `signal_noise`). While some estimate
    exceeds `threshold` they soften the draft (its next ``soften`` step), one
    step per round, up to `rounds` rounds; a threat that persists when no step
    or round is left makes them withdraw the draft, or, with probability
    `force_vote`, put it to the vote anyway.
    """

    threshold: Probability = 0.25
    rounds: int = Field(default=2, ge=0, le=20)
    round_days: Annotated[Number, AfterValidator(_bounded(ge=0.0, le=365.0))] = 7.0
    signal_noise: NonNegative = 0.0
    force_vote: Probability = 0.0


class Retabling(_Spec):
    """What happens to a re-tablable draft that is withdrawn or not adopted.

    Its negotiation reopens `interval_days` later, with the vote
    ``rounds * round_days`` after that, up to `attempts` attempts in all, as
    long as the vote falls before the mandate in force expires. With
    `rollover_months` > 0, a draft still not adopted the day before the mandate
    expires gets one technical roll-over vote (a plain ``renewal`` for that many
    months, same ceiling and funding).
    """

    attempts: int = Field(default=2, ge=1, le=20)
    interval_days: Annotated[Number, AfterValidator(_bounded(gt=0.0, le=365.0))] = 7.0
    rollover_months: int = Field(default=0, ge=0, le=24)


class Softening(_Spec):
    """One step of softening a draft: the fields it changes (at least one)."""

    description: str = ""
    kind: Identifier | None = None
    duration_months: int | None = Field(default=None, ge=0, le=120)
    ceiling: int | None = Field(default=None, ge=0)
    funding_model: FundingModel | None = None
    powers: list[Identifier] | None = None

    @model_validator(mode="after")
    def _check(self) -> Softening:
        changes = ("kind", "duration_months", "ceiling", "funding_model", "powers")
        if all(getattr(self, name) is None for name in changes):
            raise ValueError("a softening step must change at least one of " + ", ".join(changes))
        return self


class Draft(_Spec):
    """A draft resolution scheduled for a vote, and what it sets if adopted.

    An adopted draft makes the mandate active. Its new expiry is `duration_months`
    calendar months after the later of the vote date and the current expiry (a
    renewal runs on from the old expiry, as Res 2751 did). Fields left out keep
    the mandate's current value. A ``termination`` ends the mandate in force
    `duration_months` after the vote (0: at once), or at its expiry if that
    comes first.

    `renewal` says whether the draft renews the mandate in force (default: its
    kind is ``renewal``): such a draft is not tabled, or is withdrawn, when no
    mandate is in force. `soften` lists the steps penholders may take under a
    veto threat, in order; `retable` says whether the draft is tabled again after
    a withdrawal or a lost vote (default: renewals are); `rule` replaces the
    Council's voting rule for this draft (e.g. ``"procedural"`` for a referral
    to the General Assembly).
    """

    id: Identifier
    date: dt.date
    kind: Identifier
    description: str = ""
    duration_months: int = Field(default=12, ge=0, le=120)
    ceiling: int | None = Field(default=None, ge=0)
    funding_model: FundingModel | None = None
    powers: list[Identifier] | None = None
    soften: list[Softening] = Field(default_factory=list)
    renewal: bool | None = None
    retable: bool | None = None
    rule: Rule | None = None

    @property
    def renews(self) -> bool:
        """Whether the draft renews the mandate in force."""
        return self.kind == "renewal" if self.renewal is None else self.renewal

    @property
    def retablable(self) -> bool:
        """Whether the draft is tabled again after a withdrawal or a lost vote."""
        return self.renews if self.retable is None else self.retable

    def kinds(self) -> tuple[str, ...]:
        """Return every kind the draft's text can take: its own, then its softenings'."""
        out = [self.kind]
        for step in self.soften:
            if step.kind is not None and step.kind not in out:
                out.append(step.kind)
        return tuple(out)
