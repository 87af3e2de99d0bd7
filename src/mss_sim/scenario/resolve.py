"""Resolving a scenario: one replication's draw of every uncertain value.

Every uncertain value of a scenario has a key path that names list items by
their identifier where they have one (``deployment.contributors[KEN].pledged``,
``funding.donors[USA].pledge_usd``, ``council.drafts[gsf]``) and by position
otherwise (``funding.shocks[0].fraction``, ``council.effects[1].size``); a
table's entries are named by their key (``funding.assessed.payers.USA.lag_months``,
``council.elected.2027``). A value is drawn from its own stream,
``param/<key path>``, so reordering a list, or adding or removing an uncertain
value, changes no other draw, and two scenarios that share a value share its
draw (common random numbers).

:func:`resolve` returns the scenario with each uncertain value replaced by its
draw: the same typed structures, holding plain numbers (an uncertain Council
composition becomes the list of members drawn). Model code reads their fields
through :func:`fixed`, which narrows a resolved number to ``float``.

Examples
--------
>>> import mss_sim
>>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
>>> table = parameter_table(sc)
>>> "deployment.contributors[KEN].pledged" in table.paths
True
>>> resolved = resolve(sc, 7, table=table)
>>> pledged = resolved.scenario.deployment.contributors[0].pledged
>>> pledged == resolved.draws["deployment.contributors[KEN].pledged"]
True
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from mss_sim.random import SeedLike, as_seed_sequence, stream_uniforms
from mss_sim.scenario.council import ElectedChoice
from mss_sim.scenario.distributions import _Dist

__all__ = ["Parameter", "ParameterTable", "Resolved", "fixed", "parameter_table", "resolve"]

ID_FIELDS: tuple[str, ...] = ("id", "name", "country")
"""The fields that name a list item in a key path, in the order they are looked for."""

Loc = tuple[str | int, ...]
Spec = TypeVar("Spec", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Parameter:
    """One uncertain value: its key path, where it sits, and its distribution.

    Attributes
    ----------
    path : str
        The key path, list items named by identifier (see the module's description).
    loc : tuple
        Attribute names, list positions and table keys leading to the value.
    dist : distribution
        The uncertain value (:meth:`ppf` turns a uniform number into a draw).
    """

    path: str
    loc: Loc
    dist: _Dist


class ParameterTable:
    """Every uncertain value of a scenario, in file order, and how to put draws in place.

    Build it once per scenario with :func:`parameter_table` and pass it to
    :func:`resolve` for each replication.
    """

    def __init__(self, parameters: tuple[Parameter, ...]):
        self.parameters = parameters
        self.paths: tuple[str, ...] = tuple(p.path for p in parameters)
        self.streams: list[str] = ["param/" + p.path for p in parameters]
        self._options = [
            p.dist.options if isinstance(p.dist, ElectedChoice) else None for p in parameters
        ]
        tree: dict[Any, Any] = {}
        for i, p in enumerate(parameters):
            node = tree
            for part in p.loc[:-1]:
                node = node.setdefault(part, {})
            node[p.loc[-1]] = i
        self._tree = tree

    def __len__(self) -> int:
        return len(self.parameters)

    def draw(self, seed: SeedLike) -> list[float]:
        """Return the draws of the replication seeded by `seed`, in table order.

        An uncertain Council composition draws the index of the list chosen.
        """
        uniforms = stream_uniforms(as_seed_sequence(seed), self.streams).tolist()
        return [p.dist.ppf(u) for p, u in zip(self.parameters, uniforms, strict=True)]

    def ppf(self, uniforms: Sequence[float]) -> list[float]:
        """Return the draws given by uniform numbers in (0, 1), in table order."""
        return [p.dist.ppf(float(u)) for p, u in zip(self.parameters, uniforms, strict=True)]

    def resolved(self, scenario: Spec, draws: list[float]) -> Spec:
        """Return `scenario` holding `draws` (from :meth:`draw`) for its uncertain values."""
        values = [
            x if options is None else options[int(x)]
            for options, x in zip(self._options, draws, strict=True)
        ]
        return self.place(scenario, values)

    def place(self, scenario: Spec, values: list[Any]) -> Spec:
        """Return `scenario` with parameter ``i`` replaced by ``values[i]`` (no validation)."""
        if not self.parameters:
            return scenario
        placed: Spec = _rebuild(scenario, self._tree, values)
        return placed


_set = object.__setattr__


def _rebuild(node: Any, tree: dict[Any, Any], values: list[Any]) -> Any:
    """A copy of `node` with the leaves `tree` names replaced by their values."""

    def leaf(item: Any, sub: Any) -> Any:
        return values[sub] if isinstance(sub, int) else _rebuild(item, sub, values)

    if isinstance(node, BaseModel):
        # BaseModel.model_copy(update=...) without its generality: a shallow copy
        # whose private caches are copied too (so the copy fills its own).
        fields = node.__dict__.copy()
        for key, sub in tree.items():
            fields[key] = leaf(fields[key], sub)
        copy = object.__new__(type(node))
        _set(copy, "__dict__", fields)
        _set(copy, "__pydantic_extra__", None)
        _set(copy, "__pydantic_fields_set__", node.__pydantic_fields_set__)
        private = node.__pydantic_private__
        _set(copy, "__pydantic_private__", None if private is None else dict(private))
        return copy
    if isinstance(node, list):
        items = list(node)
        for i, sub in tree.items():
            items[i] = leaf(items[i], sub)
        return items
    if isinstance(node, dict):
        table = dict(node)
        for key, sub in tree.items():
            table[key] = leaf(table[key], sub)
        return table
    raise TypeError(f"cannot place a value inside {type(node).__name__}")  # pragma: no cover


def _item_name(item: Any, index: int, by_id: bool) -> str:
    if by_id and isinstance(item, BaseModel):
        for name in ID_FIELDS:
            if name in type(item).model_fields:
                value = getattr(item, name)
                if isinstance(value, str):
                    return value
    return str(index)


def _walk(node: Any, path: str, loc: Loc, by_id: bool) -> Iterator[Parameter]:
    if isinstance(node, _Dist):
        yield Parameter(path, loc, node)
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            sub = f"{path}.{name}" if path else name
            yield from _walk(getattr(node, name), sub, (*loc, name), by_id)
    elif isinstance(node, list | tuple):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{_item_name(item, i, by_id)}]", (*loc, i), by_id)
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _walk(item, f"{path}.{key}", (*loc, key), by_id)


def parameter_table(scenario: BaseModel, *, by_id: bool = True) -> ParameterTable:
    """Return the :class:`ParameterTable` of `scenario`'s uncertain values, in file order.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    by_id : bool
        Name list items by their identifier where they have one (the default);
        False names every list item by its position, as the paths in scenario
        errors do (and as the draws were named before identifiers were used).

    Examples
    --------
    >>> import mss_sim
    >>> table = parameter_table(mss_sim.load_scenario("scenarios/gsf_2025.toml"))
    >>> table.paths[0]
    'council.elected.2027'
    """
    return ParameterTable(tuple(_walk(scenario, "", (), by_id)))


@dataclass(frozen=True, slots=True)
class Resolved(Generic[Spec]):
    """A scenario resolved for one replication, and the draws by key path."""

    scenario: Spec
    draws: dict[str, float]


def resolve(
    scenario: Spec, seed: SeedLike, *, table: ParameterTable | None = None
) -> Resolved[Spec]:
    """Draw every uncertain value of `scenario` once, for the replication seeded by `seed`.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    seed : int or numpy.random.SeedSequence
        The replication's seed; value ``p`` is drawn from its stream ``param/<p>``.
    table : ParameterTable, optional
        ``parameter_table(scenario)``, built once when resolving many replications.

    Returns
    -------
    Resolved
        The scenario holding plain numbers in place of uncertain values, and the
        draws by key path (an uncertain Council composition draws the index of
        the list chosen).

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
    >>> resolved = resolve(sc, 7)
    >>> resolved.scenario.uncertain_parameters()
    {}
    >>> resolved.draws == resolve(sc, 7).draws
    True
    """
    if not isinstance(scenario, BaseModel):
        raise TypeError(
            "scenario must be a Scenario (see mss_sim.load_scenario), "
            f"got {type(scenario).__name__}"
        )
    table = parameter_table(scenario) if table is None else table
    draws = table.draw(seed)
    return Resolved(table.resolved(scenario, draws), dict(zip(table.paths, draws, strict=True)))


def fixed(value: Any) -> float:
    """Return a resolved scenario number as a ``float``.

    Raises
    ------
    TypeError
        If `value` is still an uncertain value: the scenario was not resolved.

    Examples
    --------
    >>> fixed(3.0)
    3.0
    """
    if isinstance(value, float | int) and not isinstance(value, bool):
        return float(value)
    raise TypeError(
        f"expected a resolved number, got {type(value).__name__}: resolve the scenario first"
    )
