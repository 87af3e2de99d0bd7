"""Resolving a scenario: each uncertain value drawn from its own stream and put in its place.

The expected key paths and values come from this file's own walk of the pydantic
field annotations and its own parser of key paths, never from
:mod:`mss_sim.scenario.resolve` itself.
"""

from __future__ import annotations

import copy
import functools
import re
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import numpy as np
import pytest
from pydantic import BaseModel

import mss_sim
from conftest import SCENARIOS
from mss_sim.random import as_seed_sequence, replication_seed, stream_uniform
from mss_sim.scenario.council import ElectedChoice
from mss_sim.scenario.distributions import _Dist, parse_uncertain
from mss_sim.scenario.resolve import fixed, parameter_table, resolve
from mss_sim.scenario.spec import Scenario, scenario_from_dict

BUNDLED = sorted(SCENARIOS.glob("*.toml"))
SEEDS = [0, 7, 2**70 + 1, replication_seed(3, 11)]
ID_FIELDS = ("id", "name", "country")
LEAF = object()


# --------------------------------------------------------------------------- helpers


@dataclass(eq=False)
class Leaf:
    """A value that accepts an uncertain value: where it sits, and what it was made."""

    loc: tuple[str | int, ...]  # attribute names, list positions, dict keys
    path: str  # list items named by identifier where they have one
    pos_path: str  # every list item named by position (as in ScenarioError)
    value: Any  # the value found in the scenario
    values: tuple[float, float] = (0.0, 0.0)  # the choice made for it (numeric leaves)
    options: tuple[tuple[str, ...], ...] = ()  # the lists of an ElectedChoice

    @property
    def elected(self) -> bool:
        return isinstance(self.value, ElectedChoice)


def _mentions_dist(ann: Any) -> bool:
    """Whether an annotation names a distribution class anywhere in it."""
    if isinstance(ann, type) and issubclass(ann, _Dist):
        return True
    return any(_mentions_dist(a) for a in get_args(ann))


def _container_ann(ann: Any, kind: type) -> Any:
    """The member of `ann` (through Annotated and unions) whose origin is `kind`."""
    if get_origin(ann) is Annotated:
        return _container_ann(get_args(ann)[0], kind)
    if get_origin(ann) in (Union, types.UnionType):
        for member in get_args(ann):
            found = _container_ann(member, kind)
            if found is not None:
                return found
        return None
    return ann if get_origin(ann) is kind else None


def _identifier(item: Any) -> str | None:
    if isinstance(item, BaseModel):
        for name in ID_FIELDS:
            if name in type(item).model_fields and isinstance(getattr(item, name), str):
                return str(getattr(item, name))
    return None


def _leaves(node: Any, ann: Any, loc: tuple[Any, ...], path: str, pos: str) -> list[Leaf]:
    """Every value of `node` whose field accepts an uncertain value, in file order."""
    if isinstance(node, _Dist):
        return [Leaf(loc, path, pos, node)]
    if node is None:  # an optional number left out: a leaf too, if it can be given
        return [Leaf(loc, path, pos, None)] if _mentions_dist(ann) else []
    if isinstance(node, bool | str):
        return []
    if isinstance(node, int | float):
        return [Leaf(loc, path, pos, float(node))] if _mentions_dist(ann) else []
    out: list[Leaf] = []
    if isinstance(node, BaseModel):
        for name, field in type(node).model_fields.items():
            sub, sub_pos = (f"{path}.{name}", f"{pos}.{name}") if path else (name, name)
            out += _leaves(getattr(node, name), field.annotation, (*loc, name), sub, sub_pos)
    elif isinstance(node, list | tuple):
        seq = _container_ann(ann, type(node))
        args = get_args(seq) if seq is not None else ()
        for i, item in enumerate(node):
            if len(args) == 1 or (len(args) == 2 and args[1] is Ellipsis):
                item_ann = args[0]
            else:
                item_ann = args[i] if i < len(args) else Any
            label = _identifier(item) or str(i)
            out += _leaves(item, item_ann, (*loc, i), f"{path}[{label}]", f"{pos}[{i}]")
    elif isinstance(node, dict):
        table = _container_ann(ann, dict)
        value_ann = get_args(table)[1] if table is not None else Any
        for key, item in node.items():
            out += _leaves(item, value_ann, (*loc, key), f"{path}.{key}", f"{pos}.{key}")
    return out


_TOKEN = re.compile(r"\.([^.\[\]]+)|\[([^.\[\]]+)\]")


