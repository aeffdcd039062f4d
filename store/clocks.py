"""Clocks: pure functions of a case, the settings and an instant.

Nothing here reads a file or the system clock: callers pass ``now``, so tests and
``--at`` can evaluate any moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING

import msgspec

from .dates import zone
from .model import Case

if TYPE_CHECKING:  # for annotations only: config imports query (a view's query is checked)
    from .config import Config

LEVELS = ("ok", "soon", "overdue")


class Clock(msgspec.Struct, frozen=True, gc=False):
    """One countdown. A msgspec struct, not a dataclass: the summary cache decodes cases' clocks
    (when first read: Today, the digest, a card), into structs 3x faster (10,000 cases: 45 -> 33 ms for the
    entries; gc=False: strings, flags and an instant, never a cycle)."""

    kind: str
    label: str
    due: datetime
    hard: bool
    party: str  # who must act by then: me | supplier | platform
    source: str  # "profile" (computed from the platform's rules) or "case" (entered)
    met: bool = False

    def to_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "due": self.due.isoformat(), "hard": self.hard,
                "party": self.party, "source": self.source, "met": self.met}


@dataclass(frozen=True)
class Urgency:
    level: str  # ok | soon | overdue
    hard: bool  # the clock behind the level is a hard deadline
    clock: Clock | None  # the countdown that matters most now
    rank: int  # 0 ok .. 4 overdue hard: hard deadlines weigh more than soft ones


_CALM = Urgency("ok", False, None, 0)  # no clock runs: frozen, so one object serves every case


@lru_cache(maxsize=16)
def _zone(name: str):
    return zone(name) or timezone.utc


@lru_cache(maxsize=64)
def _holidays(holidays: tuple[str, ...]) -> frozenset[date]:
    return frozenset(date.fromisoformat(h) for h in holidays)


_DAY = timedelta(days=1)


def add_working_days(start: datetime, n: int, zone_name: str = "UTC",
                     holidays: tuple[str, ...] = ()) -> datetime:
    """``start`` plus ``n`` working days (Mon-Fri, not a holiday), keeping the local time of day
    (to the second: the microseconds are dropped).

    Weekends are judged in the platform's own time zone: a Friday evening in Shanghai is
    already Saturday morning for nobody else. Counted day by day on the naive local time, as a
    daily ``dateutil.rrule`` on weekdays would (tests/store/test_working_days.py holds them
    equal), at a tenth of its cost: the CLI's list and digest count these for every case.
    """
    if n <= 0:
        return start
    zone = _zone(zone_name)
    day = start.astimezone(zone).replace(tzinfo=None, microsecond=0)
    skip = _holidays(holidays)
    while n:
        day += _DAY
        if day.weekday() < 5 and (not skip or day.date() not in skip):
            n -= 1
    return day.replace(tzinfo=zone).astimezone(timezone.utc)


def _last(case: Case, sender: str) -> datetime | None:
    for m in reversed(case.messages):
        if m.sender == sender:
            return m.at
    return None


def unanswered(case: Case) -> list[datetime]:
    """My messages since the supplier last wrote (oldest first)."""
    k = case.__dict__.get("_known")  # (``KNOWN_CLOCKS``: no clock decoded for it)
    if k is not None:
        return k[3]
    out: list[datetime] = []
    for m in reversed(case.messages):
        if m.sender == "supplier":
            break
        if m.sender == "me":
            out.append(m.at)
    return out[::-1]


def anchors(case: Case) -> dict[str, datetime | None]:
    waiting_on = unanswered(case)
    last_supplier = _last(case, "supplier")
    if waiting_on:
        waiting = waiting_on[-1]
    elif last_supplier is None or last_supplier < case.stage_entered_at:
        waiting = case.stage_entered_at  # nobody has written yet in this stage: I owe the first word
    else:
        waiting = None  # the supplier answered: my move, no follow-up clock
    return {
        "received": case.received_at,
        "paid": case.paid_at,
        "shipped": case.shipped_at,
        "delivery_estimate": case.delivery_estimate or case.received_at,
        "opened": case.opened_at or (case.stage_entered_at if case.stage == "dispute" else None),
        "escalated": case.escalated_at or (case.stage_entered_at if case.stage == "mediation" else None),
        "stage_entered": case.stage_entered_at,
        "created": case.created_at,
        "closed": case.closed_at,
        "waiting": waiting,
        "last_evidence": max((e.added_at for e in case.evidence), default=None),
    }


def rule_due(rule: dict, start: datetime, profile: dict, extra_days: int = 0) -> datetime:
    unit = rule.get("unit", "days")
    if "hours" in rule and "days" not in rule:
        return start + timedelta(hours=rule["hours"])
    n = int(rule["days"]) + extra_days
    if unit in ("working_days", "business_days"):
        return add_working_days(start, n, profile.get("timezone", "UTC"), tuple(profile.get("holidays", ())))
    if unit == "hours":
        return start + timedelta(hours=n)
    return start + timedelta(days=n)


# What ``store.summary`` sets on the light cases it reads (from its cache, or when it makes the
# entry), as ``case.__dict__["_known"]``: ``(cfg, clocks, turn, waiting, schedule, raw, decode)``,
# the answers of ``clocks(case, cfg)``, ``whose_turn``, ``unanswered`` and ``rank_schedule``
# computed with the settings ``cfg``. ``clocks`` may be None until first asked: then
# ``decode(raw)`` gives them (the board's sort reads the schedule, so its start decodes no clock:
# 10,000 cases' clocks were 27 ms of it). A light case is never changed in place (it cannot be
# written back), so they stay its answers.
KNOWN_CLOCKS, KNOWN_TURN, KNOWN_WAITING, KNOWN_SCHEDULE = 1, 2, 3, 4


def known(case: Case, cfg: Config | None) -> tuple[list[Clock], str, list[datetime]] | None:
    """``(clocks(case, cfg), whose_turn(case), unanswered(case))`` known already for this very case
    object (see ``KNOWN_CLOCKS``), with these settings (``cfg`` None: any); else None."""
    k = case.__dict__.get("_known")
    if k is None or (cfg is not None and k[0] is not cfg):
        return None
    cl = k[1]
    if cl is None:  # decoded the first time anything reads them (two threads: the same clocks)
        cl = k[6](k[5])
        if cl is None:  # not what the cache's code writes: every answer from the case itself now
            case.__dict__.pop("_known", None)
            return None
        # The schedule goes with the entry's bytes: the clocks answer the sort from now on (the same
        # keys), and a case holds one or the other (10,000 schedules are 3 MB of the board's memory).
        case.__dict__["_known"] = (k[0], cl, k[2], k[3], None, None, None)
    return cl, k[2], k[3]


def known_turn(case: Case) -> str | None:
    """``whose_turn(case)`` known already for this case object (``KNOWN_CLOCKS``), or None."""
    k = case.__dict__.get("_known")
    return k[2] if k is not None else None


def known_schedule(case: Case, cfg: Config) -> tuple | None:
    """``rank_schedule`` of this case object's clocks, known already with these settings, or None."""
    k = case.__dict__.get("_known")
    return k[4] if k is not None and k[0] is cfg else None


