"""The checks across a scenario's tables (a draft's powers against the security uplifts,
conditions against drafts, the start against the mandate, ...), run when it is validated."""

from __future__ import annotations

from typing import Any

from mss_sim.scenario.fields import _KeyedError

__all__ = ["check_scenario"]


def check_scenario(sc: Any) -> None:
    """Raise a keyed error for the first inconsistency between `sc`'s tables.

    `sc` is a :class:`mss_sim.Scenario` whose tables are each valid on their own.
    """
    start, end = sc.scenario.start, sc.scenario.end
    sc.council.check_drafts(start, end)
    if sc.mandate.active and sc.mandate.expiry is not None and sc.mandate.expiry <= start:
        raise _KeyedError(
            "mandate.expiry", f"an active mandate must expire after the start ({start})"
        )
    initial = sum(c.initial_deployed for c in sc.deployment.contributors)
    ceiling = sc.mandate.ceiling if sc.mandate.active else 0
    if initial > ceiling:
        raise _KeyedError(
            "deployment.contributors",
            f"{initial} personnel deployed at the start exceed the mandate's ceiling ({ceiling})",
        )
    drafts = [d.id for d in sc.council.drafts]
    for i, condition in enumerate(sc.funding.conditions):
        if condition.draft not in drafts:
            raise _KeyedError(
                f"funding.conditions[{i}].draft",
                f"no draft named {condition.draft!r} "
                f"(council.drafts: {', '.join(drafts) or 'none'})",
            )
    for i, handover in enumerate(sc.deployment.handovers):
        if handover.date <= start:
            raise _KeyedError(
                f"deployment.handovers[{i}].date",
                f"must be after the start ({start}), got {handover.date}",
            )
    airlift = sc.deployment.airlift
    donors = [d.name for d in sc.funding.donors]
    supplier = airlift.supplied_by if airlift is not None else None
    if supplier is not None and supplier not in donors:
        raise _KeyedError(
            "deployment.airlift.supplied_by",
            f"no donor named {supplier!r} (funding.donors: {', '.join(donors) or 'none'})",
        )
    if sc.security is not None:
        granted = set(sc.mandate.powers)
        for draft in sc.council.drafts:
            granted.update(draft.powers or ())
            for step in draft.soften:
                granted.update(step.powers or ())
        # A scenario granting no power at all has no uplift to misspell.
        for power in sc.security.powers:
            if granted and power not in granted:
                raise _KeyedError(
                    f"security.powers.{power}",
                    f"no mandate or draft grants the power {power!r} "
                    f"(powers in the scenario: {', '.join(sorted(granted)) or 'none'})",
                )
        countries = [c.country for c in sc.deployment.contributors]
        for country in sc.security.contingents:
            if country not in countries:
                raise _KeyedError(
                    f"security.contingents.{country}",
                    f"{country} is not a contributor "
                    f"(deployment.contributors: {', '.join(countries)})",
                )
