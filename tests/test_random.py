"""Named random streams: stable, independent of each other, uniform."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mss_sim.random import (
    Streams,
    replication_seed,
    stream,
    stream_key,
    stream_uniform,
    stream_uniforms,
)


def test_stream_uniform_is_uniform_and_independent_across_names_and_replications():
    names = [f"param/x{i}" for i in range(2000)]
    by_name = [stream_uniform(replication_seed(1, 0), n) for n in names]
    by_rep = [stream_uniform(replication_seed(1, i), "param/x") for i in range(2000)]
    for sample in (by_name, by_rep):
        assert stats.kstest(sample, "uniform").pvalue > 0.001
        assert min(sample) > 0 and max(sample) < 1
    # Neighbouring replications' draws are not correlated.
    assert abs(np.corrcoef(by_rep[:-1], by_rep[1:])[0, 1]) < 4 / np.sqrt(2000)


def test_streams_depend_only_on_parent_and_name():
    parent = replication_seed(7, 3)
    assert stream_uniform(parent, "a") == stream_uniform(replication_seed(7, 3), "a")
    assert stream_uniform(parent, "a") != stream_uniform(parent, "b")
    assert stream_uniform(parent, "a") != stream_uniform(replication_seed(7, 4), "a")
    first = stream(parent, "deployment/KEN").random(3)
    assert np.array_equal(first, stream(replication_seed(7, 3), "deployment/KEN").random(3))


@settings(max_examples=300, deadline=None)
@given(
    seed=st.one_of(st.integers(0, 2**32 - 1), st.integers(0, 2**200)),
    spawn_key=st.lists(st.one_of(st.integers(0, 2**32 - 1), st.integers(0, 2**70)), max_size=3),
    names=st.lists(st.text(max_size=30), min_size=1, max_size=8),
)
def test_stream_uniforms_are_bitwise_the_one_at_a_time_draws(seed, spawn_key, names):
    # The batched form re-implements numpy's SeedSequence hashing: it must agree with
    # building each stream's SeedSequence, to the bit.
    parent = np.random.SeedSequence(seed, spawn_key=tuple(spawn_key))
    one_by_one = np.array([stream_uniform(parent, name) for name in names])
    assert stream_uniforms(parent, names).tobytes() == one_by_one.tobytes()


def test_adding_a_parameter_leaves_the_other_draws_alone():
    parent = replication_seed(5, 2)
    names = [f"param/p{i}" for i in range(10)]
    before = stream_uniforms(parent, names)
    after = stream_uniforms(parent, [*names[:4], "param/new", *names[4:]])
    assert np.array_equal(np.delete(after, 4), before)


def _numpy_stream(parent: np.random.SeedSequence, name: str) -> np.random.Generator:
    """The stream as numpy's own SeedSequence builds it: the parent's key, then the name's."""
    child = np.random.SeedSequence(parent.entropy, spawn_key=(*parent.spawn_key, stream_key(name)))
    return np.random.Generator(np.random.PCG64(child))


STREAM_NAMES = ["council/gsf/1", "param/funding.donors[USA].pledge_usd", "", "déploiement/KEN"]


@pytest.mark.parametrize("spawn_key", [(), (5,), (7, 9), (2**40,)], ids=str)
@pytest.mark.parametrize(
    "entropy",
    [12345, 0, 2**80 + 3, 2**32 - 1, 2**200 + 7, 2**600 + 1, [3, 2**33]],
    ids=["small", "zero", "2**80+3", "2**32-1", "2**200+7", "2**600+1", "sequence"],
)
def test_streams_are_bitwise_numpys_seed_sequence_children(entropy, spawn_key):
    parent = np.random.SeedSequence(entropy, spawn_key=spawn_key)
    streams = Streams(parent)
    for name in STREAM_NAMES:
        ours, theirs = streams[name], _numpy_stream(parent, name)
        assert ours.bit_generator.state == theirs.bit_generator.state
        assert ours.random(5).tobytes() == theirs.random(5).tobytes()
        assert ours.standard_normal(3).tobytes() == theirs.standard_normal(3).tobytes()
        assert ours.integers(0, 2**63, size=4).tobytes() == theirs.integers(0, 2**63, 4).tobytes()
        assert ours.bit_generator.state == theirs.bit_generator.state
    # Different names are different streams.
    firsts = {streams[name].bit_generator.state["state"]["state"] for name in STREAM_NAMES}
    assert len(firsts) == len(STREAM_NAMES)


def test_streams_keep_each_generator_and_its_state():
    parent = replication_seed(11, 4)
    streams = Streams(parent)
    first = streams["deployment/KEN"]
    a = first.random(3)
    again = streams["deployment/KEN"]
    assert again is first
    b = again.random(3)
    reference = _numpy_stream(parent, "deployment/KEN").random(6)
    assert np.concatenate([a, b]).tobytes() == reference.tobytes()
    # Another Streams of the same parent starts the stream afresh.
    assert Streams(parent)["deployment/KEN"].random(3).tobytes() == reference[:3].tobytes()