def clocks(case: Case, cfg: Config) -> list[Clock]:
    """Every deadline that applies to the case in its current stage, soonest first."""
    k = known(case, cfg)
    if k is not None:
        return k[0]
    profile = cfg.profile(case.platform)
    marks = anchors(case)
    out: list[Clock] = []
    for rule in profile.get("clocks", ()):
        if case.stage not in rule["stages"]:
            continue
        if "outcomes" in rule and case.outcome not in rule["outcomes"]:
            continue
        start = marks.get(rule["from"])
        if start is None:
            continue
        extra = int(profile.get("complex_extra_days", 0)) if case.complex and rule["kind"] == "expected_resolution" else 0
        due = rule_due(rule, start, profile, extra)
        met = False
        met_by = rule.get("met_by", "")
        if met_by in ("supplier_reply", "platform_reply"):  # the party wrote since the clock started
            last = _last(case, met_by.split("_")[0])
            met = last is not None and last >= start
        out.append(Clock(rule["kind"], rule.get("label", rule["kind"]), due, bool(rule.get("hard", False)),
                         rule.get("party", "me"), "profile", met))
    if case.stage != "resolved":
        for d in case.deadlines:
            label = d.note or d.kind.replace("_", " ")
            # Shown back in the offset it was entered with (the platform's, usually UTC+8).
            due = d.due.astimezone(timezone(timedelta(minutes=d.offset_minutes)))
            out.append(Clock(d.kind, label, due, d.hard, "me", "case", d.met_at is not None))
    out.sort(key=lambda c: (c.due, not c.hard))
    return out


