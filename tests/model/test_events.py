"""Event kinds are an enumeration: every logged kind is one, a typo is an error."""

from __future__ import annotations

import numpy as np
import pytest

import mss_sim
from mss_sim.model import EventKind


def test_every_logged_kind_is_an_event_kind(gsf):
    seen = set()
    for seed in range(30):
        rep = mss_sim.simulate(gsf, seed)
        for event in rep.events:
            assert type(event.kind) is EventKind, event
            seen.add(event.kind)
    assert {EventKind.ADOPTED, EventKind.RECEIVED, EventKind.DEPLOYED, EventKind.PAID} <= seen


def test_events_of_accepts_a_kind_by_name_and_refuses_a_typo(gsf):
    rep = mss_sim.simulate(gsf, 3)
    deployed = rep.events_of("deployed")
    assert deployed and deployed == rep.events_of(EventKind.DEPLOYED)
    assert all(e.kind == "deployed" for e in deployed)  # a StrEnum compares with its text
    with pytest.raises(ValueError, match="no event kind 'veto'; the kinds are: softened, "):
        rep.events_of("veto")


@pytest.mark.parametrize("name", ["mss_2024", "gsf_2025"])
def test_without_the_event_log_the_outputs_are_the_same(name):
    from conftest import SCENARIOS

    scenario = mss_sim.load_scenario(SCENARIOS / f"{name}.toml")
    for seed in range(5):
        full = mss_sim.simulate(scenario, seed)
        quiet = mss_sim.simulate(scenario, seed, record_events=False)
        assert full.events and quiet.events == ()
        for key, values in full.series.items():
            assert values.tobytes() == quiet.series[key].tobytes(), key
        for key, value in full.scalars.items():
            assert np.array_equal(value, quiet.scalars[key], equal_nan=True), key
        assert full.parameters == quiet.parameters
