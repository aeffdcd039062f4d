"""What the tests share: the one instant (``NOW``), the project root, and by concern the helpers in
this package (``board``: Pilot helpers for the board; ``host``: a minimal host app for single
screens; ``cli``: running ``disputes``; ``cases``, ``outcome_cases``, ``tools``: built cases and
files; ``light``: light cases; ``smtp``: a real inbox). Import as ``from tests.support import NOW``
(the project root is on pytest's path, see pyproject.toml)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

# A Thursday: weekends and working days are nearby in both directions. Every test's "now", and
# $DISPUTES_NOW for every process a test starts (tests/conftest.py).
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)

ROOT = Path(__file__).resolve().parents[2]
"""The project root (what ``PYTHONPATH`` is for a ``disputes`` process a test starts)."""
