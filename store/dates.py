"""The one date reader: every instant a person types (CLI flags, board forms, snoozes,
deadlines) and every instant an import or the database holds goes through here.

What is read:
- ISO 8601, with or without an offset: ``2026-11-30``, ``2026-11-30 17:00``,
  ``2026-11-30T17:00+08:00``, ``...Z``. No offset means the viewer's local time; a bare date
  is midnight.
- Written forms that cannot be read two ways, with the year in full: ``Dec 1 2026 5pm``,
  ``1 December 2026 17:00 +08:00``, an e-mail's ``Tue, 01 Dec 2026 17:00:00 +0800``.
- Relative forms computed from ``store.clock.now()``: ``now``, ``today``, ``yesterday``,
  ``tomorrow``, ``tomorrow 9am``, ``in 3d``, ``+48h``, ``in 2 weeks``, ``mon 9am`` (the next
  Monday at 9). The forward ones only where a date lies ahead (deadlines, snoozes).
- Numeric forms with ``/``, ``.`` or ``-`` in another order (``01/12/2026``, ``11.05.2026``,
  ``01/02/03``) are refused with a line saying how to write them, unless the config names the
  order (``[input] date_order = "DMY"``, ``"MDY"`` or ``"YMD"``): then only that order is read.

Bounds: years 1970-2100, offsets within +/-14 h. Dates of things that happened (received,
paid, shipped) may not lie more than a day (time-zone slack) in the future.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import clock
from .errors import ConfigError, ValidationError

HINT = "write it like 2026-11-30, 2026-11-30 17:00 or 2026-11-30T17:00+08:00"
ORDERS = ("DMY", "MDY", "YMD")
MIN_YEAR, MAX_YEAR = 1970, 2100
MAX_OFFSET = timedelta(hours=14)
SLACK = timedelta(days=1)  # "happened" dates may be this far ahead: the other side of the world
EARLIEST = datetime(MIN_YEAR, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(MAX_YEAR, 12, 31, 23, 59, 59, tzinfo=timezone.utc)

_TIME = r"(?P<h>\d{1,2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?\s*(?P<ampm>[ap]\.?m\.?)?"
_OFF = r"(?P<off>Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)"
_ISO = re.compile(r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})(?:(?:T|\s+)" + _TIME + r")?\s*" + _OFF + r"?",
                  re.I | re.ASCII)
_NUMERIC = re.compile(r"(?P<a>\d{1,4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
                      r"(?:(?:T|\s+)" + _TIME + r")?\s*" + _OFF + r"?", re.I | re.ASCII)
_TIME_ONLY = re.compile(_TIME, re.I | re.ASCII)
_UNITS = {"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
          "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
          "d": 86400, "day": 86400, "days": 86400, "w": 604800, "wk": 604800, "wks": 604800,
          "week": 604800, "weeks": 604800}
_SPAN = re.compile(r"(?:in\s+|\+\s*)((?:\d{1,4}\s*[a-z]+\s*)+)", re.I | re.ASCII)
_TERM = re.compile(r"(\d{1,4})\s*([a-z]+)", re.I | re.ASCII)
_WEEKDAYS = {name: i for i, names in enumerate((
    ("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"), ("thu", "thur", "thurs", "thursday"),
    ("fri", "friday"), ("sat", "saturday"), ("sun", "sunday"))) for name in names}
_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", re.I)


def _bad(text: str, why: str, what: str = "date", hint: bool = True) -> ValidationError:
    shown = text if len(text) <= 40 else text[:40] + "…"
    return ValidationError(f"{what} {shown!r}: {why}" + (f"; {HINT}" if hint else ""), field=what)


def date_order(cfg: Any) -> str | None:
    """The order the config names for numeric dates (``[input] date_order``), or None."""
    data = getattr(cfg, "data", cfg) if cfg is not None else None
    raw = (data or {}).get("input", {}).get("date_order", "") if isinstance(data, dict) else ""
    if raw in ("", None):
        return None
    if not isinstance(raw, str) or raw.strip().upper() not in ORDERS:
        raise ConfigError(f"config [input] date_order must be one of {', '.join(ORDERS)} (or empty), "
                          f"not {raw!r}")
    return raw.strip().upper()


def _offset(text: str | None, original: str, what: str) -> tzinfo | None:
    if not text:
        return None
    t = text.upper()
    if t in ("Z", "UTC", "GMT"):
        return timezone.utc
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", t)
    if not m:
        raise _bad(original, f"{text} is not an offset like +08:00", what)
    minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
    if int(m.group(3) or 0) >= 60 or timedelta(minutes=minutes) > MAX_OFFSET:
        raise _bad(original, f"offset {text} is out of range (offsets run from -14:00 to +14:00)", what, False)
    return timezone((-1 if m.group(1) == "-" else 1) * timedelta(minutes=minutes))


def _clock_time(m: re.Match, original: str, what: str) -> time:
    if m.group("h") is None:
        return time(0, 0)
    h, mi, s = int(m.group("h")), int(m.group("mi") or 0), int(m.group("s") or 0)
    us = int((m.group("f") or "0")[:6].ljust(6, "0"))
    ampm = (m.group("ampm") or "").lower().replace(".", "")
    if ampm:
        if not 1 <= h <= 12:
            raise _bad(original, f"{h}{ampm} is not a time of day", what)
        h = h % 12 + (12 if ampm == "pm" else 0)
    elif m.group("mi") is None:
        raise _bad(original, "a time needs minutes or am/pm (17:00, 5pm)", what)
    if h > 23 or mi > 59 or s > 59:
        raise _bad(original, "not a time of day", what)
    return time(h, mi, s, us)


def _build(y: int, mo: int, d: int, t: time, zone: tzinfo | None, local: tzinfo | None, original: str,
           what: str) -> datetime:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise _bad(original, f"the year must be between {MIN_YEAR} and {MAX_YEAR}", what, False)
    try:
        day = date(y, mo, d)
    except ValueError:
        raise _bad(original, "no such day", what) from None
    when = datetime.combine(day, t)
    return when.replace(tzinfo=zone) if zone is not None else _attach(when, local)


def zone(name: str) -> tzinfo | None:
    """The IANA time zone of that name (``Asia/Shanghai``: the platforms' zones, a profile's
    ``timezone``), or None when this system's zone database (or the tzdata package) has no such
    zone. Read by the standard library's zoneinfo, which keeps one object a name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _attach(wall: datetime, local: tzinfo | None) -> datetime:
    """A wall-clock time (naive) in ``local``, or, when None, in the viewer's own zone (the
    system's, as everything else shows local time: ``astimezone()``, which asks the C library,
    so TZ and summer time are the ones the viewer sees)."""
    return wall.replace(tzinfo=local) if local is not None else wall.astimezone()


