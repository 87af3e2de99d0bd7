"""Security Council members by year and UN regional groups, shipped as package data.

The data file ``mss_sim/data/council.toml`` lists the five permanent members,
the ten elected members of each calendar year 2023-2026 and the UN regional
group of the countries the bundled scenarios name. A scenario uses these
compositions unless it lists a year itself (``council.elected.<year>``).

Examples
--------
>>> from mss_sim.scenario.members import package_compositions, regional_group
>>> package_compositions()[2025][:3]
('DZA', 'DNK', 'GRC')
>>> regional_group("GUY")
'latin_american_caribbean'
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any

__all__ = [
    "REGIONAL_GROUPS",
    "package_compositions",
    "package_permanent",
    "regional_group",
    "regional_members",
]

REGIONAL_GROUPS: tuple[str, ...] = (
    "african",
    "asia_pacific",
    "eastern_european",
    "latin_american_caribbean",
    "western_european_other",
)
"""The UN regional groups, by the names scenarios use for them."""


@functools.cache
def _data() -> dict[str, Any]:
    text = resources.files("mss_sim").joinpath("data", "council.toml").read_text("utf-8")
    return tomllib.loads(text)


def package_permanent() -> tuple[str, ...]:
    """Return the permanent members as the package data lists them."""
    return tuple(_data()["permanent"])


def package_compositions() -> dict[int, tuple[str, ...]]:
    """Return the elected members of each year the package data covers, by year."""
    return {int(year): tuple(members) for year, members in _data()["elected"].items()}


def regional_members(group: str) -> frozenset[str]:
    """Return the countries of a UN regional group (as far as the package data lists them).

    Raises
    ------
    KeyError
        If `group` is not one of :data:`REGIONAL_GROUPS`.
    """
    return frozenset(_data()["regional_groups"][group])


@functools.cache
def regional_group(code: str) -> str | None:
    """Return the UN regional group of the country `code`, or None if not listed."""
    for group in REGIONAL_GROUPS:
        if code in regional_members(group):
            return group
    return None
