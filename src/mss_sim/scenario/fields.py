"""Building blocks of the scenario specification: field types, numbers, errors.

Numbers in a scenario are plain numbers or uncertain values (drawn once per
replication); codes are ISO 3166-1 alpha-3; identifiers are lower-case names.
Cross-field problems found by a model validator are raised as
:class:`_KeyedError`, which carries its own key path for the error message.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
)

from mss_sim.scenario.distributions import (
    DIST_NAMES,
    Beta,
    Choice,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
    _Dist,
    parse_uncertain,
    without_caches,
)

__all__ = [
    "ISO3",
    "Identifier",
    "NonNegative",
    "Number",
    "Positive",
    "Probability",
    "Propensity",
    "add_months",
    "describe_error",
    "format_loc",
]

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


def check_unique(values: list[str], key: Callable[[int], str], what: str) -> None:
    """Raise a :class:`_KeyedError` at ``key(i)`` for the first repeated value ``i``.

    The message is ``"duplicate <what><value>"``, e.g. ``duplicate donor 'CAN'``.
    """
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise _KeyedError(key(i), f"duplicate {what}{value}")
        seen.add(value)


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
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
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
        if lt is not None and hi >= lt:
            return _fail(where, f"< {lt:g}", hi, value)
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
    if not isinstance(code, str) or not _ISO3.match(code):
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


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def __getstate__(self) -> dict[Any, Any]:
        return without_caches(self, super().__getstate__())


def _check_propensity(value: tuple[float, float, float]) -> tuple[float, float, float]:
    if any(not (0.0 <= p <= 1.0) for p in value):
        raise ValueError(f"each of (yes, abstain, no) must be in [0, 1], got {list(value)}")
    if abs(sum(value) - 1.0) > 1e-9:
        raise ValueError(f"(yes, abstain, no) must sum to 1, got {sum(value):.12g}")
    return value


Propensity = Annotated[tuple[float, float, float], AfterValidator(_check_propensity)]
"""A member's ``(p_yes, p_abstain, p_no)`` on a kind of draft."""
