"""Changing a scenario's values by key path: ``with_values``, ``[patch]`` and ``--set``.

A key path is written as parameter columns and error messages write it: tables by
key (``funding.costs.fixed_monthly_usd``, ``funding.assessed.payers.USA.lag_months``,
``council.elected.2027``), list items by their identifier (``id``, ``name`` or
``country``: ``deployment.contributors[KEN].pledged``, ``funding.donors[USA].pledge_usd``,
``council.drafts[gsf].ceiling``) or, for items without one, by position
(``council.effects[0].size``).

Examples
--------
>>> data = {"deployment": {"contributors": [{"country": "KEN", "pledged": 1000}]}}
>>> set_value(data, "deployment.contributors[KEN].pledged", 500)
>>> data["deployment"]["contributors"][0]["pledged"]
500
>>> parse_value("{ dist = 'uniform', low = 0, high = 1 }")
{'dist': 'uniform', 'low': 0, 'high': 1}
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from mss_sim.errors import ScenarioError
from mss_sim.scenario.resolve import ID_FIELDS

__all__ = [
    "KeyPathError",
    "apply_values",
    "get_value",
    "item_id",
    "name_items",
    "parse_assignment",
    "parse_value",
    "patch_values",
    "set_value",
]

_TOKEN = re.compile(r"\[(?P<item>[^\[\]]*)\]|(?P<dot>\.)?(?P<key>[^.\[\]]+)")
_BARE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class KeyPathError(ValueError):
    """A key path that does not lead to a place in the scenario's data."""


def _tokens(path: str) -> list[tuple[str, str]]:
    """Split `path` into ("key", name) and ("item", id-or-position) steps."""
    steps: list[tuple[str, str]] = []
    at = 0
    while at < len(path):
        match = _TOKEN.match(path, at)
        if match is None or (match["key"] is not None and bool(match["dot"]) != bool(steps)):
            raise KeyPathError(f"not a key path (at character {at + 1} of {path!r})")
        if match["item"] is not None:
            if not steps or not match["item"]:
                raise KeyPathError(f"not a key path: {path!r} has an empty or leading [...]")
            steps.append(("item", match["item"]))
        else:
            steps.append(("key", match["key"]))
        at = match.end()
    if not steps:
        raise KeyPathError("an empty key path")
    return steps


def item_id(item: Any) -> str | None:
    """The identifier of a list item in plain data (its ``id``, ``name`` or ``country``)."""
    if isinstance(item, Mapping):
        for name in ID_FIELDS:
            if isinstance(item.get(name), str):
                return str(item[name])
    return None


def _find_item(items: list[Any], wanted: str, where: str) -> int:
    if wanted.isdigit():
        index = int(wanted)
        if index >= len(items):
            raise KeyPathError(f"{where} has {len(items)} items, so no item [{index}]")
        return index
    for index, item in enumerate(items):
        if item_id(item) == wanted:
            return index
    named = [item_id(item) or str(i) for i, item in enumerate(items)]
    raise KeyPathError(f"{where} has no item {wanted!r} (items: {', '.join(named) or 'none'})")


def name_items(data: Any, path: str) -> str:
    """Return `path` with list positions replaced by the items' identifiers in `data`.

    Examples
    --------
    >>> name_items({"funding": {"donors": [{"name": "USA"}]}}, "funding.donors[0].pledge_usd")
    'funding.donors[USA].pledge_usd'
    """
    try:
        steps = _tokens(path)
    except KeyPathError:
        return path
    out = ""
    node = data
    for kind, name in steps:
        if kind == "key":
            out += f".{name}" if out else name
            node = node.get(name) if isinstance(node, Mapping) else None
        else:
            if name.isdigit() and isinstance(node, list) and int(name) < len(node):
                node = node[int(name)]
                name = item_id(node) or name
            else:
                node = None
            out += f"[{name}]"
    return out


def get_value(data: Any, path: str) -> Any:
    """Return the value at key path `path` inside plain scenario `data`.

    Raises
    ------
    KeyPathError
        If the path does not lead to a value.
    """
    node = data
    where = ""
    for kind, name in _tokens(path):
        if kind == "key":
            if not isinstance(node, dict) or name not in node:
                raise KeyPathError(f"{where or 'the scenario'} has no key {name!r}")
            node = node[name]
            where = f"{where}.{name}" if where else name
        else:
            if not isinstance(node, list):
                raise KeyPathError(f"{where} is not a list, so it has no item [{name}]")
            node = node[_find_item(node, name, where)]
            where = f"{where}[{name}]"
    return node


def set_value(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at key path `path` inside `data` (plain scenario data), in place.

    Missing tables on the way are created; list items must exist.

    Raises
    ------
    KeyPathError
        If `path` is malformed or leads through something that is not a table or a
        list, or to a list item that does not exist.
    """
    steps = _tokens(path)
    node: Any = data
    where = ""
    for i, (kind, name) in enumerate(steps):
        last = i == len(steps) - 1
        if kind == "key":
            if not isinstance(node, dict):
                raise KeyPathError(f"{where} is not a table, so it has no key {name!r}")
            if last:
                node[name] = value
                return
            if node.get(name) is None:
                if steps[i + 1][0] == "item":
                    raise KeyPathError(f"{(where + '.') if where else ''}{name} is not a list")
                node[name] = {}
            node = node[name]
            where = f"{where}.{name}" if where else name
        else:
            if not isinstance(node, list):
                raise KeyPathError(f"{where} is not a list, so it has no item [{name}]")
            index = _find_item(node, name, where)
            if last:
                node[index] = value
                return
            node = node[index]
            where = f"{where}[{name}]"


def apply_values(
    data: Mapping[str, Any], values: Mapping[str, Any], *, source: str | None = None
) -> dict[str, Any]:
    """Return a copy of plain scenario `data` with `values` set by key path.

    Raises
    ------
    ScenarioError
        Naming `source` and the key path that does not lead anywhere.
    """
    out = copy.deepcopy(dict(data))
    for path, value in values.items():
        if not isinstance(path, str):
            raise ScenarioError(f"a key path must be a string, got {path!r}", source=source)
        try:
            set_value(out, path, copy.deepcopy(value))
        except KeyPathError as exc:
            raise ScenarioError(str(exc), source=source, path=path) from None
    return out


def parse_value(text: str) -> Any:
    """Parse `text` as a TOML value; a bare word (``assessed``) is taken as a string.

    Raises
    ------
    ValueError
        If it is neither a TOML value nor a bare word.
    """
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        if _BARE.match(text.strip()):
            return text.strip()
        raise ValueError(
            f"{text!r} is not a TOML value (numbers as 500 or 1.5e6, strings in quotes, "
            "dates as 2025-10-01, uncertain values as { dist = 'uniform', low = 0, high = 1 })"
        ) from None


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``KEY=VALUE`` into the key path and the parsed value.

    Examples
    --------
    >>> parse_assignment("funding.donors[USA].pledge_usd=0")
    ('funding.donors[USA].pledge_usd', 0)
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"expected KEY=VALUE, got {text!r}")
    _tokens(key)
    return key, parse_value(value.strip())


def patch_values(patch: Any, *, source: str) -> dict[str, Any]:
    """Check a file's ``[patch]`` table: quoted key paths to values."""
    if not isinstance(patch, dict):
        raise ScenarioError("must be a table of key paths and values", source=source, path="patch")
    for key in patch:
        if "." not in key and "[" not in key:
            raise ScenarioError(
                "a [patch] key is a quoted key path such as "
                '"deployment.contributors[KEN].pledged" = 500',
                source=source,
                path=f"patch.{key}",
            )
    return patch
