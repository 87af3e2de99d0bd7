"""Event kinds are an enumeration: every logged kind is one, a typo is an error."""

from __future__ import annotations

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
