"""Airlift: seats to fly personnel in, refilled at the start of every month.

A SimPy :class:`~simpy.resources.container.Container` holds the month's seats
(``[deployment.airlift] seats_per_month``); at each month's start it is topped up
to that capacity (unused seats do not carry over), but only while the donor that
supplies it, if any, still supports the mission. Waves and rotations board their
personnel through :meth:`Airlift.board`, which waits for seats, a month's worth at
most at a time, in the order they asked.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from mss_sim.model.clock import Clock
from mss_sim.model.shared import Process
from mss_sim.scenario.deployment import Airlift as AirliftSpec
from mss_sim.scenario.resolve import fixed

__all__ = ["Airlift"]


class Airlift:
    """The month's seats and the personnel waiting for them.

    Parameters
    ----------
    spec : Airlift
        The resolved ``[deployment.airlift]`` table.
    clock : Clock
        The replication's clock.
    supplied : callable, optional
        Whether the supplying donor still supports the mission (checked at each
        refill); None: always.
    """

    def __init__(self, spec: AirliftSpec, clock: Clock, supplied: Callable[[], bool] | None = None):
        self._clock = clock
        self._supplied = supplied
        self.capacity = max(1, round(fixed(spec.seats_per_month)))
        self.seats = simpy.Container(clock.env, capacity=self.capacity, init=0)
        self.waiting = 0
        """Personnel asking for seats and not yet seated."""

    def start(self) -> None:
        """Start the monthly refill (the first at the start, after the donors' first step)."""
        self._clock.env.process(self._refill())

    def _refill(self) -> Process:
        env = self._clock.env
        for day in (0.0, *self._clock.calendar.month_ends[:-1]):
            if day > env.now:
                yield env.timeout(day - env.now)
            if self._supplied is None or self._supplied():
                free = self.capacity - self.seats.level
                if free > 0:
                    self.seats.put(free)
            elif self.seats.level > 0:
                self.seats.get(self.seats.level)  # no support, no flights: seats left go

    def board(self, count: int) -> Generator[simpy.Event, Any, int]:
        """Wait until `count` personnel have seats (a month's capacity at most at a time).

        Returns how many got seats: all of them, unless the waiting process is
        interrupted (its relief is no longer wanted), which withdraws its request.
        """
        self.waiting += count
        seated = 0
        while seated < count:
            take = min(count - seated, self.capacity)
            request = self.seats.get(take)
            try:
                yield request
            except simpy.Interrupt:
                if request.triggered:
                    seated += take  # the seats were taken just before the interruption
                    self.waiting -= take
                else:
                    request.cancel()
                break
            seated += take
            self.waiting -= take
        self.waiting -= count - seated
        return seated

    def give_back(self, count: int) -> None:
        """Return `count` seats that were not used (as far as the month's capacity allows)."""
        free = min(count, self.capacity - self.seats.level)
        if free > 0:
            self.seats.put(free)
