"""Reading scenario files: TOML, ``extends`` inheritance, clear errors."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mss_sim.errors import ScenarioError
from mss_sim.scenario.spec import Scenario, _KeyedError, describe_error, format_loc

__all__ = ["bundled_scenarios", "load_raw", "load_scenario", "merge", "scenario_from_dict"]

_TOML_POSITION = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Return `base` updated by `override`: tables merge key by key, anything else replaces.

    Arrays (including arrays of tables) replace the base's array as a whole.

    Examples
    --------
    >>> merge({"a": {"x": 1, "y": 2}, "l": [1, 2]}, {"a": {"y": 3}, "l": [9]})
    {'a': {'x': 1, 'y': 3}, 'l': [9]}
    """
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError("file not found", source=str(path)) from None
    except IsADirectoryError:
        raise ScenarioError("is a directory, not a scenario file", source=str(path)) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror}", source=str(path)) from None
    try:
        return tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not UTF-8 text ({exc.reason})", source=path.name) from None
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_POSITION.match(str(exc))
        if match:
            where = f"line {match['line']}, column {match['col']}"
            raise ScenarioError(
                f"TOML syntax error: {match['msg']}", source=path.name, path=where
            ) from None
        raise ScenarioError(f"TOML syntax error: {exc}", source=path.name) from None


def load_raw(path: str | Path) -> dict[str, Any]:
    """Read a scenario file and everything it ``extends``, merged, as plain data.

    Parameters
    ----------
    path : str or Path
        The scenario file. ``extends = "other.toml"`` inside it is resolved
        relative to its folder.

    Returns
    -------
    dict
        The merged tables, without the ``extends`` key.

    Raises
    ------
    ScenarioError
        If a file is missing or not valid TOML, or the ``extends`` chain has a cycle.
    """
    return _load_chain(Path(path).resolve(), ())[0]


def _load_chain(file: Path, _chain: tuple[Path, ...]) -> tuple[dict[str, Any], list[str]]:
    """Return the merged data of `file` and the names of the files it extends."""
    if file in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, file))
        raise ScenarioError(f"extends cycle: {cycle}", source=_chain[-1].name, path="extends")
    data = _read_toml(file)
    parent = data.pop("extends", None)
    if parent is None:
        return data, []
    if not isinstance(parent, str) or not parent:
        raise ScenarioError(
            f'must be a file name such as "gsf_2025.toml", got {parent!r}',
            source=file.name,
            path="extends",
        )
    base_file = file.parent / parent
    if not base_file.is_file():
        raise ScenarioError(
            f"extended file not found: {base_file}", source=file.name, path="extends"
        )
    base, names = _load_chain(base_file.resolve(), (*_chain, file))
    return merge(base, data), [base_file.name, *names]


def scenario_from_dict(data: dict[str, Any], *, source: str | None = None) -> Scenario:
    """Validate plain data (as read from TOML) into a :class:`Scenario`.

    Parameters
    ----------
    data : dict
        The scenario's tables.
    source : str, optional
        A file name to put in error messages.

    Raises
    ------
    ScenarioError
        Naming `source`, the key path and the problem; further problems, if any,
        follow on later lines.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = format_loc(tuple(error["loc"]))
            cause = (error.get("ctx") or {}).get("error")
            if isinstance(cause, _KeyedError):
                loc = f"{loc}.{cause.path}" if loc else cause.path
            problems.append((loc, describe_error(error)))
        loc, message = problems[0]
        if len(problems) > 1:
            more = "; ".join(f"{p}: {m}" for p, m in problems[1:4])
            extra = f" (+{len(problems) - 4} more)" if len(problems) > 4 else ""
            message += f"\n  also: {more}{extra}"
        raise ScenarioError(message, source=source, path=loc or "(top level)") from None


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A TOML scenario file, such as ``scenarios/gsf_2025.toml``.

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not valid TOML, extends a missing file or
        itself, or does not describe a valid scenario. The message names the file
        and the key path: ``gsf_2025.toml: funding.donors[2].pledge_usd: must be
        >= 0, got -5``.

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
    >>> sc.name
    'gsf_2025'
    """
    file = Path(path)
    data, bases = _load_chain(file.resolve(), ())
    source = file.name + "".join(f" (extends {name})" for name in bases[:1])
    return scenario_from_dict(data, source=source)


def bundled_scenarios() -> dict[str, Path]:
    """Return the bundled scenario files by name (the file name without ``.toml``).

    They ship inside the installed package (``mss_sim/scenarios``); in a source
    checkout installed in editable mode they are read from ``scenarios/`` at the
    top of the checkout.
    """
    packaged = Path(str(resources.files("mss_sim") / "scenarios"))
    folder = packaged if packaged.is_dir() else Path(__file__).resolve().parents[3] / "scenarios"
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}