def next_deadline(case: Case, cfg: Config, now: datetime, case_clocks: list[Clock] | None = None) -> Clock | None:
    """The earliest deadline not yet met, hard or soft (overdue ones included)."""
    for c in clocks(case, cfg) if case_clocks is None else case_clocks:
        if not c.met:
            return c
    return None


def rank(c: Clock, now: datetime, cfg: Config) -> int:
    """How urgent one clock is now: 4 overdue hard, 3 hard within the soon window, 2 overdue soft,
    1 soft within its window, 0 otherwise. Hard deadlines weigh more than soft ones."""
    return _rank(c, now, *soon_windows(now, cfg))


def soon_windows(now: datetime, cfg: Config) -> tuple[datetime, datetime]:
    """The ends of the soon windows from ``now``: (hard, soft). ``urgency`` takes them, so a pass
    over many cases at one instant computes them once."""
    u = cfg.urgency
    return now + timedelta(hours=u["soon_hard_hours"]), now + timedelta(hours=u["soon_soft_hours"])


def rank_changes_after(case_clocks: list[Clock], now: datetime, cfg: Config) -> datetime | None:
    """The first instant after ``now`` at which a clock's rank (``_rank``) changes: it enters its
    soon window, or falls due. Before it, every urgency and sort key made from these clocks is
    what it is at ``now``. None: none ever changes again (all met, or none runs)."""
    u = cfg.urgency
    hard, soft = timedelta(hours=u["soon_hard_hours"]), timedelta(hours=u["soon_soft_hours"])
    best: datetime | None = None
    for c in case_clocks:
        if c.met:
            continue
        for at in (c.due - (hard if c.hard else soft), c.due):  # (a window ends at the due: in order)
            if at > now:
                if best is None or at < best:
                    best = at
                break
    return best


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)
_INF = float("inf")


def micros(at: datetime) -> int:
    """An aware instant as whole microseconds since 1970 (exact: what ``rank_schedule`` compares)."""
    return (at - _EPOCH) // _US


def rank_schedule(case_clocks: list[Clock], cfg: Config) -> tuple:
    """``most_urgent`` of these clocks at every instant, as a flat tuple ``(rank, due, t1, rank1,
    due1, ...)``: ``(rank, due)`` holds before ``t1`` (``micros``), ``(rank1, due1)`` from ``t1``
    until the next, and so on; ``due`` is the named clock's due as ``timestamp()`` (infinity when
    none runs). Made once, where the clocks are made (the summary cache keeps it), so a sort at
    any instant reads it (``schedule_at``) instead of decoding and ranking each clock (board
    start at 30,000 cases, 6 interleaved launches: 1471 -> 1315 ms, CPU 1585 -> 1430). It is ``most_urgent`` itself, asked at each instant a rank can change
    (``rank_changes_after``'s: a clock enters its soon window, or falls due): between two of them
    nothing it compares changes."""
    u = cfg.urgency
    hard, soft = timedelta(hours=u["soon_hard_hours"]), timedelta(hours=u["soon_soft_hours"])
    points = sorted({at for c in case_clocks if not c.met for at in (c.due - (hard if c.hard else soft), c.due)})

    def at(t: datetime) -> tuple[int, float]:
        r, c = most_urgent(case_clocks, t, (t + hard, t + soft))
        return r, (c.due.timestamp() if c is not None else _INF)

    first = at(points[0] - _US) if points else at(_EPOCH)
    out = list(first)
    last = first
    for t in points:
        got = at(t)
        if got != last:
            out += (micros(t), *got)
            last = got
    return tuple(out)


def schedule_at(schedule: tuple, now_us: int) -> tuple[int, float]:
    """``(rank, due)`` of ``rank_schedule`` at the instant ``now_us`` (``micros``)."""
    r, d = schedule[0], schedule[1]
    i, n = 2, len(schedule)
    while i < n and schedule[i] <= now_us:
        r, d = schedule[i + 1], schedule[i + 2]
        i += 3
    return r, d


def schedule_changes_after(schedule: tuple, now_us: int) -> datetime | None:
    """The first instant after ``now_us`` at which ``schedule_at`` changes; None: never."""
    for i in range(2, len(schedule), 3):
        if schedule[i] > now_us:
            return _EPOCH + schedule[i] * _US
    return None