def _relative(raw: str, low: str, now: datetime, local: tzinfo | None, what: str) -> tuple[datetime, bool] | None:
    """(instant, names a moment ahead) for the relative forms, or None when it is not one.
    Counted from the clock's whole second: no platform's deadline has microseconds."""
    now = now.replace(microsecond=0)
    if low == "now":
        return now, False
    m = _SPAN.fullmatch(low)
    if m:
        total = 0
        for n, unit in _TERM.findall(m.group(1)):
            if unit.lower() not in _UNITS:
                raise _bad(raw, f"unknown unit {unit!r} (use m, h, d or w: in 3d, +48h)", what, False)
            total += int(n) * _UNITS[unit.lower()]
        if total > 200 * 366 * 86400:
            raise _bad(raw, f"too far ahead (the year must be at most {MAX_YEAR})", what, False)
        return now + timedelta(seconds=total), True
    head, _, rest = low.partition(" ")
    rest = rest.strip()
    if head == "next" and rest.split(" ")[0] in _WEEKDAYS:
        head, _, rest = rest.partition(" ")
        rest = rest.strip()
    today = now.astimezone(local).date()
    if head in ("today", "tomorrow", "yesterday") or head in _WEEKDAYS:
        at = time(0, 0)
        if rest:
            tm = _TIME_ONLY.fullmatch(rest)
            if not tm:
                raise _bad(raw, f"{rest!r} is not a time of day (9am, 17:00)", what)
            at = _clock_time(tm, raw, what)
        if head in _WEEKDAYS:
            ahead = (_WEEKDAYS[head] - today.weekday()) % 7
            dt = _attach(datetime.combine(today + timedelta(days=ahead), at), local)
            if dt <= now:
                dt = _attach(datetime.combine(today + timedelta(days=ahead + 7), at), local)
            return dt, True
        shift = {"today": 0, "tomorrow": 1, "yesterday": -1}[head]
        return _attach(datetime.combine(today + timedelta(days=shift), at), local), head == "tomorrow"
    return None