def find(root: Any, path: str) -> Any:
    """The value at key `path` in a scenario, by this file's own reading of key paths.

    ``.name`` is a model's field or a dict's key; ``[X]`` in a list whose items have
    an identifier (id, name or country, first found) is the one item named X, and
    in any other list the item at position X.
    """
    text = "." + path
    node, at = root, 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        assert match is not None, f"cannot parse {path!r} at {text[at:]!r}"
        at = match.end()
        name, label = match.groups()
        if name is not None:
            if isinstance(node, dict):
                node = node[name]
            else:
                assert isinstance(node, BaseModel) and name in type(node).model_fields, path
                node = getattr(node, name)
        else:
            assert isinstance(node, list | tuple), path
            ids = [_identifier(item) for item in node]
            if any(ident is not None for ident in ids):
                hits = [item for item, ident in zip(node, ids, strict=True) if ident == label]
                assert len(hits) == 1, f"{path}: {label!r} names {len(hits)} items"
                node = hits[0]
            else:
                assert label.isdigit(), f"{path}: {label!r} in a list without identifiers"
                node = node[int(label)]
    return node


def _set(data: Any, loc: tuple[Any, ...], value: Any) -> None:
    for key in loc[:-1]:
        data = data.setdefault(key, {}) if isinstance(data, dict) else data[key]
    data[loc[-1]] = value


def _drop(data: Any, loc: tuple[Any, ...]) -> None:
    for key in loc[:-1]:
        data = data[key]
    data.pop(loc[-1], None)


def _get(data: Any, loc: tuple[Any, ...]) -> Any:
    for key in loc:
        data = data[key]
    return data


def _base(value: Any) -> float:
    """A value of a leaf to perturb: the number, a middle value of its distribution, or 1."""
    if value is None:
        return 1.0
    return float(value) if isinstance(value, float) else float(value.ppf(0.5))


def _choice(x: float, i: int, sign: int) -> tuple[float, float]:
    """Two values next to `x`, on the side `sign`, distinct for each leaf `i`."""
    h = 1e-7 * max(1.0, abs(x))
    return x + sign * h * (2 * i + 1), x + sign * h * (2 * i + 2)


@functools.cache
def all_uncertain(file: Path) -> tuple[Scenario, tuple[Leaf, ...]]:
    """The bundled scenario `file` with every value that can be uncertain made uncertain.

    Each number (and each distribution) becomes a choice of two values of its own,
    within the field's bounds; an optional number left out is given one where the
    scenario allows it (a cap's share, not a freeze's); an ElectedChoice stays as it is.
    """
    scenario = mss_sim.load_scenario(file)
    data = scenario.model_dump(mode="python", exclude_unset=True)
    assert scenario_from_dict(copy.deepcopy(data)) == scenario  # the dump round-trips
    absent: set[int] = set()
    leaves = _leaves(scenario, Scenario, (), "", "")
    numeric = [leaf for leaf in leaves if not leaf.elected]
    signs = dict.fromkeys(range(len(numeric)), 1)
    for _ in range(2 * len(numeric) + 1):
        for i, leaf in enumerate(numeric):
            if signs[i]:
                leaf.values = _choice(_base(leaf.value), i, signs[i])
                _set(data, leaf.loc, {"dist": "choice", "values": list(leaf.values)})
            elif i in absent:
                _drop(data, leaf.loc)
            else:
                _set(data, leaf.loc, None)
        try:
            uncertain = scenario_from_dict(copy.deepcopy(data), source=file.name)
            break
        except mss_sim.ScenarioError as exc:
            error = exc
        hit = [i for i, leaf in enumerate(numeric) if leaf.pos_path == error.path]
        if len(hit) != 1 or not signs[hit[0]]:  # pragma: no cover
            pytest.fail(f"cannot place a choice: {error}")
        i = hit[0]
        if "takes no" in str(error):
            signs[i] = 0  # a key this kind of item does not take: leave it out
            absent.add(i)
        elif signs[i] == 1:
            signs[i] = -1  # out of bounds: perturb towards the other side
        elif numeric[i].value is None:
            signs[i] = 0  # the scenario does not allow this optional one: leave it out
        else:  # pragma: no cover
            pytest.fail(f"cannot place a choice: {error}")
    else:  # pragma: no cover
        pytest.fail("too many retries")
    dropped = {id(leaf) for i, leaf in enumerate(numeric) if not signs[i]}
    leaves = [leaf for leaf in leaves if id(leaf) not in dropped]
    numeric = [leaf for leaf in leaves if not leaf.elected]
    for leaf in leaves:
        if leaf.elected:
            leaf.options = tuple(tuple(option) for option in leaf.value.choice)
    values = [v for leaf in numeric for v in leaf.values]
    assert len(set(values)) == len(values), "every leaf's values must be its own"
    return uncertain, tuple(leaves)


# --------------------------------------------------------------------------- a


