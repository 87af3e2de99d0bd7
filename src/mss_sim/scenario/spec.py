"""The scenario specification: frozen, validated pydantic models.

A :class:`Scenario` is pure data: it describes a situation (the Council, the
mandate in force, the money, the contributors) and the uncertainty about it. It
is validated when built and never mutated; the runtime model copies what it
changes. Load one from a TOML file with :func:`mss_sim.load_scenario`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, ValidationError, model_validator

from mss_sim.errors import ScenarioError
from mss_sim.scenario.checks import check_scenario
from mss_sim.scenario.council import (
    DRAFT_KINDS,
    PERMANENT_MEMBERS,
    Council,
    Draft,
)
from mss_sim.scenario.deployment import (
    Airlift,
    Contributor,
    Deployment,
    Drawdown,
    Equipment,
    Handover,
)
from mss_sim.scenario.display import scenario_html, scenario_repr
from mss_sim.scenario.distributions import FieldEquality, _Dist
from mss_sim.scenario.fields import (
    FundingModel,
    Identifier,
    Number,
    _KeyedError,
    _Spec,
    add_months,
    check_unique,
    describe_error,
    format_loc,
)
from mss_sim.scenario.funding import (
    COST_CATEGORIES,
    MODEL_PAYERS,
    Assessed,
    Condition,
    Costs,
    Donor,
    Funding,
    Payer,
    Shock,
    TrustFund,
)
from mss_sim.scenario.overrides import apply_values, name_items
from mss_sim.scenario.resolve import parameter_table
from mss_sim.scenario.security import Feedback, Security
from mss_sim.scenario.toml import load_chain, scenario_path

__all__ = [
    "COST_CATEGORIES",
    "DRAFT_KINDS",
    "FUNDING_MODELS",
    "MODEL_PAYERS",
    "PERMANENT_MEMBERS",
    "Airlift",
    "Assessed",
    "Condition",
    "Contributor",
    "Costs",
    "Council",
    "Deployment",
    "Donor",
    "Draft",
    "Drawdown",
    "Equipment",
    "Feedback",
    "Funding",
    "Handover",
    "Mandate",
    "Number",
    "Outcomes",
    "Payer",
    "Policy",
    "Scenario",
    "ScenarioInfo",
    "Security",
    "Shock",
    "TrustFund",
    "_KeyedError",
    "add_months",
    "describe_error",
    "format_loc",
    "scenario_from_dict",
]

_T = TypeVar("_T")

FUNDING_MODELS: tuple[str, ...] = ("voluntary", "support_office", "assessed")
"""How a mandate is paid for: voluntary contributions only (the MSS), personnel
voluntary and logistics assessed through a UN support office (the Gang
Suppression Force), or everything assessed (a UN peacekeeping operation)."""


class Outcomes(_Spec):
    """The ``[outcomes]`` table: targets the outputs measure against.

    `target_strength` is the strength whose first reaching ``months_to_target``
    reports; by default half the largest ceiling any draft of the scenario
    authorises (or the mandate's, if no draft sets one), so that a scenario where
    the larger force is vetoed does not look faster than one where it passes.
    """

    target_strength: int | None = Field(default=None, ge=1, le=1_000_000)


class Policy(_Spec):
    """A named choice to compare: values set by key path (``[[policies]]`` in a file).

    Examples
    --------
    >>> Policy(name="no_us", values={"funding.donors[USA].pledge_usd": 0}).name
    'no_us'
    """

    name: Identifier
    description: str = ""
    values: dict[str, Any] = Field(default_factory=dict)


class ScenarioInfo(_Spec):
    """The ``[scenario]`` table: what the scenario is and the period it covers."""

    name: Identifier
    description: str = ""
    start: dt.date
    horizon_months: int = Field(ge=1, le=600)

    @property
    def end(self) -> dt.date:
        """The first day after the horizon: the first of the month `horizon_months` on."""
        return add_months(self.start.replace(day=1), self.horizon_months)


class Mandate(_Spec):
    """The ``[mandate]`` table: the authorisation in force at the start."""

    active: bool = True
    expiry: dt.date | None = None
    ceiling: int = Field(ge=0)
    funding_model: FundingModel = "voluntary"
    powers: list[Identifier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Mandate:
        if self.active and self.expiry is None:
            raise _KeyedError("expiry", "an active mandate needs an expiry date")
        return self


class Scenario(FieldEquality):
    """A complete, validated scenario.

    Build one with :func:`mss_sim.load_scenario` (or :meth:`Scenario.from_toml`)
    rather than by hand; both give errors that name the file and key.

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
    >>> sc.scenario.horizon_months
    24
    """

    scenario: ScenarioInfo
    council: Council = Field(default_factory=Council)
    mandate: Mandate
    funding: Funding
    deployment: Deployment
    security: Security | None = None
    outcomes: Outcomes = Field(default_factory=Outcomes)
    policies: list[Policy] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        check_scenario(self)
        names = [p.name for p in self.policies]
        check_unique(names, lambda i: f"policies[{i}].name", "policy ")
        return self

    # ------------------------------------------------------------------ helpers

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Load and validate a scenario file; see :func:`mss_sim.load_scenario`.

        Examples
        --------
        >>> Scenario.from_toml("scenarios/gsf_2025.toml").scenario.horizon_months
        24
        """
        file = scenario_path(path)
        data, bases = load_chain(file.resolve(), ())
        source = file.name + "".join(f" (extends {name})" for name in bases[:1])
        return scenario_from_dict(data, source=source)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    def __repr__(self) -> str:
        return scenario_repr(self)

    def _repr_html_(self) -> str:
        return scenario_html(self)

    def target_strength(self) -> int:
        """The strength ``months_to_target`` measures against (see :class:`Outcomes`).

        Examples
        --------
        >>> import mss_sim
        >>> mss_sim.load_scenario("gsf_2025").target_strength()  # half of the GSF's 5,550
        2775
        """
        if self.outcomes.target_strength is not None:
            return self.outcomes.target_strength
        ceilings = [d.ceiling for d in self.council.drafts if d.ceiling is not None]
        largest = max(ceilings, default=0) or self.mandate.ceiling
        return max(1, math.ceil(largest / 2))

    def uncertain_parameters(self) -> dict[str, _Dist]:
        """Return every uncertain value by its key path, in file order.

        List items are named by their identifier where they have one (see
        :mod:`mss_sim.scenario.resolve`).

        Examples
        --------
        >>> import mss_sim
        >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
        >>> "funding.costs.personnel_per_person_month_usd" in sc.uncertain_parameters()
        True
        >>> "deployment.contributors[KEN].pledged" in sc.uncertain_parameters()
        True
        """
        return {p.path: p.dist for p in parameter_table(self).parameters}

    def with_values(self, values: dict[str, Any]) -> Scenario:
        """Return a new, validated scenario with `values` set by key path.

        Parameters
        ----------
        values : dict
            Key paths (as parameter columns name them: list items by identifier,
            ``deployment.contributors[KEN].pledged``, or by position when they have
            none, ``council.effects[0].size``) to values as a scenario file would
            give them: numbers, strings, dates, lists, or an uncertain value as a
            dict (``{"dist": "uniform", "low": 0, "high": 1}``).

        Raises
        ------
        ScenarioError
            Naming the key path, if it leads nowhere or its value is not valid.

        Examples
        --------
        >>> import mss_sim
        >>> sc = mss_sim.load_scenario("gsf_2025")
        >>> no_us = sc.with_values({"funding.donors[USA].pledge_usd": 0})
        >>> no_us.funding.donors[0].pledge_usd
        0.0
        >>> try:
        ...     sc.with_values({"scenario.horizon_months": -3})
        ... except mss_sim.ScenarioError as exc:
        ...     print(exc)
        gsf_2025 (with values): scenario.horizon_months: must be >= 1, got -3
        """
        source = f"{self.name} (with values)"
        data = apply_values(
            self.model_dump(mode="python", exclude_unset=True), values, source=source
        )
        return scenario_from_dict(data, source=source, by_id=True)

    def with_policy(self, policy: str | Policy) -> Scenario:
        """Return the scenario with a policy's values set, and no policies of its own.

        Parameters
        ----------
        policy : str or Policy
            The name of one of the scenario's ``[[policies]]``, or a policy.

        Raises
        ------
        ScenarioError
            Naming the policy and the key, if it does not apply.

        Examples
        --------
        >>> import mss_sim
        >>> sc = mss_sim.load_scenario("gsf_2025")
        >>> p = Policy(name="no_us", values={"funding.donors[USA].pledge_usd": 0})
        >>> sc.with_policy(p).funding.donors[0].pledge_usd
        0.0
        """
        if isinstance(policy, str):
            found = [p for p in self.policies if p.name == policy]
            if not found:
                listed = ", ".join(p.name for p in self.policies) or "none"
                raise ScenarioError(
                    f"no policy named {policy!r} (policies: {listed})", source=self.name
                )
            policy = found[0]
        source = f"{self.name} (policy {policy.name})"
        data = self.model_dump(mode="python", exclude_unset=True)
        data.pop("policies", None)
        return scenario_from_dict(
            apply_values(data, policy.values, source=source), source=source, by_id=True
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario as JSON-ready data that :func:`scenario_from_dict` reads back.

        Only the keys the scenario sets (defaults left out), dates as ISO strings;
        a batch keeps it in its metadata so that its results can be re-run.

        Examples
        --------
        >>> import mss_sim
        >>> sc = mss_sim.load_scenario("gsf_2025")
        >>> scenario_from_dict(sc.to_dict()).content_hash() == sc.content_hash()
        True
        """
        data: dict[str, Any] = self.model_dump(mode="json", exclude_unset=True)
        return data

    def content_hash(self) -> str:
        """Return the SHA-256 of the scenario's canonical JSON form (hex)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scenario_from_dict(
    data: dict[str, Any], *, source: str | None = None, by_id: bool = False
) -> Scenario:
    """Validate plain data (as read from TOML) into a :class:`Scenario`.

    Parameters
    ----------
    data : dict
        The scenario's tables.
    source : str, optional
        A file name to put in error messages.
    by_id : bool, default False
        Name list items in error messages by their identifier
        (``funding.donors[USA].pledge_usd``) rather than their position.

    Raises
    ------
    ScenarioError
        Naming `source`, the key path and the problem; further problems, if any,
        follow on later lines.
    """
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = format_loc(tuple(error["loc"]))
            cause = (error.get("ctx") or {}).get("error")
            if isinstance(cause, _KeyedError):
                loc = f"{loc}.{cause.path}" if loc else cause.path
            problems.append((name_items(data, loc) if by_id else loc, describe_error(error)))
        loc, message = problems[0]
        if len(problems) > 1:
            more = "; ".join(f"{p}: {m}" for p, m in problems[1:4])
            extra = f" (+{len(problems) - 4} more)" if len(problems) > 4 else ""
            message += f"\n  also: {more}{extra}"
        raise ScenarioError(
            message, source=source, path=loc or "(top level)", further=len(problems) - 1
        ) from None
    for policy in scenario.policies:  # each policy must give a valid scenario
        try:
            scenario.with_policy(policy)
        except ScenarioError as exc:
            where = f"policies[{policy.name}].values"
            raise ScenarioError(f"{exc.path}: {exc.problem}", source=source, path=where) from None
    return scenario