def _rank(c: Clock, now: datetime, hard_by: datetime, soft_by: datetime) -> int:
    if c.due <= now:
        return 4 if c.hard else 2
    if c.due <= (hard_by if c.hard else soft_by):
        return 3 if c.hard else 1
    return 0


def urgency(case: Case, cfg: Config, now: datetime, case_clocks: list[Clock] | None = None,
            windows: tuple[datetime, datetime] | None = None) -> Urgency:
    """How urgent the case is now, and which countdown shows it.

    ``case_clocks`` may be given when the caller keeps ``clocks(case, cfg)`` cached: they depend
    on the case and the settings only, not on ``now``. ``windows``: ``soon_windows(now, cfg)``,
    when the caller asks for many cases at one ``now``.
    """
    best_rank, best = most_urgent(clocks(case, cfg) if case_clocks is None else case_clocks, now,
                                  windows or soon_windows(now, cfg))
    if best is None:
        return _CALM
    level = "overdue" if best_rank in OVERDUE else "soon" if best_rank in (1, 3) else "ok"
    return Urgency(level, best.hard, best, best_rank)


OVERDUE = (2, 4)  # the ranks of a clock past its due (soft, hard): urgency's level "overdue"


def most_urgent(case_clocks: list[Clock], now: datetime, windows: tuple[datetime, datetime]) -> tuple[int, Clock | None]:
    """(rank, clock) of the clock ``urgency`` names, (-1, None) when none runs: what sorting every
    case needs, without an ``Urgency`` made for each."""
    best: Clock | None = None
    best_rank = -1
    hard_by, soft_by = windows
    for c in case_clocks:
        if c.met:
            continue
        r = _rank(c, now, hard_by, soft_by)
        if r > best_rank:  # clocks are sorted by due: the first of a rank is the earliest
            best, best_rank = c, r
    return best_rank, best


def whose_turn(case: Case) -> str:
    """me, supplier or platform: from the last word said in this stage, else the stage's default."""
    t = known_turn(case)
    if t is not None:
        return t
    if case.stage == "resolved":
        return "platform"  # the outcome is recorded; the refund or replacement is theirs to deliver
    last = None
    for m in reversed(case.messages):
        if m.sender != "note":
            last = m
            break
    if last is not None and last.at >= case.stage_entered_at:
        if last.sender in ("supplier", "platform"):
            return "me"
        return {"seller": "supplier", "dispute": "supplier"}.get(case.stage, "platform")
    return {"seller": "me", "dispute": "supplier", "evidence": "me", "mediation": "platform"}[case.stage]


def unresponsive(case: Case, cfg: Config, now: datetime, case_clocks: list[Clock] | None = None) -> bool:
    """The supplier has gone silent past their clock: the seed says escalate to mediation."""
    if case.stage == "seller":
        profile = cfg.profile(case.platform)
        waiting = unanswered(case)
        if len(waiting) >= int(profile.get("seller_unanswered_contacts", 3)):
            return True
        follow = next((r for r in profile.get("clocks", ()) if r["kind"] == "seller_followup"), None)
        if waiting and follow is not None and rule_due(follow, waiting[0], profile) <= now:
            return True
    for c in clocks(case, cfg) if case_clocks is None else case_clocks:  # (a loop, not any(): once a case in a digest)
        if c.party == "supplier" and not c.met and c.due <= now:
            return True
    return False


def span(delta: timedelta) -> str:
    """A duration in the board's short form: ``3d 4h``, ``5h 10m``, ``12m``, ``14d``."""
    secs = abs(int(delta.total_seconds()))
    d, rem = divmod(secs, 86400)
    h, rem = divmod(rem, 3600)
    m = rem // 60
    if d:
        return f"{d}d {h}h" if d < 10 else f"{d}d"
    if h:
        return f"{h}h {m}m"
    return f"{m}m"


def countdown(due: datetime, now: datetime) -> str:
    """Short text for a card: ``3d 4h``, ``5h 10m``, ``12m``, ``overdue 2d``."""
    left = due - now
    if left.total_seconds() >= 0:
        return span(left)
    # Overdue: the coarse unit is enough, and keeps the card short.
    text = span(left)
    return f"overdue {text.split()[0]}"
