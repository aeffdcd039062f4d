"""Constructed cases for the outcome and statement tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.support.host import NOW

from store import Case

HOSTILE = "[b]x[/b] \x1b[2J"


def resolved(n: int, supplier: str, reason: str, amount: str, currency: str, outcome: str | None,
             recovered: str | None, days: int, stage: str = "resolved") -> Case:
    opened = NOW - timedelta(days=40)
    done = stage == "resolved"
    return Case(id=f"D-{n:04d}", order=str(1000 + n), supplier=supplier, reason=reason, amount=Decimal(amount),
                currency=currency, created_at=opened - timedelta(days=2),
                stage_entered_at=opened + timedelta(days=days), stage=stage, opened_at=opened,
                closed_at=opened + timedelta(days=days) if done else None, outcome=outcome if done else None,
                recovered=Decimal(recovered) if recovered is not None else None, rev=1)


def outcome_set() -> list[Case]:
    """Four resolved (three won), two currencies, one supplier name hostile, one case open."""
    return [
        resolved(1, "Ningbo Brightway", "damaged", "1000.00", "USD", "refunded", "1000.00", 10),
        resolved(2, "Ningbo Brightway", "damaged", "1000.00", "USD", "partially_refunded", "500.00", 30),
        resolved(3, HOSTILE, "quality", "2000.00", "USD", "rejected", "0", 14),
        resolved(4, "Yiwu Sunrise", "quality", "800.00", "EUR", "refunded", "800.00", 7),
        resolved(5, "Yiwu Sunrise", "quality", "500.00", "USD", None, None, 7, stage="dispute"),
    ]
