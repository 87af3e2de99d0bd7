"""ChunkPlanner: fixed tilings, adaptive sizes, guided self-scheduling, limits and the countdown."""

from __future__ import annotations

import doctest
import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mss_sim.batch.plan as plan_module
from mss_sim.batch.plan import FIRST_CHUNK, ChunkPlanner

PER_REP = 0.001  # seconds per replication in the timing tests
FLOOR = 50  # replications in a twentieth of a second at PER_REP


def drain(plan: ChunkPlanner, per_rep: float | None = None) -> list[tuple[int, int]]:
    """Hand out every chunk, observing `per_rep` seconds per replication after each."""
    chunks = []
    while (bounds := plan.next()) is not None:
        chunks.append(bounds)
        if per_rep is not None:
            size = bounds[1] - bounds[0]
            plan.observe(size, size * per_rep)
    return chunks


def sizes(chunks: list[tuple[int, int]]) -> list[int]:
    return [b - a for a, b in chunks]


# --------------------------------------------------------------------------- fixed sizes


def test_docstring_example():
    plan = ChunkPlanner([(0, 10)], workers=1, chunk_size=4)
    assert [plan.next() for _ in range(4)] == [(0, 4), (4, 8), (8, 10), None]
    failures, tried = doctest.testmod(plan_module, optionflags=doctest.ELLIPSIS)
    assert (failures, tried) == (0, 2)


def test_fixed_size_tiles_each_range_and_never_crosses_a_gap():
    plan = ChunkPlanner([(0, 10), (20, 25)], workers=3, chunk_size=4)
    assert plan.remaining == 15
    assert drain(plan) == [(0, 4), (4, 8), (8, 10), (20, 24), (24, 25)]
    assert plan.remaining == 0


def test_fixed_size_ignores_timings_and_worker_count():
    plan = ChunkPlanner([(5, 12), (12, 13), (40, 49)], workers=64, chunk_size=3)
    chunks = []
    while (bounds := plan.next()) is not None:
        chunks.append(bounds)
        plan.observe(3, 100.0)  # very slow: a fixed size does not care
    assert chunks == [(5, 8), (8, 11), (11, 12), (12, 13), (40, 43), (43, 46), (46, 49)]


def test_empty_and_reversed_ranges_are_dropped():
    plan = ChunkPlanner([(3, 3), (9, 4), (7, 9), (10, 10)], workers=1, chunk_size=5)
    assert plan.remaining == 2
    assert drain(plan) == [(7, 9)]
    nothing = ChunkPlanner([], workers=2)
    assert nothing.remaining == 0
    assert nothing.next() is None


def test_limit_caps_a_chunk_but_never_stretches_it():
    plan = ChunkPlanner([(0, 10), (20, 30)], workers=1, chunk_size=4)
    assert plan.next(limit=3) == (0, 3)
    assert plan.next(limit=100) == (3, 7)  # the fixed size still holds
    assert plan.next(limit=1) == (7, 8)
    assert plan.next(limit=5) == (8, 10)  # nor does it cross into the next range
    assert plan.remaining == 10
    adaptive = ChunkPlanner([(0, 1000)], workers=1)
    assert adaptive.next(limit=2) == (0, 2)
    assert adaptive.next() == (2, 2 + FIRST_CHUNK)
    assert adaptive.remaining == 1000 - 2 - FIRST_CHUNK


def test_remaining_counts_down_to_zero_and_next_stays_none():
    plan = ChunkPlanner([(0, 7), (10, 12)], workers=1, chunk_size=3)
    seen = [plan.remaining]
    while plan.next() is not None:
        seen.append(plan.remaining)
    assert seen == [9, 6, 3, 2, 0]
    assert [plan.next(), plan.next(limit=1), plan.remaining] == [None, None, 0]


# --------------------------------------------------------------------------- adaptive sizes


