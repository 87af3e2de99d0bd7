"""Model time: days since the scenario's start."""

from __future__ import annotations

__all__ = ["DAYS_PER_MONTH", "NOON"]

DAYS_PER_MONTH = 365.25 / 12
"""Days in an average month, used to turn durations in months into days."""

NOON = 0.5
"""Calendar events (votes, pledges, expiries) happen at noon of their date."""
