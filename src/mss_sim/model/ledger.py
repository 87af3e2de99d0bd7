"""One account's money in integer cents, and the cost categories billed per person."""

from __future__ import annotations

from dataclasses import dataclass, field

from mss_sim.scenario.funding import COST_CATEGORIES

__all__ = ["PER_PERSON", "Account", "add_to"]

PER_PERSON: tuple[str, ...] = ("personnel", "logistics")
"""The cost categories charged per person-month (the others per month or per contingent)."""


def add_to(totals: dict[str, int], category: str, cents: int) -> None:
    """Add `cents` to ``totals[category]``."""
    totals[category] = totals.get(category, 0) + cents


@dataclass(slots=True)
class Account:
    """One account's money, in cents.

    Attributes
    ----------
    name : str
        ``trust_fund``, ``assessed`` or ``in_kind.<donor>``.
    overdraft : int
        How far below zero the balance may go.
    covers : tuple of str
        For an in-kind account, the cost categories it pays; empty otherwise.
    balance, received, spent : int
        Always ``received - spent == balance``.
    unpaid : dict of str to int
        Obligations carried by category.
    owed_cents : int
        Their sum (kept up to date by the treasury's month-end charge).
    held : int
        Money in the balance that may not be spent (a hold).
    """

    name: str
    overdraft: int = 0
    covers: tuple[str, ...] = ()
    balance: int = 0
    received: int = 0
    spent: int = 0
    unpaid: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COST_CATEGORIES, 0))
    owed_cents: int = 0
    held: int = 0

    @property
    def available(self) -> int:
        """What the account can pay now: its balance plus its overdraft, less what is held."""
        return self.balance + self.overdraft - self.held

    @property
    def owed(self) -> int:
        """All obligations the account carries."""
        return self.owed_cents

    def credit(self, cents: int) -> None:
        """Receive `cents` (negative: money returned)."""
        self.balance += cents
        self.received += cents

    def pay(self, cents: int) -> int:
        """Pay up to `cents` from what is available; return what was paid."""
        paid = max(0, min(cents, self.available))
        self.balance -= paid
        self.spent += paid
        return paid
