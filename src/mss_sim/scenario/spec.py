"""The scenario specification: frozen, validated pydantic models.

A :class:`Scenario` is pure data: it describes a situation (the Council, the
mandate in force, the money, the contributors) and the uncertainty about it. It
is validated when built and never mutated; the runtime model copies what it
changes. Load one from a TOML file with :func:`mss_sim.load_scenario`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from mss_sim.scenario.distributions import (
    DIST_NAMES,
    Beta,
    Choice,
    FieldEquality,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
    _Dist,
    parse_uncertain,
)

__all__ = [
    "DRAFT_KINDS",
    "FUNDING_MODELS",
    "PERMANENT_MEMBERS",
    "Contributor",
    "Council",
    "Deployment",
    "Donor",
    "Draft",
    "Funding",
    "Mandate",
    "Number",
    "Scenario",
    "ScenarioInfo",
    "Shock",
    "add_months",
    "describe_error",
]

PERMANENT_MEMBERS: tuple[str, ...] = ("CHN", "FRA", "GBR", "RUS", "USA")
"""The five permanent members of the Security Council (ISO 3166-1 alpha-3)."""

DRAFT_KINDS: tuple[str, ...] = (
    "renewal",
    "force_authorisation",
    "pko_transition",
    "support_office",
    "termination",
)
"""The kinds of draft resolution the bundled scenarios use; other names are allowed."""

FUNDING_MODELS: tuple[str, ...] = ("voluntary", "support_office", "assessed")
"""How a mandate is paid for: voluntary contributions only (the MSS), personnel
voluntary and logistics assessed through a UN support office (the Gang
Suppression Force), or everything assessed (a UN peacekeeping operation)."""

FundingModel = Literal["voluntary", "support_office", "assessed"]

UncertainNumber = Uniform | Triangular | Normal | LogNormal | Beta | Choice

_ISO3 = re.compile(r"^[A-Z]{3}$")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


# --------------------------------------------------------------------------- errors


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, float) else f"{value:g}"
    return text if len(text) <= 60 else text[:57] + "..."


def describe_error(error: Mapping[str, Any]) -> str:
    """Turn one pydantic error record into a short, plain message.

    Parameters
    ----------
    error : mapping
        One item of :meth:`pydantic.ValidationError.errors`.

    Returns
    -------
    str
        For example ``"must be >= 0, got -5"`` or ``"unknown key"``.
    """
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    bounds = {
        "greater_than_equal": (">=", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("<=", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in bounds:
        op, key = bounds[kind]
        return f"must be {op} {_short(ctx.get(key))}, got {_short(value)}"
    if kind == "missing":
        return "missing required key"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {_short(value)}"
    if kind in ("too_short", "too_long"):
        return f"{error.get('msg', '').lower()}, got {_short(value)}"
    message = str(error.get("msg", "invalid value"))
    message = message[:1].lower() + message[1:]
    if value is not None and not isinstance(value, dict | list):
        message += f", got {_short(value)}"
    return message


def format_loc(loc: tuple[Any, ...]) -> str:
    """Format a pydantic location as a key path: ``funding.donors[2].pledge_usd``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class _KeyedError(ValueError):
    """A cross-field problem found by a model validator, with its own key path."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path


# --------------------------------------------------------------------------- numbers


def _parse_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"must be finite, got {value}")
        return float(value)
    if isinstance(value, _Dist):
        return value
    if isinstance(value, Mapping):
        name = value.get("dist")
        if name is None:
            raise ValueError(
                "an uncertain value needs a 'dist' key, one of " + ", ".join(DIST_NAMES)
            )
        if name not in DIST_NAMES:
            raise ValueError(f"unknown dist {name!r}; expected one of " + ", ".join(DIST_NAMES))
        try:
            return parse_uncertain(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = format_loc(tuple(first["loc"][1:]))
            detail = describe_error(first)
            raise ValueError(f"{key}: {detail}" if key else detail) from None
    raise ValueError(
        "expected a number or an uncertain value such as "
        f'{{ dist = "uniform", low = 1, high = 2 }}, got {_short(value)}'
    )


def _bounded(
    *, ge: float | None = None, gt: float | None = None, le: float | None = None
) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, float):
            lo = hi = value
        elif isinstance(value, Choice):
            lo, hi = min(value.values), max(value.values)
        else:
            lo, hi = value.support()
        where = "" if isinstance(value, float) else f"{value.dist} values can be "
        if ge is not None and lo < ge:
            return _fail(where, f">= {ge:g}", lo, value)
        if gt is not None and (lo < gt or (lo == gt and isinstance(value, float | Choice))):
            return _fail(where, f"> {gt:g}", lo, value)
        if le is not None and hi > le:
            return _fail(where, f"<= {le:g}", hi, value)
        return value

    return check


def _fail(where: str, bound: str, got: float, value: Any) -> Any:
    if not where:
        raise ValueError(f"must be {bound}, got {got:g}")
    raise ValueError(
        f"must be {bound}, but {where}{got:g}; truncate the distribution "
        "(normal takes low/high) or choose one whose values stay in range"
    )


Number = Annotated[float | UncertainNumber, BeforeValidator(_parse_number)]
"""A number, or an uncertain value drawn once per replication."""

NonNegative = Annotated[Number, AfterValidator(_bounded(ge=0.0))]
Positive = Annotated[Number, AfterValidator(_bounded(gt=0.0))]
Probability = Annotated[Number, AfterValidator(_bounded(ge=0.0, le=1.0))]


def _check_iso3(code: str) -> str:
    if not _ISO3.match(code):
        raise ValueError(f"must be an ISO 3166-1 alpha-3 code such as 'HTI', got {code!r}")
    return code


def _check_ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(
            f"must be lower-case letters, digits and '_', starting with a letter, got {name!r}"
        )
    return name


ISO3 = Annotated[str, AfterValidator(_check_iso3)]
Identifier = Annotated[str, AfterValidator(_check_ident)]


def add_months(day: dt.date, months: int) -> dt.date:
    """Return `day` moved by whole calendar `months`, clipped to the month's length.

    Examples
    --------
    >>> import datetime as dt
    >>> add_months(dt.date(2024, 10, 2), 12)
    datetime.date(2025, 10, 2)
    >>> add_months(dt.date(2025, 1, 31), 1)
    datetime.date(2025, 2, 28)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


