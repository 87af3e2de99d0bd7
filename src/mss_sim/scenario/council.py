"""The ``[council]`` table: members, compositions, propensities and the whole Council.

Pure data: what the Security Council looks like and how it tends to vote. Its
parts live beside it: the voting rule in :mod:`mss_sim.scenario.rule`, what moves
propensities in :mod:`mss_sim.scenario.context`, the drafts and their negotiation
in :mod:`mss_sim.scenario.drafts`. The
rules that turn ballots into decisions live in :mod:`mss_sim.council`; the
processes that negotiate and vote live in :mod:`mss_sim.model.council`.

Propensities are looked up from the most specific entry to the least: the
member itself, the scenario's own groups (``council.groups``, in file order),
``permanent`` or ``elected``, the member's UN regional group, then
``default``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from mss_sim.scenario.context import (
    EFFECT_FACTORS,
    Context,
    Effect,
    Endorsement,
    HostRequest,
    Posture,
)
from mss_sim.scenario.distributions import Choice, FieldEquality, _Dist
from mss_sim.scenario.drafts import DRAFT_KINDS, Draft, Negotiation, Retabling, Softening
from mss_sim.scenario.fields import (
    _ISO3,
    ISO3,
    Identifier,
    Number,
    Propensity,
    _bounded,
    _check_iso3,
    _KeyedError,
    check_unique,
    describe_error,
    format_loc,
)
from mss_sim.scenario.members import (
    REGIONAL_GROUPS,
    package_compositions,
    regional_group,
)
from mss_sim.scenario.rule import RULE_PRESETS, Rule, rule_seats

__all__ = [
    "DRAFT_KINDS",
    "EFFECT_FACTORS",
    "PERMANENT_MEMBERS",
    "RULE_PRESETS",
    "Context",
    "Council",
    "Draft",
    "Effect",
    "ElectedChoice",
    "Endorsement",
    "HostRequest",
    "Negotiation",
    "Posture",
    "Retabling",
    "Rule",
    "Softening",
]

PERMANENT_MEMBERS: tuple[str, ...] = ("CHN", "FRA", "GBR", "RUS", "USA")
"""The five permanent members (Charter Article 23), as the package data lists them."""

_STATUS_GROUPS = ("permanent", "elected")
_RESERVED = frozenset({"default", "all", *_STATUS_GROUPS, *REGIONAL_GROUPS})


class ElectedChoice(_Dist):
    """The elected members of a year that is not yet known: one of several lists.

    In a scenario file: ``2027 = { choice = [[...ten codes...], [...]], p = [0.6, 0.4] }``.
    Drawn once per replication like any uncertain value; the draw is the index of
    the chosen list.
    """

    choice: list[list[ISO3]] = Field(min_length=1)
    p: list[float] | None = None
    _index: Choice | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check(self) -> ElectedChoice:
        self._index_choice()  # validates p against the number of lists
        return self

    def _index_choice(self) -> Choice:
        if self._index is None:
            try:
                self._index = Choice(
                    dist="choice", values=[float(i) for i in range(len(self.choice))], p=self.p
                )
            except ValidationError as exc:
                message = str(exc.errors()[0].get("ctx", {}).get("error", exc))
                raise ValueError(message.replace("per value", "per list")) from None
        return self._index

    @property
    def options(self) -> tuple[tuple[str, ...], ...]:
        """The possible lists of elected members."""
        return tuple(tuple(option) for option in self.choice)

    def _make_rv(self) -> Any:
        return self._index_choice().distribution()

    def ppf(self, u: float) -> float:
        """Return the index of the list at probability `u`."""
        return self._index_choice().ppf(u)

    def support(self) -> tuple[float, float]:
        """Return the smallest and largest index."""
        return 0.0, float(len(self.choice) - 1)


def _parse_elected(value: Any) -> Any:
    if isinstance(value, ElectedChoice):
        return value
    if isinstance(value, Mapping):
        try:
            return ElectedChoice.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = format_loc(tuple(first["loc"]))
            detail = describe_error(first)
            raise ValueError(f"{key}: {detail}" if key else detail) from None
    if isinstance(value, list | tuple):
        return tuple(_check_iso3(code) for code in value)
    raise ValueError(
        "expected a list of members or an uncertain choice such as "
        "{ choice = [[...], [...]], p = [0.5, 0.5] }"
    )


Elected = Annotated[tuple[str, ...] | ElectedChoice, BeforeValidator(_parse_elected)]


class Council(FieldEquality):
    """The ``[council]`` table.

    `elected` maps a year to its ten elected members (or to an uncertain
    :class:`ElectedChoice`); years it leaves out use the compositions shipped
    with the package (2023-2026). `groups` defines named groups of members for
    propensities and effects. `propensities` maps a member, a group or
    ``default`` to a table of draft kind -> ``[p_yes, p_abstain, p_no]``.
    `correlation` in [0, 1) is the strength of the shared climate of each vote.
    """

    permanent: list[ISO3] = Field(default_factory=lambda: list(PERMANENT_MEMBERS))
    elected: dict[str, Elected] = Field(default_factory=dict)
    groups: dict[Identifier, list[ISO3]] = Field(default_factory=dict)
    propensities: dict[str, dict[Identifier, Propensity]] = Field(default_factory=dict)
    rule: Rule = Field(default_factory=Rule)
    correlation: Annotated[Number, AfterValidator(_bounded(ge=0.0, lt=1.0))] = 0.0
    context: Context = Field(default_factory=Context)
    effects: list[Effect] = Field(default_factory=list)
    negotiation: Negotiation = Field(default_factory=Negotiation)
    retabling: Retabling = Field(default_factory=Retabling)
    drafts: list[Draft] = Field(default_factory=list)
    _lookup: dict[tuple[str, str], tuple[float, float, float] | None] = PrivateAttr(
        default_factory=dict
    )

    @field_validator("permanent")
    @classmethod
    def _five_permanent(cls, value: list[str]) -> list[str]:
        if len(value) != 5 or len(set(value)) != 5:
            raise ValueError(f"must list five different members, got {value}")
        return value

    @model_validator(mode="after")
    def _check(self) -> Council:
        seats = rule_seats(self.rule)
        elected_seats = seats - len(self.permanent)
        if elected_seats < 0:
            raise _KeyedError("rule", f"{seats} seats cannot hold {len(self.permanent)} members")
        self._check_rule("rule", self.rule)
        for year, value in self.elected.items():
            path = f"elected.{year}"
            if not re.fullmatch(r"\d{4}", year):
                raise _KeyedError(path, "a year such as 2025 is expected as the key")
            options = value.options if isinstance(value, ElectedChoice) else (value,)
            for j, members in enumerate(options):
                where = f"{path}.choice[{j}]" if isinstance(value, ElectedChoice) else path
                self._check_elected(where, members, elected_seats)
        for name in self.groups:
            if name in _RESERVED:
                raise _KeyedError(f"groups.{name}", f"{name!r} is a built-in group name")
        for key in self.propensities:
            if not self._is_selector(key) or key == "all":
                raise _KeyedError(
                    f"propensities.{key}",
                    "must be 'default', an ISO 3166-1 alpha-3 code or a group "
                    f"({', '.join(self._group_names())})",
                )
        for i, effect in enumerate(self.effects):
            for j, selector in enumerate(effect.members):
                if not self._is_selector(selector) or selector == "default":
                    raise _KeyedError(
                        f"effects[{i}].members[{j}]",
                        f"must be 'all', an ISO 3166-1 alpha-3 code or a group "
                        f"({', '.join(self._group_names())}), got {selector!r}",
                    )
        ids = [repr(d.id) for d in self.drafts]
        check_unique(ids, lambda i: f"drafts[{i}].id", "draft id ")
        for i, draft in enumerate(self.drafts):
            if draft.rule is not None:
                self._check_rule(f"drafts[{i}].rule", draft.rule)
                if rule_seats(draft.rule) != seats:
                    raise _KeyedError(
                        f"drafts[{i}].rule",
                        f"has {rule_seats(draft.rule)} seats but the Council's rule has {seats}",
                    )
        return self

    def _check_package_year(self, year: int, members: tuple[str, ...], seats: int) -> None:
        if len(members) != seats:
            raise _KeyedError(
                f"council.elected.{year}",
                f"the rule has {seats} elected seats but the package's {year} "
                f"composition lists {len(members)}: list {seats} members for {year}",
            )
        both = sorted(set(members) & set(self.permanent))
        if both:
            raise _KeyedError(
                "council.permanent",
                f"{both} sit on the Council in {year} as elected members (the package's "
                f"composition): change the permanent members or list council.elected.{year}",
            )

    def _longest_negotiation_days(self) -> dt.timedelta:
        """The longest time a negotiation can open before its vote (a day's margin)."""
        days = self.negotiation.round_days
        longest = days if isinstance(days, float) else days.support()[1]
        total = self.negotiation.rounds * longest
        return dt.timedelta(days=math.ceil(total) + 1 if math.isfinite(total) else 10**6)

    def _check_rule(self, path: str, rule: Rule) -> None:
        params = rule.parameters()
        if params["veto"] and int(params["vetoes_needed"]) > len(self.permanent):
            raise _KeyedError(
                f"{path}.vetoes_needed", f"must be <= {len(self.permanent)} permanent members"
            )

    def _check_elected(self, path: str, members: tuple[str, ...], seats: int) -> None:
        if len(members) != seats or len(set(members)) != seats:
            raise _KeyedError(path, f"must list {seats} different members, got {len(set(members))}")
        both = sorted(set(members) & set(self.permanent))
        if both:
            raise _KeyedError(path, f"{both} are permanent members")

    def _group_names(self) -> list[str]:
        return ["all", *_STATUS_GROUPS, *REGIONAL_GROUPS, *self.groups]

    def _is_selector(self, key: str) -> bool:
        return key == "default" or bool(_ISO3.match(key)) or key in self._group_names()

    # ------------------------------------------------------------------ composition

    def elected_options(self, year: int) -> tuple[tuple[str, ...], ...] | None:
        """Return the possible lists of elected members in `year` (None if unknown)."""
        value = self.elected.get(str(year))
        if value is None:
            listed = package_compositions().get(year)
            return None if listed is None else (listed,)
        return value.options if isinstance(value, ElectedChoice) else (value,)

    def members(self, year: int, option: int = 0) -> tuple[str, ...]:
        """Return the members in `year`: the permanent members, then the elected ones.

        Parameters
        ----------
        year : int
            A calendar year with a known composition.
        option : int
            Which list of an uncertain year's :class:`ElectedChoice` (default: the first).

        Raises
        ------
        KeyError
            If no composition is known for `year`.
        """
        options = self.elected_options(year)
        if options is None:
            raise KeyError(f"no Council composition for {year}")
        return (*self.permanent, *options[option])

    def possible_members(self, years: Iterable[int]) -> tuple[str, ...]:
        """Return everyone who can sit on the Council in `years`: permanent members first."""
        out = list(self.permanent)
        for year in years:
            for option in self.elected_options(year) or ():
                out.extend(m for m in option if m not in out)
        return tuple(out)

    def vote_years(self, draft: Draft, last_year: int) -> range:
        """Return the years in which `draft` can be voted on (re-tabled up to `last_year`)."""
        first = draft.date.year
        return range(first, (last_year if draft.retablable else first) + 1)

    def rule_for(self, draft: Draft) -> Rule:
        """Return the voting rule of `draft`: its own, or the Council's."""
        return draft.rule or self.rule

    # ------------------------------------------------------------------ propensities

    def groups_of(self, member: str) -> tuple[str, ...]:
        """Return the groups `member` belongs to, from the most specific to ``default``."""
        own = [name for name, members in self.groups.items() if member in members]
        status = "permanent" if member in self.permanent else "elected"
        region = regional_group(member)
        return (*own, status, *([region] if region else []), "default")

    def propensity(self, member: str, kind: str) -> tuple[float, float, float] | None:
        """Return ``(p_yes, p_abstain, p_no)`` of `member` on drafts of `kind`, or None.

        Examples
        --------
        >>> import mss_sim
        >>> council = mss_sim.load_scenario("scenarios/gsf_2025.toml").council
        >>> council.propensity("CHN", "force_authorisation")
        (0.05, 0.93, 0.02)
        """
        key = (member, kind)
        if key not in self._lookup:
            found = None
            for name in (member, *self.groups_of(member)):
                table = self.propensities.get(name)
                if table is not None and kind in table:
                    found = table[kind]
                    break
            self._lookup[key] = found
        return self._lookup[key]

    def check_drafts(self, start: dt.date, end: dt.date) -> None:
        """Check every draft against the horizon ``[start, end)``: dates, members, propensities.

        Raises
        ------
        _KeyedError
            Naming the draft's key path (under ``council``).
        """
        last_year = (end - dt.timedelta(days=1)).year
        rollover = self.retabling.rollover_months > 0
        lead = self._longest_negotiation_days()
        seats = rule_seats(self.rule) - len(self.permanent)
        for i, draft in enumerate(self.drafts):
            path = f"council.drafts[{i}]"
            if not start <= draft.date < end:
                raise _KeyedError(
                    f"{path}.date", f"{draft.date} is outside the horizon [{start}, {end})"
                )
            kinds = draft.kinds()
            if rollover and draft.retablable and "renewal" not in kinds:
                kinds = (*kinds, "renewal")
            opening = start if lead > draft.date - start else draft.date - lead
            voting = self.vote_years(draft, last_year)
            for year in range(min(opening.year, voting.start), voting.stop):
                options = self.elected_options(year)
                if options is None:
                    verb = "negotiated" if year < draft.date.year else "voted on"
                    when = f"{verb} in {year}"
                    if year > draft.date.year:
                        when += " (it can be re-tabled until then)"
                    raise _KeyedError(
                        f"{path}.date",
                        f"the draft can be {when}, but no Council "
                        f"composition is known for {year}: add council.elected.{year} "
                        f"({seats} members, or {{ choice = [[...], [...]], p = [...] }})",
                    )
                for members in options:
                    if str(year) not in self.elected:
                        self._check_package_year(year, members, seats)
                    for member in (*self.permanent, *members):
                        for kind in kinds:
                            if self.propensity(member, kind) is None:
                                raise _KeyedError(
                                    f"{path}.kind",
                                    f"no propensity for {member} on {kind!r} drafts "
                                    f"(add council.propensities.default.{kind})",
                                )