def _zone_for_dateutil(original: str, what: str):
    def pick(name, offset):
        if offset is not None:
            zone = timedelta(seconds=offset)
            if abs(zone) > MAX_OFFSET:
                raise _bad(original, "offset is out of range (offsets run from -14:00 to +14:00)", what, False)
            return timezone(zone)
        if name is None:
            return None
        if name.upper() in ("UTC", "GMT", "Z", "UT"):
            return timezone.utc
        raise _bad(original, f"zone name {name!r} can be read more than one way: give the offset, e.g. -08:00",
                   what, False)
    return pick


def read(text: Any, *, what: str = "date", kind: str = "any", order: str | None = None,
         local: tzinfo | None = None, now: datetime | None = None) -> datetime:
    """An aware datetime (in the offset it was given with, else local) from what was typed.

    ``kind``: ``"any"``; ``"ahead"`` (deadlines, snoozes: the same forms); ``"happened"``
    (received, paid, shipped: no forward relative forms, and not in the future beyond a day).
    ``order``: the configured order of numeric dates (``DMY``/``MDY``/``YMD``), else refused.
    """
    if not isinstance(text, str):
        raise ValidationError(f"{what} must be text, not {type(text).__name__}", field=what)
    raw = " ".join(text.split())
    if not raw:
        raise ValidationError(f"{what} is empty; {HINT}", field=what)
    if len(raw) > 64 or not raw.isprintable():
        raise _bad(raw[:40], "not a date", what)
    now = now or clock.now()
    low = raw.lower()
    dt: datetime | None = None
    rel = _relative(raw, low, now, local, what)
    if rel is not None:
        dt, forward = rel
        if forward and kind == "happened":
            raise _bad(raw, "names a time ahead; a date that has passed is written like 2026-11-20", what, False)
    elif m := _ISO.fullmatch(raw):
        dt = _build(int(m["y"]), int(m["mo"]), int(m["d"]), _clock_time(m, raw, what),
                    _offset(m["off"], raw, what), local, raw, what)
    elif m := _NUMERIC.fullmatch(raw):
        a, b, c = m["a"], m["b"], m["c"]
        if order is None:
            raise ValidationError(
                f"{what} {raw!r} can be read more than one way (day or month first?): write it as "
                f"YYYY-MM-DD, e.g. 2026-12-01, or set [input] date_order = \"DMY\" (or \"MDY\", \"YMD\") "
                f"in the config", field=what)
        y, mo, d = {"DMY": (c, b, a), "MDY": (c, a, b), "YMD": (a, b, c)}[order]
        if len(y) not in (2, 4) or len(mo) > 2 or len(d) > 2:
            raise _bad(raw, f"with date_order = \"{order}\" write it as "
                            f"{'/'.join({'D': 'DD', 'M': 'MM', 'Y': 'YYYY'}[k] for k in order)}", what, False)
        year = int(y) + (2000 if len(y) == 2 else 0)
        dt = _build(year, int(mo), int(d), _clock_time(m, raw, what), _offset(m["off"], raw, what), local,
                    raw, what)
    elif _MONTH.search(raw) and not re.search(r"\d+[/.]\d+", raw):
        if not re.search(r"(?<!\d)\d{4}(?!\d)", raw):
            raise _bad(raw, "give the year in full, e.g. Dec 1 2026 5pm", what, False)
        from dateutil import parser as dparser  # a month name only; the board starts without it

        try:
            dt = dparser.parse(raw, tzinfos=_zone_for_dateutil(raw, what))
        except ValidationError:
            raise
        except (ValueError, OverflowError, TypeError):
            raise _bad(raw, "not a date", what) from None
        if not MIN_YEAR <= dt.year <= MAX_YEAR:
            raise _bad(raw, f"the year must be between {MIN_YEAR} and {MAX_YEAR}", what, False)
        if dt.tzinfo is None:
            dt = _attach(dt, local)
    else:
        raise _bad(raw, "not a date", what)
    check_instant(dt, what, raw)
    if kind == "happened" and dt > now + SLACK:
        raise ValidationError(
            f"{what} {raw!r} is in the future ({dt.astimezone(local):%Y-%m-%d %H:%M}); it must have "
            f"happened already", field=what)
    return dt


