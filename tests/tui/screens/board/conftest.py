"""Board fixtures: the app on the seeded 40-case database, with the fixed clock."""

from __future__ import annotations

import pytest

from tests.support.board import NOW
from tui.app import DisputeApp


@pytest.fixture(autouse=True)
def _utc(utc_local_time):
    """Every board test reads times in UTC (the fixture lives in tests/conftest.py)."""


@pytest.fixture
def app(seeded, cfg):
    return DisputeApp(seeded, cfg, clock=lambda: NOW)
