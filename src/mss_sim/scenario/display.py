"""Short text and HTML views of a scenario, for reprs, notebooks and reports."""

from __future__ import annotations

import html
from typing import Any

from mss_sim.scenario.distributions import _Dist

Scenario = Any  # a mss_sim.Scenario (spec.py imports this module)

__all__ = ["dist_text", "scenario_html", "scenario_repr", "uncertain_rows"]


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() and abs(v) >= 1000 else f"{v:.6g}"
    if isinstance(v, list):
        if len(v) > 4:
            return "[" + ", ".join(_value(x) for x in v[:3]) + f", ... ({len(v)} values)]"
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return str(v)


def dist_text(dist: _Dist) -> str:
    """An uncertain value in a few words: ``uniform(low=0, high=0.4)``.

    Examples
    --------
    >>> from mss_sim.scenario.distributions import parse_uncertain
    >>> dist_text(parse_uncertain({"dist": "triangular", "low": 2, "mode": 4, "high": 9}))
    'triangular(low=2, mode=4, high=9)'
    """
    fields = dist.model_dump(exclude_none=True)
    name = fields.pop("dist", None)
    if name is None and "choice" in fields:  # elected members of a future year
        lists, p = fields["choice"], fields.get("p")
        weights = f" (p={', '.join(_value(x) for x in p)})" if p else ""
        return f"one of {len(lists)} lists of members{weights}"
    args = ", ".join(f"{k}={_value(v)}" for k, v in fields.items())
    return f"{name}({args})"


def uncertain_rows(scenario: Scenario) -> list[tuple[str, str]]:
    """Each uncertain value of `scenario` as (key path, distribution in words)."""
    return [(path, dist_text(d)) for path, d in scenario.uncertain_parameters().items()]


def scenario_repr(scenario: Scenario) -> str:
    """A one-line description of `scenario`, a few hundred characters at most."""
    info = scenario.scenario
    parts = [
        f"{info.name!r}",
        f"{info.start} + {info.horizon_months} months",
        f"{len(scenario.council.drafts)} drafts",
        f"{len(scenario.funding.donors)} donors",
        f"{len(scenario.deployment.contributors)} contributors",
        f"{len(scenario.uncertain_parameters())} uncertain parameters",
    ]
    if scenario.policies:
        parts.append(f"{len(scenario.policies)} policies")
    return f"Scenario({', '.join(parts)})"


def scenario_html(scenario: Scenario) -> str:
    """`scenario` as HTML: name, description, horizon, sizes and its uncertain values."""
    esc = html.escape
    info = scenario.scenario
    rows = "".join(
        f"<tr><td><code>{esc(path)}</code></td><td>{esc(text)}</td></tr>"
        for path, text in uncertain_rows(scenario)
    )
    table = (
        "<details><summary>Uncertain parameters</summary><table>"
        f"<thead><tr><th>key path</th><th>distribution</th></tr></thead><tbody>{rows}"
        "</tbody></table></details>"
        if rows
        else ""
    )
    return (
        f"<div><strong>{esc(info.name)}</strong>: {esc(info.description)}<br>"
        f"{info.start} to {info.end}, {info.horizon_months} months; "
        f"{len(scenario.council.drafts)} drafts, {len(scenario.funding.donors)} donors, "
        f"{len(scenario.deployment.contributors)} contributors, "
        f"{len(scenario.uncertain_parameters())} uncertain parameters{table}</div>"
    )
