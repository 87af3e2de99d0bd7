"""Conditions donors attach to their support, and shocks to money: ``[[funding.conditions]]``
and ``[[funding.shocks]]`` (see :mod:`mss_sim.scenario.funding`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import model_validator

from mss_sim.scenario.fields import (
    Identifier,
    NonNegative,
    Positive,
    Probability,
    _KeyedError,
    _Spec,
)

__all__ = ["Condition", "Shock", "ShockKind"]


class Condition(_Spec):
    """A condition a donor attaches to its support, tied to a draft resolution.

    ``ends_unless_adopted``: the support still to come is cancelled at the end of
    `date` unless `draft` has been adopted by then (a vote on that date counts).
    ``starts_if_adopted``: nothing is paid before `draft` is adopted; the pledge and
    its lags start from the adoption (or from the pledge date, if later), and
    nothing is paid if it never is.
    Conditions are a list of their own (``[[funding.conditions]]``) so that a
    scenario that extends another can add one without restating the donors.
    """

    donor: str
    kind: Literal["ends_unless_adopted", "starts_if_adopted"]
    draft: Identifier
    date: dt.date | None = None

    @model_validator(mode="after")
    def _check(self) -> Condition:
        if self.kind == "ends_unless_adopted" and self.date is None:
            raise _KeyedError("date", "ends_unless_adopted needs the date the support ends")
        if self.kind == "starts_if_adopted" and self.date is not None:
            raise _KeyedError("date", "starts_if_adopted takes no date")
        return self


ShockKind = Literal["freeze", "cut", "rescission", "cap", "hold"]


_SHOCK_KEYS: dict[str, tuple[str, ...]] = {
    "fraction": ("cut", "rescission"),
    "duration_months": ("freeze", "hold"),
    "release_probability": ("freeze", "hold"),
}
"""Keys that only some kinds of shock use."""


class Shock(_Spec):
    """A shock to a donor's money, or a cap on a member's assessed payments.

    ``freeze`` holds every payment of `donor` due in ``[t, t + duration_months)``
    until the freeze ends, then releases it with `release_probability` (otherwise
    it is cancelled). ``cut`` removes `fraction` of what `donor` has not yet paid.
    ``rescission`` takes back `fraction` of what `donor` has paid so far, as far as
    its account's balance allows. ``cap``: from then on `member` pays at most
    `share` of each assessment, payments of earlier assessments included. A
    tranche under several freezes waits for the last to end and is paid only if
    all of them are lifted. ``hold``: `amount_usd` of the trust fund's money (as
    far as its balance allows) cannot be spent for `duration_months`; then it is
    released with `release_probability`, otherwise returned to its donor (a
    negative receipt). A hold stops spending, not receipt: the money was received
    and stays counted as received until it is returned.

    The shock happens on `date` (from the start if that is earlier); with
    `hazard_per_month` it happens instead at a random time, at that rate from
    `date` (or the start) on, at most once, and not at all if that time falls
    after the horizon.
    """

    kind: ShockKind
    donor: str | None = None
    member: str | None = None
    date: dt.date | None = None
    hazard_per_month: Positive | None = None
    fraction: Probability = 1.0
    duration_months: NonNegative = 3.0
    release_probability: Probability = 1.0
    share: Probability | None = None
    amount_usd: NonNegative | None = None

    @model_validator(mode="after")
    def _check(self) -> Shock:
        for key, kinds in _SHOCK_KEYS.items():
            if key in self.model_fields_set and self.kind not in kinds:
                raise _KeyedError(
                    key, f"a {self.kind} takes no {key} (only a {' or a '.join(kinds)})"
                )
        if self.kind == "hold":
            if self.amount_usd is None:
                raise _KeyedError("amount_usd", "a hold needs the amount of money it holds")
            for key in ("donor", "member", "share"):
                if getattr(self, key) is not None:
                    raise _KeyedError(key, f"a hold takes no {key}: it holds trust fund money")
        elif self.amount_usd is not None:
            raise _KeyedError("amount_usd", "only a hold takes an amount_usd")
        elif self.kind == "cap":
            if self.member is None:
                raise _KeyedError("member", "a cap needs the member whose payments it caps")
            if self.donor is not None:
                raise _KeyedError("donor", "a cap names a member, not a donor")
            if self.share is None:
                raise _KeyedError("share", "a cap needs the share of an assessment it allows")
        else:
            if self.donor is None:
                raise _KeyedError("donor", f"a {self.kind} needs the donor it hits")
            if self.member is not None:
                raise _KeyedError("member", f"a {self.kind} names a donor, not a member")
            if self.share is not None:
                raise _KeyedError("share", "only a cap takes a share")
        if self.date is None and self.hazard_per_month is None:
            raise _KeyedError("date", "a shock needs a date, a hazard_per_month, or both")
        return self
