"""Fixtures for the board's extra screens (Today, Stats, Statement): a minimal host app on
the seeded 40-case database, with the fixed clock and local time set to UTC."""

import pytest


@pytest.fixture(autouse=True)
def _utc(utc_local_time):
    """Every screen test here reads times in UTC (the fixture lives in tests/conftest.py)."""
