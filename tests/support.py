"""What many tests share. Import it as ``from tests.support import NOW`` (the project root is on
pytest's path, see pyproject.toml)."""

from __future__ import annotations

from datetime import datetime, timezone

# A Thursday: weekends and working days are nearby in both directions. Every test's "now", and
# $DISPUTES_NOW for every process a test starts (tests/conftest.py).
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