def test_first_chunks_are_first_chunk_long_before_any_observation():
    assert FIRST_CHUNK == 8
    plan = ChunkPlanner([(0, 1000)], workers=2)
    assert [plan.next() for _ in range(4)] == [(0, 8), (8, 16), (16, 24), (24, 32)]
    # Timings that cannot be used (nothing ran, or no time measured) change nothing.
    plan.observe(0, 1.0)
    plan.observe(8, 0.0)
    plan.observe(8, -1.0)
    assert plan.next() == (32, 40)


def test_a_small_batch_starts_with_its_share_per_worker():
    # 20 replications for 2 workers: ceil(20 / 4) = 5 each, then smaller.
    plan = ChunkPlanner([(0, 20)], workers=2)
    assert sizes(drain(plan)) == [5, 4, 3, 2, 2, 1, 1, 1, 1]


def test_sizes_grow_at_most_fourfold_a_step_towards_the_target():
    plan = ChunkPlanner([(0, 10**6)], workers=1, target_seconds=1.0)
    got = sizes(drain(plan, PER_REP))
    # 1 ms a replication and a 1 s target: 1000 replications a chunk.
    assert got[:7] == [8, 32, 128, 512, 1000, 1000, 1000]
    assert all(b <= 4 * a for a, b in itertools.pairwise(got))
    assert max(got) == 1000
    assert sum(got) == 10**6


def test_target_seconds_sets_the_steady_size():
    plan = ChunkPlanner([(0, 10**6)], workers=1, target_seconds=0.25)
    assert sizes(drain(plan, PER_REP))[:6] == [8, 32, 128, 250, 250, 250]


@pytest.mark.parametrize("max_size", [100, 300, 1000, 10_000])
def test_adaptive_sizes_never_exceed_max_size(max_size):
    # max_size >= FLOOR: the twentieth of a second of work is below max_size here.
    plan = ChunkPlanner([(0, 10**5)], workers=1, target_seconds=1.0, max_size=max_size)
    got = sizes(drain(plan, PER_REP))
    assert max(got) == min(max_size, 1000)
    assert got[:3] == [8, 32, min(128, max_size)]


def test_max_size_wins_over_the_twentieth_of_a_second_floor():
    # 1 ms a replication: a twentieth of a second is 50 replications, more than max_size.
    plan = ChunkPlanner([(0, 1000)], workers=1, max_size=20)
    assert plan.next() == (0, 8)
    plan.observe(8, 8 * PER_REP)
    start, stop = plan.next()
    assert stop - start <= 20


def test_slower_replications_shrink_the_chunks_again():
    plan = ChunkPlanner([(0, 10**6)], workers=1, target_seconds=1.0)
    steady = []
    for _ in range(6):
        a, b = plan.next()
        steady.append(b - a)
        plan.observe(b - a, (b - a) * PER_REP)
    assert steady[-1] == 1000
    plan.observe(1000, 1000 * 0.01)  # ten times slower: per rep 0.7 ms + 3 ms = 3.7 ms
    a, b = plan.next()
    assert b - a == int(1.0 / (0.7 * PER_REP + 0.3 * 0.01))
    # A replication slower than the target: one at a time (the floor is 0 replications).
    slow = ChunkPlanner([(0, 100)], workers=1, target_seconds=1.0)
    slow.next()
    slow.observe(8, 8 * 2.0)
    assert slow.next() == (8, 9)


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_last_chunks_shrink_to_a_share_of_what_is_left_but_not_below_the_floor(workers):
    runs = 20_000
    plan = ChunkPlanner([(0, runs)], workers=workers, target_seconds=1.0)
    got = sizes(drain(plan, PER_REP))
    assert sum(got) == runs
    left = runs
    for i, size in enumerate(got):
        if i >= 4:  # once 1000 replications a chunk are reached
            share = math.ceil(left / (2 * workers))
            assert size == min(left, max(min(1000, share), FLOOR)), (i, left)
        left -= size
    tail = got[-6:]
    assert tail == sorted(tail, reverse=True)
    assert all(size >= FLOOR for size in got[4:-1])
    assert got[-1] <= FLOOR


