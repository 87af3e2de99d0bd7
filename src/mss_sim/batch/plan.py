"""Cutting the replications still to run into chunks.

With a fixed ``chunk_size`` every chunk has that size (the last of a range may be
shorter). Otherwise chunks are sized as the batch goes: the first are small so
that the first results arrive quickly and the time per replication is measured;
later ones take about `target_seconds` of one worker's time, but never more than
a share of what is left per worker, so the last chunks are small and the workers
finish together (guided self-scheduling), and not less than a twentieth of a
second of work. The cut never changes the results:
replication ``i`` is the same wherever it runs.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

__all__ = ["ChunkPlanner"]

FIRST_CHUNK = 8


class ChunkPlanner:
    """Hands out ``(start, stop)`` ranges covering `todo`, in order.

    Parameters
    ----------
    todo : iterable of (int, int)
        Half-open ranges of replication indices still to run.
    workers : int
        How many chunks run at the same time.
    chunk_size : int, optional
        A fixed size; by default sizes adapt to the measured time per replication.
    target_seconds : float
        The time an adaptive chunk aims to take on one worker.
    max_size : int
        The largest adaptive chunk.

    Examples
    --------
    >>> plan = ChunkPlanner([(0, 10)], workers=1, chunk_size=4)
    >>> [plan.next() for _ in range(4)]
    [(0, 4), (4, 8), (8, 10), None]
    """

    def __init__(
        self,
        todo: Iterable[tuple[int, int]],
        *,
        workers: int,
        chunk_size: int | None = None,
        target_seconds: float = 1.0,
        max_size: int = 10_000,
    ):
        self._todo = deque((a, b) for a, b in todo if b > a)
        self.remaining = sum(b - a for a, b in self._todo)
        self._workers = max(1, workers)
        self._fixed = chunk_size
        self._target = target_seconds
        self._max = max_size
        self._per_rep: float | None = None
        self._size = FIRST_CHUNK

    def observe(self, size: int, seconds: float) -> None:
        """Record that a chunk of `size` replications took `seconds` to compute."""
        if size <= 0 or seconds <= 0:
            return
        rate = seconds / size
        self._per_rep = rate if self._per_rep is None else 0.7 * self._per_rep + 0.3 * rate

    def _next_size(self) -> int:
        if self._fixed is not None:
            return self._fixed
        if self._per_rep is not None:
            by_time = max(1, int(self._target / self._per_rep))
            # Grow at most fourfold a step, so that one odd timing cannot jump far.
            self._size = min(by_time, 4 * self._size)
        share = math.ceil(self.remaining / (2 * self._workers))
        size = min(self._size, share)
        if self._per_rep is not None:  # not below a twentieth of a second of work
            size = max(size, min(self._size, int(0.05 / self._per_rep)))
        return max(1, min(size, self._max))

    def next(self, *, limit: int | None = None) -> tuple[int, int] | None:
        """Return the next range to run (at most `limit` long), or None when all is handed out."""
        if not self._todo:
            return None
        a, b = self._todo[0]
        size = self._next_size() if limit is None else min(limit, self._next_size())
        stop = min(b, a + size)
        if stop == b:
            self._todo.popleft()
        else:
            self._todo[0] = (stop, b)
        self.remaining -= stop - a
        return a, stop
