"""``clocks.add_working_days`` counts day by day (fast); it must give what a daily
``dateutil.rrule`` on weekdays gives, across zones with DST, holidays, weekends, midnights and
microseconds: that is the rule the platform profiles were written against."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from itertools import islice

from dateutil import rrule

from store.clocks import _zone, add_working_days


def by_rrule(start: datetime, n: int, zone_name: str, holidays: tuple[str, ...]) -> datetime:
    if n <= 0:
        return start
    zone = _zone(zone_name)
    local = start.astimezone(zone)
    skip = {date.fromisoformat(h) for h in holidays}
    days = rrule.rrule(rrule.DAILY, dtstart=local.replace(tzinfo=None) + timedelta(days=1),
                       byweekday=(rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR))
    last = next(islice((d for d in days if d.date() not in skip), n - 1, None))
    return last.replace(tzinfo=zone).astimezone(timezone.utc)


ZONES = ("UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Pacific/Auckland", "Asia/Kolkata",
         "No/Such_Zone")
HOLIDAYS = ((), ("2026-03-09", "2026-03-10"), tuple(f"2026-10-0{d}" for d in range(1, 8)),
            ("2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01"))


def test_same_as_the_daily_rrule():
    base = datetime(2026, 3, 5, 0, 0, tzinfo=timezone.utc)
    checked = 0
    for hours in range(0, 24 * 40, 13):  # every weekday and time of day, across both DST changes
        for extra in (timedelta(0), timedelta(minutes=59, seconds=59, microseconds=999_999)):
            start = base + timedelta(hours=hours) + extra
            start = start + timedelta(days=200 * (hours % 2))  # autumn too (October, November)
            for zone in ZONES:
                for hol in HOLIDAYS:
                    for n in (-1, 0, 1, 2, 3, 5, 10):
                        assert add_working_days(start, n, zone, hol) == by_rrule(start, n, zone, hol), \
                            (start, n, zone, hol)
                        checked += 1
    assert checked > 20_000


def test_a_friday_evening_in_shanghai_is_monday_plus_one():
    start = datetime(2026, 10, 16, 12, 0, tzinfo=timezone.utc)  # Friday 20:00 in Shanghai
    assert add_working_days(start, 2, "Asia/Shanghai") == datetime(2026, 10, 20, 12, 0, tzinfo=timezone.utc)