# --------------------------------------------------------------------------- sections


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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


def _check_propensity(value: tuple[float, float, float]) -> tuple[float, float, float]:
    if any(not (0.0 <= p <= 1.0) for p in value):
        raise ValueError(f"each of (yes, abstain, no) must be in [0, 1], got {list(value)}")
    if abs(sum(value) - 1.0) > 1e-9:
        raise ValueError(f"(yes, abstain, no) must sum to 1, got {sum(value):.12g}")
    return value


Propensity = Annotated[tuple[float, float, float], AfterValidator(_check_propensity)]


class Draft(_Spec):
    """A draft resolution scheduled for a vote, and what it sets if adopted.

    An adopted draft makes the mandate active. Its new expiry is `duration_months`
    calendar months after the later of the vote date and the current expiry (a
    renewal runs on from the old expiry, as Res 2751 did). Fields left out keep
    the mandate's current value. A ``termination`` ends the mandate
    `duration_months` after the vote (0: at once).
    """

    id: Identifier
    date: dt.date
    kind: Identifier
    description: str = ""
    duration_months: int = Field(default=12, ge=0, le=120)
    ceiling: int | None = Field(default=None, ge=0)
    funding_model: FundingModel | None = None


class Council(_Spec):
    """The ``[council]`` table: members by year, voting propensities, scheduled drafts.

    `propensities` maps a member's ISO3 code, or ``default`` for every member, to
    a table of draft kind -> ``[p_yes, p_abstain, p_no]``. A member's own entry
    for a kind wins over the default.
    """

    permanent: list[ISO3] = Field(default_factory=lambda: list(PERMANENT_MEMBERS))
    elected: dict[str, list[ISO3]] = Field(default_factory=dict)
    propensities: dict[str, dict[Identifier, Propensity]] = Field(default_factory=dict)
    drafts: list[Draft] = Field(default_factory=list)

    @field_validator("permanent")
    @classmethod
    def _five_permanent(cls, value: list[str]) -> list[str]:
        if len(value) != 5 or len(set(value)) != 5:
            raise ValueError(f"must list five different members, got {value}")
        return value

    @model_validator(mode="after")
    def _check(self) -> Council:
        for year, members in self.elected.items():
            path = f"elected.{year}"
            if not re.fullmatch(r"\d{4}", year):
                raise _KeyedError(path, "a year such as 2025 is expected as the key")
            if len(members) != 10 or len(set(members)) != 10:
                raise _KeyedError(path, f"must list ten different members, got {len(members)}")
            both = sorted(set(members) & set(self.permanent))
            if both:
                raise _KeyedError(path, f"{both} are permanent members")
        for key in self.propensities:
            if key != "default" and not _ISO3.match(key):
                raise _KeyedError(
                    f"propensities.{key}", "must be 'default' or an ISO 3166-1 alpha-3 code"
                )
        seen: set[str] = set()
        for i, draft in enumerate(self.drafts):
            if draft.id in seen:
                raise _KeyedError(f"drafts[{i}].id", f"duplicate draft id {draft.id!r}")
            seen.add(draft.id)
            year = str(draft.date.year)
            if year not in self.elected:
                raise _KeyedError(
                    f"drafts[{i}].date",
                    f"no elected members listed for {year} (add council.elected.{year})",
                )
            for member in self.members(draft.date.year):
                if self.propensity(member, draft.kind) is None:
                    raise _KeyedError(
                        f"drafts[{i}].kind",
                        f"no propensity for {member} on {draft.kind!r} drafts "
                        f"(add council.propensities.default.{draft.kind})",
                    )
        return self

    def members(self, year: int) -> tuple[str, ...]:
        """Return the fifteen members in `year`: the permanent five, then the elected ten."""
        return (*self.permanent, *self.elected[str(year)])

    def propensity(self, member: str, kind: str) -> tuple[float, float, float] | None:
        """Return ``(p_yes, p_abstain, p_no)`` of `member` on drafts of `kind`, or None."""
        own = self.propensities.get(member, {})
        if kind in own:
            return own[kind]
        return self.propensities.get("default", {}).get(kind)


