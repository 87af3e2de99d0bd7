"""Reading scenario files as plain data: TOML, ``extends`` inheritance, clear errors."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from mss_sim.errors import ScenarioError
from mss_sim.scenario.overrides import apply_values, patch_values

__all__ = ["bundled_scenarios", "load_chain", "load_raw", "merge", "scenario_path"]

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
        relative to its folder (a bundled scenario's name, ``extends = "gsf_2025"``,
        also works); the base's tables are merged key by key, arrays
        replace the base's, and then the file's ``[patch]`` table (quoted key paths
        such as ``"deployment.contributors[KEN].pledged" = 500``) is applied, so
        that one list item can change without restating the list.

    Returns
    -------
    dict
        The merged tables, without the ``extends`` key.

    Raises
    ------
    ScenarioError
        If a file is missing or not valid TOML, or the ``extends`` chain has a cycle.
    """
    return load_chain(Path(path).resolve(), ())[0]


def load_chain(file: Path, _chain: tuple[Path, ...]) -> tuple[dict[str, Any], list[str]]:
    """Return the merged data of `file` and the names of the files it extends, in order."""
    if file in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, file))
        raise ScenarioError(f"extends cycle: {cycle}", source=_chain[-1].name, path="extends")
    data = _read_toml(file)
    parent = data.pop("extends", None)
    patch = data.pop("patch", None)
    if parent is None:
        return _patched(data, patch, file.name), []
    if not isinstance(parent, str) or not parent:
        raise ScenarioError(
            f'must be a file name such as "gsf_2025.toml", got {parent!r}',
            source=file.name,
            path="extends",
        )
    base_file = file.parent / parent
    if not base_file.is_file():
        bundled = bundled_scenarios()
        if parent not in bundled:
            listed = f" or a bundled scenario ({', '.join(bundled)})" if bundled else ""
            raise ScenarioError(
                f"extended file not found: {base_file}; give a path relative to this file{listed}",
                source=file.name,
                path="extends",
            )
        base_file = bundled[parent]
    base, names = load_chain(base_file.resolve(), (*_chain, file))
    return _patched(merge(base, data), patch, file.name), [base_file.name, *names]


def _patched(data: dict[str, Any], patch: Any, source: str) -> dict[str, Any]:
    """Apply a file's ``[patch]`` table (key paths to values) after its merge."""
    if patch is None:
        return data
    return apply_values(data, patch_values(patch, source=source), source=source)


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


def scenario_path(text: str | Path) -> Path:
    """Return the file of a scenario given as a path or as a bundled scenario's name.

    Raises
    ------
    ScenarioError
        If `text` is neither an existing file (or a ``.toml`` path) nor the name
        of a bundled scenario; the message lists the bundled ones.

    Examples
    --------
    >>> scenario_path("gsf_2025").name
    'gsf_2025.toml'
    """
    path = Path(text)
    if path.exists() or path.suffix == ".toml" or len(path.parts) > 1:
        return path
    bundled = bundled_scenarios()
    if str(text) in bundled:
        return bundled[str(text)]
    raise ScenarioError(
        f"no scenario file or bundled scenario named {str(text)!r} "
        f"(bundled: {', '.join(bundled) or 'none'}; see mss-sim list)"
    )