def test_the_share_counts_what_is_left_in_every_range():
    plan = ChunkPlanner([(0, 10), (100, 110), (200, 210)], workers=3)
    # 30 left for 3 workers: ceil(30 / 6) = 5, not a share of the first range alone.
    assert drain(plan)[:4] == [(0, 5), (5, 10), (100, 104), (104, 107)]


# --------------------------------------------------------------------------- properties


@st.composite
def todo_lists(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Increasing, disjoint ranges; some empty, some adjacent."""
    ranges = []
    position = draw(st.integers(0, 50))
    for _ in range(draw(st.integers(0, 6))):
        position += draw(st.integers(0, 30))
        length = draw(st.one_of(st.just(0), st.integers(1, 20), st.integers(21, 1500)))
        ranges.append((position, position + length))
        position += length
    return ranges


def check_chunks(todo: list[tuple[int, int]], chunks: list[tuple[int, int]]) -> None:
    handed = [i for a, b in chunks for i in range(a, b)]
    expected = [i for a, b in todo for i in range(a, b)]
    assert handed == expected  # every index once, in increasing order
    for a, b in chunks:
        assert b > a
        assert any(lo <= a and b <= hi for lo, hi in todo), (a, b)  # inside one range


# Seconds per replication, as multiples of the fastest timing at which a twentieth of
# a second of work still fits in max_size; 0 and -1 are timings observe() must ignore.
speeds = st.lists(
    st.one_of(st.floats(0.005, 4.0).map(lambda e: 10**e), st.just(0.0), st.just(-1.0)),
    min_size=1,
    max_size=12,
)
limits = st.lists(st.one_of(st.none(), st.integers(1, 40)), min_size=1, max_size=12)


@settings(max_examples=120, deadline=None)
@given(
    todo=todo_lists(),
    workers=st.integers(1, 8),
    target=st.floats(0.01, 5.0),
    max_size=st.integers(1, 5000),
    speeds=speeds,
    limits=limits,
)
def test_adaptive_plan_hands_out_every_index_once_in_order(
    todo, workers, target, max_size, speeds, limits
):
    plan = ChunkPlanner(todo, workers=workers, target_seconds=target, max_size=max_size)
    total = sum(max(0, b - a) for a, b in todo)
    assert plan.remaining == total
    fastest = 0.05 / max_size * 1.01
    chunks: list[tuple[int, int]] = []
    handed = 0
    observed = False
    for step in range(total + 1):
        limit = limits[step % len(limits)]
        bounds = plan.next(limit=limit)
        if bounds is None:
            break
        size = bounds[1] - bounds[0]
        assert size >= 1
        assert size <= max_size
        if limit is not None:
            assert size <= limit
        if not observed:
            assert size <= FIRST_CHUNK
        chunks.append(bounds)
        handed += size
        assert plan.remaining == total - handed
        seconds = size * fastest * speeds[step % len(speeds)]
        plan.observe(size, seconds)
        observed = observed or seconds > 0
    assert plan.remaining == 0
    assert plan.next() is None
    check_chunks([(a, b) for a, b in todo if b > a], chunks)


@settings(max_examples=80, deadline=None)
@given(todo=todo_lists(), workers=st.integers(1, 8), chunk_size=st.integers(1, 700))
def test_fixed_plan_tiles_every_range(todo, workers, chunk_size):
    plan = ChunkPlanner(todo, workers=workers, chunk_size=chunk_size)
    chunks = drain(plan, PER_REP)
    check_chunks([(a, b) for a, b in todo if b > a], chunks)
    expected = [
        (start, min(start + chunk_size, b)) for a, b in todo for start in range(a, b, chunk_size)
    ]
    assert chunks == expected
