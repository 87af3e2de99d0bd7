"""What moves Council members' propensities.

The ``[council.context]`` table and ``[[council.effects]]``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field, model_validator

from mss_sim.scenario.fields import (
    Identifier,
    Number,
    Positive,
    Probability,
    _bounded,
    _KeyedError,
    _Spec,
)

__all__ = [
    "EFFECT_FACTORS",
    "Context",
    "Effect",
    "EffectFactor",
    "Endorsement",
    "HostRequest",
    "Posture",
]


EffectFactor = Literal["host_request", "endorsement", "performance", "funder_posture"]

EFFECT_FACTORS: tuple[str, ...] = get_args(EffectFactor)
"""What moves propensities: see :class:`Effect`."""


class HostRequest(_Spec):
    """The host government asks the Council for a kind of draft, on a date."""

    kind: Identifier
    date: dt.date


class Endorsement(_Spec):
    """A regional organisation (``OAS``, ``CARICOM``...) endorses a kind of draft on a date."""

    body: str = Field(min_length=1)
    kind: Identifier
    date: dt.date


class Posture(_Spec):
    """The largest funder's posture from `date` on: +1 pushing for the mission, -1 pulling out."""

    date: dt.date
    value: Annotated[Number, AfterValidator(_bounded(ge=-1.0, le=1.0))]


class Context(_Spec):
    """What moves propensities, besides the draft's kind (see :class:`Effect`).

    `performance_reference` is the deployed share of the ceiling at which the
    mission's performance moves nobody; `endorsement_half_life_months` makes an
    endorsement's weight halve every so many months (none: it never fades);
    `max_shift` bounds the total shift of any member, in standard deviations of
    its latent support.
    """

    requests: list[HostRequest] = Field(default_factory=list)
    endorsements: list[Endorsement] = Field(default_factory=list)
    funder_posture: list[Posture] = Field(default_factory=list)
    performance_reference: Probability = 0.5
    endorsement_half_life_months: Positive | None = None
    max_shift: Annotated[Number, AfterValidator(_bounded(gt=0.0, le=5.0))] = 2.0

    @model_validator(mode="after")
    def _check(self) -> Context:
        dates = [p.date for p in self.funder_posture]
        for i in range(1, len(dates)):
            if dates[i] <= dates[i - 1]:
                raise _KeyedError(
                    f"funder_posture[{i}].date",
                    f"dates must increase, got {dates[i]} after {dates[i - 1]}",
                )
        return self


class Effect(_Spec):
    """How much one context factor moves some members' votes on some kinds of draft.

    The shift is ``size * factor`` standard deviations of the members' latent
    support (positive: towards yes, away from no), with the factor:

    ``host_request``
        1 once the host government has requested the draft's kind, else 0.
    ``endorsement``
        The number of regional endorsements of the draft's kind made so far
        (only `body`'s if given), each fading with the context's half-life.
    ``performance``
        The deployed share of the ceiling, less ``context.performance_reference``.
    ``funder_posture``
        The largest funder's posture at the time, in [-1, 1].

    `members` lists ISO3 codes or groups (``all``, ``permanent``, ``elected``, a
    UN regional group, or a group from ``council.groups``); `kinds` restricts the
    effect to some kinds of draft (empty: every kind).
    """

    factor: EffectFactor
    size: Annotated[Number, AfterValidator(_bounded(ge=-3.0, le=3.0))]
    members: list[str] = Field(default_factory=lambda: ["all"], min_length=1)
    kinds: list[Identifier] = Field(default_factory=list)
    body: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Effect:
        if self.body is not None and self.factor != "endorsement":
            raise _KeyedError("body", "only an 'endorsement' effect names a body")
        return self
