"""The board's sort keys (tui/triage.py ``Triage.sort_keys``, issue 11): one pass over the
cached clocks, the same order and the same overdue count as ``store.clocks.urgency``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store.clocks import clocks, urgency
from store.config import defaults
from tests.support import NOW


@pytest.mark.parametrize("days", [-60, -3, 0, 1, 2, 5, 30, 400])
def test_the_boards_sort_keys_rank_as_urgency_does(days):
    """The board sorts and counts from ``most_urgent`` (one pass, no Urgency made for each case):
    the same rank and clock as ``urgency`` for every sample case, at instants before, inside and
    after their windows; ``overdue`` from a key is urgency's level."""
    from store.clocks import most_urgent, soon_windows
    from store.sample import sample_cases
    from tui.triage import Triage

    cfg = defaults()
    now = NOW + timedelta(days=days, hours=days % 7)
    cases = sample_cases(120, now=NOW)
    tri = Triage(cfg)
    keys = tri.sort_keys(cases, now)
    for c, k in zip(cases, keys):
        u = urgency(c, cfg, now)
        rank, clock = most_urgent(clocks(c, cfg), now, soon_windows(now, cfg))
        assert (max(rank, 0), clock) == (u.rank, u.clock), c.id
        assert k == (-u.rank, u.clock.due.timestamp() if u.clock else float("inf"), c.number) == tri.sort_key(c, now)
        assert tri.overdue(k) == (u.level == "overdue")
