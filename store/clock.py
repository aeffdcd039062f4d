"""The one clock. Every "now" in the store, the command line and the board comes from here.

``$DISPUTES_NOW`` (an ISO 8601 instant with an offset) fixes it for a process and its children:
tests set it so that writes (a case created, a message logged) and reads (``--at``) agree with
each other whatever the calendar says. Unset, it is the system clock in UTC.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from .errors import ValidationError

ENV = "DISPUTES_NOW"


def fixed() -> datetime | None:
    """The instant ``$DISPUTES_NOW`` names, or None when it is unset."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    try:
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"${ENV}={raw!r} is not an ISO 8601 instant like 2026-11-26T09:00Z") from None
    if dt.tzinfo is None:
        raise ValidationError(f"${ENV}={raw!r} needs an offset, e.g. 2026-11-26T09:00Z")
    return dt.astimezone(timezone.utc)


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return fixed() or datetime.now(timezone.utc)
