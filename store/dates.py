"""Reading the instants people type. Stored in UTC; typed with an offset or in local time."""

from __future__ import annotations

from datetime import datetime

from dateutil import parser, tz

from . import clock
from .errors import ValidationError

HINT = "use ISO 8601 with an offset, e.g. 2026-11-30T17:00+08:00, or a date like 2026-11-30"


def parse_when(text: str, *, local=None) -> datetime:
    """An aware datetime from what a person typed.

    With an offset (``+08:00``, ``Z``) it is kept; without one it is the viewer's local time
    (``$TZ`` or the box's zone). A bare date means midnight local time. ``now`` is accepted.
    """
    raw = (text or "").strip()
    if not raw:
        raise ValidationError(f"empty date; {HINT}")
    if raw.lower() == "now":
        return clock.now()
    try:
        dt = parser.isoparse(raw)
    except (ValueError, OverflowError):
        try:
            dt = parser.parse(raw, dayfirst=False, yearfirst=True)
        except (ValueError, OverflowError, parser.ParserError):
            raise ValidationError(f"not a date: {text!r}; {HINT}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=local or tz.tzlocal())
    if not 1990 <= dt.year <= 2200:
        raise ValidationError(f"date out of range: {text!r}")
    return dt
