"""A case's rank schedule (store/clocks.py ``rank_schedule``, issue 11): the summary cache keeps
it, and the board's sort reads it instead of ranking each clock. It must give what
``most_urgent`` gives at every instant, at the very microsecond a clock enters its window or
falls due too, or the board would sort a case one place off until its next change."""

from __future__ import annotations

from datetime import timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from store.clocks import (Clock, clocks, micros, most_urgent, rank_schedule, schedule_at, schedule_changes_after,
                          soon_windows)
from store.config import defaults
from tests.support import NOW

_US = timedelta(microseconds=1)


def _clock(minutes: int, hard: bool, met: bool, offset: int) -> Clock:
    due = (NOW + timedelta(minutes=minutes)).astimezone(timezone(timedelta(hours=offset)))
    return Clock("k", "label", due, hard, "me", "case", met)


clock_lists = st.lists(st.builds(_clock, st.integers(-5000, 5000), st.booleans(), st.booleans(),
                                 st.sampled_from([0, 8, -5])), max_size=6)


def _cfg(hard_hours: int, soft_hours: int):
    cfg = defaults()
    cfg.data["urgency"] = {**cfg.urgency, "soon_hard_hours": hard_hours, "soon_soft_hours": soft_hours}
    return cfg


def _truth(cl: list[Clock], at, cfg) -> tuple[int, float]:
    rank, c = most_urgent(cl, at, soon_windows(at, cfg))
    return rank, (c.due.timestamp() if c is not None else float("inf"))


@settings(max_examples=300, deadline=None)
@given(clock_lists, st.integers(0, 96), st.integers(0, 96), st.integers(-6000, 6000))
def test_the_schedule_gives_most_urgent_at_every_instant_and_at_each_change(raw, hard_hours, soft_hours, minutes):
    """Sorted as ``clocks`` sorts them (by due, hard first); asked at a random instant, and at
    each instant a rank can change and a microsecond either side of it."""
    cl = sorted(raw, key=lambda c: (c.due, not c.hard))
    cfg = _cfg(hard_hours, soft_hours)
    sched = rank_schedule(cl, cfg)
    hard, soft = timedelta(hours=hard_hours), timedelta(hours=soft_hours)
    instants = [NOW + timedelta(minutes=minutes)]
    for c in cl:
        for edge in (c.due - (hard if c.hard else soft), c.due):
            instants += [edge - _US, edge, edge + _US]
    for at in instants:
        assert schedule_at(sched, micros(at)) == _truth(cl, at, cfg), at
        nxt = schedule_changes_after(sched, micros(at))
        if nxt is None:  # never changes again: a year on it is the same
            assert _truth(cl, at + timedelta(days=365), cfg) == _truth(cl, at, cfg)
        else:
            assert nxt > at
            assert _truth(cl, nxt - _US, cfg) == _truth(cl, at, cfg) != _truth(cl, nxt, cfg)


def test_the_schedule_of_no_running_clock_is_calm_at_any_instant():
    cfg = defaults()
    met = [Clock("k", "l", NOW, True, "me", "case", True)]
    for cl in ([], met):
        sched = rank_schedule(cl, cfg)
        assert schedule_at(sched, micros(NOW)) == (-1, float("inf"))
        assert schedule_changes_after(sched, micros(NOW - timedelta(days=999))) is None


def test_every_sample_case_schedules_as_its_clocks_rank():
    """The platforms' own clocks (working days, offsets) over the sample cases, at instants
    across two months."""
    from store.sample import sample_cases

    cfg = defaults()
    for c in sample_cases(80, now=NOW):
        cl = clocks(c, cfg)
        sched = rank_schedule(cl, cfg)
        for hours in range(-24 * 30, 24 * 30, 7):
            at = NOW + timedelta(hours=hours)
            assert schedule_at(sched, micros(at)) == _truth(cl, at, cfg), (c.id, at)