class Mandate(_Spec):
    """The ``[mandate]`` table: the authorisation in force at the start."""

    active: bool = True
    expiry: dt.date | None = None
    ceiling: int = Field(ge=0)
    funding_model: FundingModel = "voluntary"

    @model_validator(mode="after")
    def _check(self) -> Mandate:
        if self.active and self.expiry is None:
            raise _KeyedError("expiry", "an active mandate needs an expiry date")
        return self


class Donor(_Spec):
    """A donor to the mission's funds: a pledge paid in equal tranches after a lag."""

    name: str = Field(min_length=1)
    pledge_usd: NonNegative
    pledge_date: dt.date | None = None
    tranches: int = Field(default=1, ge=1, le=120)
    tranche_interval_months: NonNegative = 3.0
    disbursement_lag_months: NonNegative = 0.0


class Shock(_Spec):
    """A shock to one donor's money on a date.

    ``cut`` removes `fraction` of what the donor has not yet paid. ``freeze`` holds
    every payment due in ``[date, date + duration_months)`` until the freeze ends,
    then releases it with `release_probability` (otherwise it is cancelled).
    """

    kind: Literal["cut", "freeze"]
    donor: str
    date: dt.date
    fraction: Probability = 1.0
    duration_months: NonNegative = 3.0
    release_probability: Probability = 1.0


