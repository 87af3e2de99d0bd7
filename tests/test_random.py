"""Named random streams: stable, independent of each other, uniform."""

from __future__ import annotations

import numpy as np
from scipy import stats

from mss_sim.random import replication_seed, stream, stream_uniform


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
