"""Model time: days since the scenario's start, and the calendar that goes with it."""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass, field

import simpy

__all__ = ["DAYS_PER_MONTH", "NOON", "Calendar", "Clock"]

DAYS_PER_MONTH = 365.25 / 12
"""Days in an average month, used to turn durations in months into days."""

NOON = 0.5
"""Calendar events (votes, pledges, expiries) happen at noon of their date."""


@dataclass(frozen=True, slots=True)
class Calendar:
    """A scenario's dates as model days.

    Attributes
    ----------
    start : datetime.date
        Day 0.
    end_day : float
        The first day after the horizon (the first of the month after the last).
    month_ends : tuple of float
        The end of each month of the horizon (midnight before the next month's first).
    """

    start: dt.date
    end_day: float
    month_ends: tuple[float, ...]
    _year_starts: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The first days of the years after the start's, to a few years past the end.
        last = (self.start + dt.timedelta(days=math.ceil(self.end_day))).year + 5
        starts = tuple(
            float((dt.date(year, 1, 1) - self.start).days)
            for year in range(self.start.year + 1, last + 1)
        )
        object.__setattr__(self, "_year_starts", starts)

    def year(self, day: float) -> int:
        """Return the calendar year of time `day` (``self.date(day).year``, faster)."""
        after = bisect.bisect_right(self._year_starts, day)
        if after == len(self._year_starts):
            return self.date(day).year
        return self.start.year + after

    def day(self, date: dt.date) -> float:
        """Return the time (days since the start) of noon on `date`."""
        return float((date - self.start).days) + NOON

    def date(self, day: float) -> dt.date:
        """Return the calendar date of time `day`."""
        return self.start + dt.timedelta(days=math.floor(day))


class Clock:
    """A replication's SimPy environment with its calendar.

    Parameters
    ----------
    calendar : Calendar
        The scenario's dates.
    """

    __slots__ = ("calendar", "env")

    def __init__(self, calendar: Calendar):
        self.env = simpy.Environment()
        self.calendar = calendar

    @property
    def now(self) -> float:
        """The current time in days."""
        return self.env.now

    @property
    def year(self) -> int:
        """The current calendar year."""
        return self.calendar.year(self.env.now)

    @property
    def today(self) -> dt.date:
        """The current calendar date."""
        return self.calendar.date(self.env.now)

    def day(self, date: dt.date) -> float:
        """Return the time of noon on `date` (see :meth:`Calendar.day`)."""
        return self.calendar.day(date)

    def date(self, day: float) -> dt.date:
        """Return the calendar date of time `day`."""
        return self.calendar.date(day)