@pytest.mark.parametrize("file", BUNDLED, ids=lambda p: p.stem)
def test_every_draw_lands_at_its_own_key_path(file):
    uncertain, leaves = all_uncertain(file)
    by_path = {leaf.path: leaf for leaf in leaves}
    assert len(by_path) == len(leaves), "two leaves share a key path"
    elected = [v for v in uncertain.council.elected.values() if isinstance(v, ElectedChoice)]
    assert sum(leaf.elected for leaf in leaves) == len(elected)
    before = uncertain.model_dump(mode="python")
    # Every leaf found is now uncertain, and nothing else is.
    assert set(uncertain.uncertain_parameters()) == set(by_path)
    seen: dict[str, set[Any]] = {path: set() for path in by_path}

    for seed in SEEDS:
        resolved = resolve(uncertain, seed)
        assert type(resolved.scenario) is Scenario
        assert set(resolved.draws) == set(by_path)
        ss = as_seed_sequence(seed)
        for path, draw in resolved.draws.items():
            leaf = by_path[path]
            found = find(resolved.scenario, path)
            assert _get(resolved.scenario.model_dump(mode="python"), leaf.loc) == found
            u = stream_uniform(ss, "param/" + path)
            if leaf.elected:
                p = np.full(len(leaf.options), 1 / len(leaf.options))
                p = p if leaf.value.p is None else np.asarray(leaf.value.p)
                index = int(np.argmax(u <= np.cumsum(p)))
                assert draw == index
                assert found == leaf.options[index]
                assert type(found) is tuple
            else:
                assert type(found) is float, path
                assert found == draw, path
                assert draw in leaf.values, f"{path} holds {draw}, not one of {leaf.values}"
                # Equal weights on two values: the lower below one half, else the higher.
                assert draw == sorted(leaf.values)[u > 0.5], path
            seen[path].add(draw)
        assert resolved.scenario.uncertain_parameters() == {}

        # Everything that was not uncertain is untouched.
        after = resolved.scenario.model_dump(mode="python")
        expected = copy.deepcopy(before)
        for leaf in leaves:
            _set(after, leaf.loc, LEAF)
            _set(expected, leaf.loc, LEAF)
        assert after == expected

    # The input is not changed, and the draws vary with the seed.
    assert uncertain.model_dump(mode="python") == before
    numeric = [p for p, leaf in by_path.items() if not leaf.elected]
    assert sum(len(seen[p]) == 2 for p in numeric) > len(numeric) / 2


@pytest.mark.parametrize("file", BUNDLED, ids=lambda p: p.stem)
def test_positional_table_names_every_list_item_by_position(file):
    uncertain, leaves = all_uncertain(file)
    table = parameter_table(uncertain, by_id=False)
    assert list(table.paths) == [leaf.pos_path for leaf in leaves]
    assert list(parameter_table(uncertain).paths) == [leaf.path for leaf in leaves]


def test_bundled_paths_name_items_by_identifier(gsf):
    paths = set(gsf.uncertain_parameters())
    assert {
        "deployment.contributors[KEN].pledged",
        "deployment.contributors[BEN].readiness_months",
        "funding.donors[USA].pledge_usd",
        "funding.assessed.payers.USA.lag_months",
        "funding.assessed.payers.default.lag_months",
        "council.elected.2027",
        "council.effects[1].size",
    } <= paths
    assert not any("contributors[0]" in p or "donors[0]" in p for p in paths)


# --------------------------------------------------------------------------- b


@pytest.mark.parametrize("file", BUNDLED, ids=lambda p: p.stem)
@pytest.mark.parametrize("uncertain", [False, True], ids=["as_bundled", "all_uncertain"])
def test_reordering_identified_items_changes_no_draw(file, uncertain):
    scenario = all_uncertain(file)[0] if uncertain else mss_sim.load_scenario(file)
    data = scenario.model_dump(mode="python", exclude_unset=True)
    data["deployment"]["contributors"].reverse()
    data["funding"]["donors"].reverse()
    reordered = scenario_from_dict(data)
    countries = [c.country for c in scenario.deployment.contributors]
    assert [c.country for c in reordered.deployment.contributors] == countries[::-1]
    assert len(countries) > 1 and len(scenario.funding.donors) > 1
    assert any("contributors[" in p for p in scenario.uncertain_parameters())
    for seed in SEEDS:
        a, b = resolve(scenario, seed), resolve(reordered, seed)
        assert a.draws == b.draws
        assert {c.country: c for c in a.scenario.deployment.contributors} == {
            c.country: c for c in b.scenario.deployment.contributors
        }
        assert {d.name: d for d in a.scenario.funding.donors} == {
            d.name: d for d in b.scenario.funding.donors
        }


# --------------------------------------------------------------------------- c