def check_instant(dt: datetime, what: str = "date", shown: str | None = None) -> datetime:
    """Bounds every stored or typed instant obeys: aware, 1970-2100, offset within +/-14 h."""
    off = dt.utcoffset()
    if off is None:
        raise ValidationError(f"{what} {shown or dt.isoformat()}: has no time zone", field=what)
    if not -MAX_OFFSET <= off <= MAX_OFFSET:
        raise ValidationError(f"{what} {shown or dt.isoformat()}: offset is out of range (-14:00 to +14:00)",
                              field=what)
    if not MIN_YEAR <= dt.year <= MAX_YEAR or not EARLIEST <= dt <= LATEST:
        raise ValidationError(f"{what} {shown or dt.isoformat()}: the year must be between {MIN_YEAR} and "
                              f"{MAX_YEAR}", field=what)
    return dt


def happened(text: str, what: str = "date", *, cfg: Any = None, local: tzinfo | None = None) -> datetime:
    """A date of something that happened (received, paid, shipped): not in the future."""
    return read(text, what=what, kind="happened", order=date_order(cfg), local=local)


def ahead(text: str, what: str = "date", *, cfg: Any = None, local: tzinfo | None = None) -> datetime:
    """A deadline or a snooze: every form, relative ones included."""
    return read(text, what=what, kind="ahead", order=date_order(cfg), local=local)


def parse_when(text: str, *, local: tzinfo | None = None, cfg: Any = None, what: str = "date") -> datetime:
    """An aware datetime from what a person typed (kept for callers of the old name: the same
    rules as ``read``). Pass ``cfg`` so a configured ``[input] date_order`` applies."""
    return read(text, what=what, kind="any", order=date_order(cfg), local=local)


def show_instant(dt: datetime | None, viewer_tz: tzinfo | None = None) -> str:
    """``2026-12-01 18:00`` in the viewer's zone; an instant that carries a zone of its own that
    is not the viewer's (a deadline entered as ``18:00+08:00``) is shown in that zone, saying so:
    ``2026-12-01 18:00 +08:00``. Stored instants are UTC: those are shown in the viewer's zone."""
    if dt is None:
        return "-"
    mine = dt.astimezone(viewer_tz)  # None: the viewer's own zone
    own = dt.utcoffset()
    if dt.tzinfo is timezone.utc or own is None or own == mine.utcoffset():
        return f"{mine:%Y-%m-%d %H:%M}"
    sign = "+" if own >= timedelta(0) else "-"
    minutes = int(abs(own).total_seconds() // 60)
    return f"{dt:%Y-%m-%d %H:%M} {sign}{minutes // 60:02d}:{minutes % 60:02d}"


__all__ = ["read", "happened", "ahead", "parse_when", "check_instant", "show_instant", "date_order", "HINT"]