class Funding(_Spec):
    """The ``[funding]`` table: opening balance, donors, shocks and costs."""

    opening_balance_usd: NonNegative = 0.0
    cost_per_person_month_usd: NonNegative
    fixed_monthly_cost_usd: NonNegative = 0.0
    logistics_share: Probability = 0.4
    deploy_reserve_months: NonNegative = 1.0
    donors: list[Donor] = Field(default_factory=list)
    shocks: list[Shock] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Funding:
        names = [d.name for d in self.donors]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise _KeyedError(f"donors[{i}].name", f"duplicate donor {name!r}")
        for i, shock in enumerate(self.shocks):
            if shock.donor not in names:
                raise _KeyedError(
                    f"shocks[{i}].donor", f"no donor named {shock.donor!r} (donors: {names})"
                )
        return self


class Contributor(_Spec):
    """A country contributing personnel: its pledge, readiness, waves and attrition."""

    country: ISO3
    pledged: NonNegative
    initial_deployed: int = Field(default=0, ge=0)
    available_from: dt.date | None = None
    readiness_months: NonNegative = 0.0
    wave_size: Positive = 100.0
    wave_interval_months: Positive = 1.0
    monthly_attrition: Probability = 0.0
    lead_nation: bool = False

    @model_validator(mode="after")
    def _check(self) -> Contributor:
        if isinstance(self.pledged, float) and self.initial_deployed > self.pledged:
            raise _KeyedError(
                "initial_deployed",
                f"must be <= pledged ({self.pledged:g}), got {self.initial_deployed}",
            )
        return self


class Deployment(_Spec):
    """The ``[deployment]`` table: the contributing countries."""

    contributors: list[Contributor] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Deployment:
        countries = [c.country for c in self.contributors]
        for i, country in enumerate(countries):
            if country in countries[:i]:
                raise _KeyedError(f"contributors[{i}].country", f"duplicate {country}")
        leads = [i for i, c in enumerate(self.contributors) if c.lead_nation]
        if len(leads) > 1:
            raise _KeyedError(
                f"contributors[{leads[1]}].lead_nation", "only one lead nation is allowed"
            )
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
    _uncertain: dict[str, UncertainNumber] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        start, end = self.scenario.start, self.scenario.end
        for i, draft in enumerate(self.council.drafts):
            if not start <= draft.date < end:
                raise _KeyedError(
                    f"council.drafts[{i}].date",
                    f"{draft.date} is outside the horizon [{start}, {end})",
                )
        if self.mandate.active and self.mandate.expiry is not None and self.mandate.expiry <= start:
            raise _KeyedError(
                "mandate.expiry", f"an active mandate must expire after the start ({start})"
            )
        initial = sum(c.initial_deployed for c in self.deployment.contributors)
        ceiling = self.mandate.ceiling if self.mandate.active else 0
        if initial > ceiling:
            raise _KeyedError(
                "deployment.contributors",
                f"{initial} personnel deployed at the start exceed the mandate's ceiling "
                f"({ceiling})",
            )
        return self

    # ------------------------------------------------------------------ helpers

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Load and validate a scenario file; see :func:`mss_sim.load_scenario`."""
        from mss_sim.scenario.io import load_scenario

        return load_scenario(path)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    def uncertain_parameters(self) -> dict[str, UncertainNumber]:
        """Return every uncertain value by its key path, in file order.

        Examples
        --------
        >>> import mss_sim
        >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
        >>> "funding.cost_per_person_month_usd" in sc.uncertain_parameters()
        True
        """
        if self._uncertain is None:
            self._uncertain = dict(_walk_uncertain(self, ""))
        return dict(self._uncertain)

    def content_hash(self) -> str:
        """Return the SHA-256 of the scenario's canonical JSON form (hex)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _walk_uncertain(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, _Dist):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _walk_uncertain(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, list | tuple):
        for i, item in enumerate(node):
            yield from _walk_uncertain(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _walk_uncertain(item, f"{path}.{key}")
