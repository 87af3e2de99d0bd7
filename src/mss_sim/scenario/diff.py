"""What one scenario changes from another, as key paths and values.

A batch keeps the scenario it ran; comparing it with the bundled scenario of the
same name says which values a ``--set`` or an edited file changed, and gives the
``--set`` arguments that turn the one into the other.

Examples
--------
>>> import mss_sim
>>> base = mss_sim.load_scenario("gsf_2025")
>>> changed = base.with_values({"funding.donors[USA].pledge_usd": 0})
>>> [(d.path, d.new) for d in differences(base, changed)]
[('funding.donors[USA].pledge_usd', 0.0)]
>>> differences(base, changed)[0].as_set()
'funding.donors[USA].pledge_usd=0.0'
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mss_sim.scenario.overrides import item_id
from mss_sim.scenario.spec import Scenario

__all__ = ["Difference", "differences", "toml_value"]

_MISSING = object()
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Difference:
    """One value that differs: its key path, and the value in each scenario.

    `old` or `new` is None where the key is absent from that scenario.
    """

    path: str
    old: Any
    new: Any

    def as_set(self) -> str | None:
        """The ``--set KEY=VALUE`` argument that gives `new`, or None if it cannot."""
        value = toml_value(self.new)
        return None if value is None else f"{self.path}={value}"


def toml_value(value: Any) -> str | None:
    """`value` as an inline TOML value, or None if TOML cannot write it (None).

    Examples
    --------
    >>> toml_value({"dist": "uniform", "low": 0.0, "high": 1.0})
    '{ dist = "uniform", low = 0.0, high = 1.0 }'
    >>> toml_value([1, "a", True])
    '[1, "a", true]'
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        items = [toml_value(v) for v in value]
        return None if None in items else "[" + ", ".join(str(i) for i in items) + "]"
    if isinstance(value, Mapping):
        parts = []
        for key, item in value.items():
            text = toml_value(item)
            if text is None:
                return None
            name = key if _BARE_KEY.match(str(key)) else json.dumps(str(key))
            parts.append(f"{name} = {text}")
        return "{ " + ", ".join(parts) + " }" if parts else "{}"
    return toml_value(str(value)) if hasattr(value, "isoformat") else None


def differences(base: Scenario, other: Scenario) -> list[Difference]:
    """The values `other` changes from `base`, by key path, in file order.

    Lists of named items (donors, contributors, drafts) are compared item by item;
    an uncertain value is one value. The scenarios' names and descriptions count.
    """
    out: list[Difference] = []
    _walk(base.to_dict(), other.to_dict(), "", out)
    return out


def _walk(a: Any, b: Any, path: str, out: list[Difference]) -> None:
    if isinstance(a, Mapping) and isinstance(b, Mapping) and not _leaf(a) and not _leaf(b):
        for key in list(a) + [k for k in b if k not in a]:
            where = f"{path}.{key}" if path else str(key)
            _walk(a.get(key, _MISSING), b.get(key, _MISSING), where, out)
        return
    if isinstance(a, list) and isinstance(b, list):
        ids_a, ids_b = [item_id(x) for x in a], [item_id(x) for x in b]
        named = None not in ids_a and ids_a == ids_b
        if named or len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                _walk(x, y, f"{path}[{ids_a[i] if named else i}]", out)
            return
    if a is _MISSING or b is _MISSING or a != b:
        out.append(Difference(path, None if a is _MISSING else a, None if b is _MISSING else b))


def _leaf(d: Mapping[str, Any]) -> bool:
    """An uncertain value (``{"dist": ...}``) is one value, not a table."""
    return "dist" in d or "choice" in d
