"""The JSON Schema of the scenario file format, for editors' TOML support.

The package ships it as ``mss_sim/data/scenario.schema.json`` (``mss-sim schema``
prints it). It is generated from the scenario's pydantic models, in JSON Schema
draft-07 (the most widely supported by TOML editors): ``definitions`` instead of
``$defs``, fixed-length lists as ``items`` arrays. A file that ``extends`` another
may leave out what its base gives, so only a file without ``extends`` must have
every required table; inside a table, keys are required only in list items (an
``extends`` merges tables key by key but replaces lists whole) and in uncertain
values (written whole, as one inline table).

Regenerate the shipped file after changing the models with
``python -m mss_sim.scenario.schema``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from mss_sim.scenario.spec import Scenario

__all__ = ["SCHEMA_ID", "json_schema", "shipped_schema_text"]

SCHEMA_ID = "https://mss-sim.invalid/scenario.schema.json"
"""The schema's ``$id``: a name, never fetched (``.invalid`` is reserved for that)."""

_RESOURCE = "data/scenario.schema.json"


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(x) for x in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            out[key] = value.replace("#/$defs/", "#/definitions/")
        elif key == "prefixItems":  # draft-07: a fixed-length list is an array of items
            out["items"] = _convert(value)
            out["additionalItems"] = False
        else:
            out[key] = _convert(value)
    return out


def _item_definitions(defs: dict[str, Any], top: dict[str, Any]) -> set[str]:
    """Definitions reached only inside list items (which are restated whole)."""

    def walk(node: Any, in_items: bool, found: dict[str, set[bool]]) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                found.setdefault(node["$ref"].rsplit("/", 1)[-1], set()).add(in_items)
            for key, value in node.items():
                walk(value, in_items or key in ("items", "prefixItems"), found)
        elif isinstance(node, list):
            for value in node:
                walk(value, in_items, found)

    found: dict[str, set[bool]] = {}
    walk(top, False, found)
    changed = True
    while changed:  # a definition used inside items passes that on to what it uses
        changed = False
        for name, places in list(found.items()):
            inner: dict[str, set[bool]] = {}
            walk(defs.get(name, {}), all(places), inner)
            for ref, flags in inner.items():
                merged = found.setdefault(ref, set())
                if not flags <= merged:
                    merged |= flags
                    changed = True
    return {name for name, places in found.items() if places == {True}}


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft-07) of a scenario file.

    Examples
    --------
    >>> schema = json_schema()
    >>> schema["$schema"], sorted(schema["properties"])[:3]
    ('http://json-schema.org/draft-07/schema#', ['council', 'deployment', 'extends'])
    """
    raw = Scenario.model_json_schema()
    defs = raw.pop("$defs", {})
    in_items = _item_definitions(defs, raw)
    for name, spec in defs.items():
        if name not in in_items and "dist" not in spec.get("properties", {}):
            spec.pop("required", None)
    rule = defs["Rule"]  # also given as a preset's name alone: rule = "charter"
    defs["Rule"] = {
        "anyOf": [rule["properties"]["name"], rule],
        "description": rule.get("description", ""),
    }
    required = raw.pop("required", [])
    top = _convert(raw)
    top["properties"] = {
        "extends": {
            "type": "string",
            "description": "A scenario file (relative to this one) or a bundled scenario's "
            "name whose tables this file starts from.",
        },
        "patch": {
            "type": "object",
            "description": "Values set by quoted key path after extends, "
            'e.g. "funding.donors[USA].pledge_usd" = 0.',
        },
        **top["properties"],
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "mss_sim scenario file",
        **{k: v for k, v in top.items() if k != "title"},
        "description": "A scenario of the Haiti security mission for mss_sim: the situation "
        "at the start, the Security Council, money, deployment and (optionally) security. "
        "`mss-sim validate FILE` checks a file fully.",
        "if": {"not": {"required": ["extends"]}},
        "then": {"required": required},
        "definitions": _convert(defs),
    }


def shipped_schema_text() -> str:
    """The schema shipped with the package, as JSON text."""
    return resources.files("mss_sim").joinpath(_RESOURCE).read_text("utf-8")


def _schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped file
    target = Path(__file__).resolve().parent.parent / _RESOURCE
    target.write_text(_schema_text(), encoding="utf-8")
    print(f"wrote {target}")
