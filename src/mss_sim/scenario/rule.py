"""The ``[council.rule]`` table: a named voting rule (Article 27 and its variants) with changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from mss_sim.scenario.fields import _KeyedError, _Spec

__all__ = ["RULE_PRESETS", "Rule", "RuleName", "rule_seats"]


_CHARTER: dict[str, int | bool] = {
    "threshold": 9,
    "veto": True,
    "vetoes_needed": 1,
    "abstention_is_veto": False,
    "seats": 15,
}

RULE_PRESETS: Mapping[str, Mapping[str, int | bool]] = {
    # Article 27(3) as practised since 1946: nine votes, no permanent member's no.
    "charter": _CHARTER,
    # Procedural matters (Article 27(2)), e.g. a referral to the General Assembly.
    "procedural": {**_CHARTER, "veto": False},
    "no_veto": {**_CHARTER, "veto": False},
    "double_veto": {**_CHARTER, "vetoes_needed": 2},
    # The literal reading of "concurring votes": a permanent member's abstention blocks.
    "abstention_veto": {**_CHARTER, "abstention_is_veto": True},
    # Before the 1965 amendment entered into force: eleven members, seven votes.
    "pre_1966": {**_CHARTER, "threshold": 7, "seats": 11},
}
"""Named voting rules and their parameters (see :class:`mss_sim.council.VotingRule`)."""

RuleName = Literal["charter", "procedural", "no_veto", "double_veto", "abstention_veto", "pre_1966"]


class Rule(_Spec):
    """A voting rule: a named preset (:data:`RULE_PRESETS`), optionally with changes.

    In a scenario file, ``rule = "double_veto"`` or ``rule = { name = "charter",
    threshold = 8 }``.
    """

    name: RuleName = "charter"
    threshold: int | None = Field(default=None, ge=1)
    veto: bool | None = None
    vetoes_needed: int | None = Field(default=None, ge=1)
    abstention_is_veto: bool | None = None
    seats: int | None = Field(default=None, ge=1, le=50)

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data: Any) -> Any:
        return {"name": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _check(self) -> Rule:
        p = self.parameters()
        if p["threshold"] > p["seats"]:
            raise _KeyedError(
                "threshold", f"must be <= the {p['seats']} seats, got {p['threshold']}"
            )
        return self

    def parameters(self) -> dict[str, int | bool]:
        """Return the rule's parameters: the preset's, with this rule's changes."""
        changes = {k: v for k, v in self.model_dump(exclude={"name"}).items() if v is not None}
        return {**RULE_PRESETS[self.name], **changes}


def rule_seats(rule: Rule) -> int:
    """Return the number of seats `rule` assumes."""
    return int(rule.parameters()["seats"])
