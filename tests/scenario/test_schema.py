"""The JSON Schema of the scenario format: shipped, current, and right about real files."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from mss_sim.scenario.schema import _schema_text, json_schema, shipped_schema_text

ROOT = Path(__file__).parents[2]
FILES = sorted(
    [
        *ROOT.glob("scenarios/*.toml"),
        *ROOT.glob("examples/scenarios/*.toml"),
        ROOT / "tests/model/tiny.toml",
    ]
)


def as_json(value):
    """TOML data as an editor's schema check sees it: dates as ISO text."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(shipped_schema_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def load(path: Path) -> dict:
    return as_json(tomllib.loads(path.read_text(encoding="utf-8")))


def test_the_shipped_schema_is_current():
    assert shipped_schema_text() == _schema_text(), (
        "the scenario models changed: regenerate with python -m mss_sim.scenario.schema"
    )


def test_it_is_draft_07_with_nothing_to_fetch():
    schema = json_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    text = json.dumps(schema)
    assert "$defs" not in text and "prefixItems" not in text
    refs = list(_values(schema, "$ref"))
    assert refs and all(r.startswith("#/definitions/") for r in refs)


def _values(node, key):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _values(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _values(v, key)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_bundled_and_example_scenario_is_valid(validator, path):
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(load(path))]
    assert errors == []


def test_mistakes_are_caught(validator):
    data = load(ROOT / "scenarios/gsf_2025.toml")
    data["mandate"]["ceiling"] = "lots"
    data["mandat"] = {}
    data["funding"]["donors"][0]["pledge_usd"] = {"dist": "uniform", "low": 1}  # no high
    messages = [e.message for e in validator.iter_errors(data)]
    assert any("'lots' is not of type 'integer'" in m for m in messages)
    assert any("'mandat' was unexpected" in m for m in messages)
    assert len(messages) >= 3


def test_a_file_without_extends_needs_every_required_table(validator):
    data = load(ROOT / "scenarios/gsf_2025.toml")
    del data["mandate"]
    assert any("'mandate' is a required property" in e.message for e in validator.iter_errors(data))
    extending = {"extends": "gsf_2025", "scenario": {"name": "x"}}
    assert list(validator.iter_errors(extending)) == []


def test_a_rule_is_a_name_or_a_table(validator):
    data = load(ROOT / "tests/model/tiny.toml")
    for rule in ("charter", {"name": "charter", "threshold": 8}):
        data["council"]["rule"] = rule
        assert list(validator.iter_errors(data)) == [], rule
    data["council"]["rule"] = "unanimity_of_everyone"
    assert list(validator.iter_errors(data))