STREAM_CASES = [
    ("gsf_2025", "deployment.contributors[KEN].pledged"),
    ("gsf_2025", "deployment.contributors[BEN].pledged"),
    ("gsf_2025", "funding.donors[USA].disbursement_lag_months"),
    ("gsf_2025", "funding.assessed.payers.USA.lag_months"),
    ("gsf_2025", "council.negotiation.round_days"),
    ("gsf_2025", "council.effects[1].size"),
    ("gsf_2025", "council.elected.2027"),
    ("us_budget_cuts", "funding.shocks[2].fraction"),
    ("us_budget_cuts", "funding.assessed.payers.USA.paid_fraction"),
    ("mss_2024", "council.context.endorsement_half_life_months"),
]


@pytest.mark.parametrize(("name", "path"), STREAM_CASES)
def test_each_value_is_drawn_from_its_own_stream(name, path):
    scenario = mss_sim.load_scenario(SCENARIOS / f"{name}.toml")
    dist = find(scenario, path)
    assert isinstance(dist, _Dist)
    draws = set()
    for seed in SEEDS:
        expected = dist.ppf(stream_uniform(as_seed_sequence(seed), "param/" + path))
        assert resolve(scenario, seed).draws[path] == expected
        draws.add(expected)
    assert len(draws) > 1


def test_adding_an_uncertain_value_changes_no_other_draw(gsf):
    data = gsf.model_dump(mode="python", exclude_unset=True)
    data["funding"]["grace_months"] = {"dist": "uniform", "low": 1.0, "high": 3.0}
    data["council"]["effects"].append({"factor": "performance", "size": 0.5})
    more = scenario_from_dict(data)
    for seed in SEEDS:
        before, after = resolve(gsf, seed).draws, resolve(more, seed).draws
        assert set(after) == {*before, "funding.grace_months"}
        assert {p: after[p] for p in before} == before


# --------------------------------------------------------------------------- d


@pytest.mark.parametrize("k", [0, 1, 2])
def test_elected_choice_resolves_to_the_chosen_members(gsf, k):
    data = gsf.model_dump(mode="python", exclude_unset=True)
    data["council"]["elected"]["2027"]["p"] = [float(i == k) for i in range(3)]
    scenario = scenario_from_dict(data)
    options = data["council"]["elected"]["2027"]["choice"]
    for seed in SEEDS:
        resolved = resolve(scenario, seed)
        assert resolved.draws["council.elected.2027"] == k
        elected = resolved.scenario.council.elected["2027"]
        assert elected == tuple(options[k])
        assert all(type(code) is str for code in elected)
        assert resolved.scenario.council.members(2027) == (*gsf.council.permanent, *options[k])
        assert resolved.scenario.council.elected_options(2027) == (tuple(options[k]),)
        # The years listed as plain members are unchanged.
        assert resolved.scenario.council.elected.keys() == gsf.council.elected.keys()


def test_elected_choice_draws_each_list_by_its_probability(gsf):
    choice = gsf.council.elected["2027"]
    assert isinstance(choice, ElectedChoice)
    counts = np.zeros(len(choice.choice))
    for i in range(400):
        resolved = resolve(gsf, replication_seed(5, i))
        index = resolved.draws["council.elected.2027"]
        assert resolved.scenario.council.elected["2027"] == tuple(choice.choice[int(index)])
        counts[int(index)] += 1
    # p = [0.4, 0.3, 0.3]: each count within five standard deviations.
    p = np.asarray(choice.p)
    assert np.all(np.abs(counts - 400 * p) < 5 * np.sqrt(400 * p * (1 - p)))


# --------------------------------------------------------------------------- e


@pytest.mark.parametrize(
    "value",
    [
        parse_uncertain({"dist": "uniform", "low": 0, "high": 1}),
        parse_uncertain({"dist": "choice", "values": [1, 2]}),
        ElectedChoice(choice=[["AAA"]]),
        None,
        "3",
        True,
    ],
    ids=["uniform", "choice", "elected_choice", "none", "str", "bool"],
)
def test_fixed_refuses_what_is_not_a_resolved_number(value):
    with pytest.raises(TypeError, match="resolve the scenario first"):
        fixed(value)


@pytest.mark.parametrize("value", [3, 2.5, -0.0, np.float64(1.25)])
def test_fixed_returns_a_float(value):
    out = fixed(value)
    assert type(out) is float and out == value


def test_fixed_reads_a_resolved_scenario(gsf):
    resolved = resolve(gsf, 1).scenario
    with pytest.raises(TypeError):
        fixed(gsf.deployment.contributors[0].pledged)
    pledged = fixed(resolved.deployment.contributors[0].pledged)
    assert pledged == resolve(gsf, 1).draws["deployment.contributors[KEN].pledged"]
