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


@pytest.mark.parametrize("days", [-60, -3, 0, 1, 2, 5, 30])
def test_the_keys_hold_until_the_first_clock_changes_rank(days):
    """``Triage.keys_hold_until`` (what the minute's recount waits for): every case's sort key
    is the same at any instant before it as at ``now``; at it, a clock has changed rank (which
    may leave the keys as they were: a case's other clock may outrank it)."""
    from store.clocks import rank
    from store.sample import sample_cases
    from tui.triage import Triage

    cfg = defaults()
    now = NOW + timedelta(days=days, hours=days % 7)
    cases = sample_cases(120, now=NOW)
    tri = Triage(cfg)
    until = tri.keys_hold_until(cases, now)
    keys = tri.sort_keys(cases, now)
    if until is None:  # nothing runs any more: the keys stay as they are, a year on too
        assert tri.sort_keys(cases, now + timedelta(days=365)) == keys
        return
    assert until > now
    for at in (now + timedelta(microseconds=1), now + (until - now) / 2, until - timedelta(microseconds=1)):
        assert tri.sort_keys(cases, at) == keys, at
    ranks = lambda at: [[rank(k, at, cfg) for k in clocks(c, cfg) if not k.met] for c in cases]  # noqa: E731
    assert ranks(until) != ranks(now) == ranks(until - timedelta(microseconds=1))


def test_cases_from_the_summary_cache_sort_from_their_schedules_as_whole_cases_sort(db_path, cfg):
    """A second open's cases (``SummaryCase``, from the cache) sort by their rank schedules
    (``store.clocks.rank_schedule``), decoding no clock: the same keys, and the same instant
    they hold until, as the whole cases ranked clock by clock, across two months."""
    from store import TinyStore
    from store.summary import SummaryCase
    from tests.support.cases import seeded_store
    from tui.triage import Triage

    s = seeded_store(db_path, cfg, n=40)
    s.board_cases()
    s.close()  # writes the cache
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    try:
        light = sorted(s.board_cases(), key=lambda c: c.number)
        whole = s.cases()
        assert all(isinstance(c, SummaryCase) for c in light) and s.summary().hits == 40
        for hours in range(-24 * 30, 24 * 30, 5):
            at = NOW + timedelta(hours=hours)
            assert Triage(cfg).sort_keys(light, at) == Triage(cfg).sort_keys(whole, at), at
            keys = Triage(cfg).sort_keys(whole, at)
            until = Triage(cfg).keys_hold_until(light, at)  # the first instant a key changes
            if until is None:
                assert Triage(cfg).sort_keys(whole, at + timedelta(days=365)) == keys
            else:
                assert Triage(cfg).sort_keys(whole, until - timedelta(microseconds=1)) == keys
                assert Triage(cfg).sort_keys(whole, until) != keys
        assert all(c.__dict__["_known"][1] is None for c in light)  # no clock decoded for the sort
        assert [clocks(c, cfg) for c in light] == [clocks(c, cfg) for c in whole]  # decoded when asked
    finally:
        s.close()
