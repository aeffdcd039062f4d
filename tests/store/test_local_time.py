"""Times typed without an offset are the viewer's wall-clock time, summer time included, and
instants are shown back in it: checked in a zone with summer time (Berlin), in a fresh
interpreter (the test session runs with TZ=UTC, and the C library reads TZ once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support import ROOT

CODE = r"""
import json
from datetime import datetime, timezone
from store import dates
utc = lambda *a: datetime(*a, tzinfo=timezone.utc)
def z(dt):
    return dt.astimezone(timezone.utc).isoformat()
out = {
    "summer": z(dates.read("2026-07-01 09:00", now=utc(2026, 6, 1))),
    "winter": z(dates.read("2026-12-01 09:00", now=utc(2026, 6, 1))),
    "tomorrow over the spring change": z(dates.read("tomorrow 9am", kind="ahead", now=utc(2026, 3, 28, 12))),
    "monday over the autumn change": z(dates.read("mon 9am", kind="ahead", now=utc(2026, 10, 23, 12))),
    "written with a month name": z(dates.read("Dec 1 2026 5pm", now=utc(2026, 6, 1))),
    "shown, summer": dates.show_instant(utc(2026, 7, 1, 7)),
    "shown, winter": dates.show_instant(utc(2026, 12, 1, 8)),
    "shown, its own zone": dates.show_instant(dates.read("2026-12-01 18:00+08:00", now=utc(2026, 6, 1))),
    "named zone": dates.zone("Asia/Shanghai").utcoffset(datetime(2026, 7, 1)).total_seconds() / 3600,
    "no such zone": dates.zone("Mars/Olympus_Mons"),
}
print(json.dumps(out))
"""


def test_wall_clock_times_follow_the_viewers_summer_time():
    env = dict(os.environ, TZ="Europe/Berlin", PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    got = subprocess.run([sys.executable, "-c", CODE], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == {
        "summer": "2026-07-01T07:00:00+00:00",
        "winter": "2026-12-01T08:00:00+00:00",
        "tomorrow over the spring change": "2026-03-29T07:00:00+00:00",  # 09:00 CEST, the clocks went on at 02:00
        "monday over the autumn change": "2026-10-26T08:00:00+00:00",  # 09:00 CET, back on Sunday
        "written with a month name": "2026-12-01T16:00:00+00:00",
        "shown, summer": "2026-07-01 09:00",
        "shown, winter": "2026-12-01 09:00",
        "shown, its own zone": "2026-12-01 18:00 +08:00",
        "named zone": 8.0,
        "no such zone": None,
    }
