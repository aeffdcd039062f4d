"""What the disputes actually recovered: pure functions over cases, no I/O.

A case counts once it is Resolved with an outcome. For each: the amount claimed (the claim, or
the whole order amount when none was set) against the amount recovered, and the days from the
dispute being opened to its resolution against the profile's expected resolution clock (2-3
weeks on Alibaba, longer for a complex case). A case resolved without a dispute ever being
opened (settled at seller contact) has no dispute time and is left out of the day figures.

Won means the buyer got something: refunded, partially refunded, replaced or compensated;
rejected and withdrawn are not wins. Money is never added across currencies: every total and
every recovered share is per currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from .clocks import rule_due
from .config import Config
from .model import Case

WINS = ("refunded", "partially_refunded", "replaced", "compensated")
DEFAULT_EXPECTED_DAYS = 21


@dataclass(frozen=True)
class CaseOutcome:
    id: str
    supplier: str
    reason: str
    outcome: str
    currency: str
    claimed: Decimal
    recovered: Decimal
    won: bool
    days: float | None  # dispute opened -> resolved
    expected_days: float | None
    on_time: bool | None

    @property
    def share(self) -> Decimal | None:
        return None if not self.claimed else self.recovered / self.claimed


def _expected_due(case: Case, cfg: Config | None) -> datetime | None:
    if case.opened_at is None:
        return None
    if cfg is None:
        return case.opened_at + timedelta(days=DEFAULT_EXPECTED_DAYS)
    try:
        profile = cfg.profile(case.platform)
    except KeyError:
        return case.opened_at + timedelta(days=DEFAULT_EXPECTED_DAYS)
    rule = next((r for r in profile.get("clocks", ()) if r.get("kind") == "expected_resolution"), None)
    if rule is None:
        return case.opened_at + timedelta(days=DEFAULT_EXPECTED_DAYS)
    extra = int(profile.get("complex_extra_days", 0)) if case.complex else 0
    return rule_due(rule, case.opened_at, profile, extra)


def case_outcome(case: Case, cfg: Config | None = None) -> CaseOutcome | None:
    """The outcome figures of one resolved case; None while it is not resolved."""
    if case.stage != "resolved" or not case.outcome:
        return None
    recovered = case.recovered or Decimal("0")
    days = expected = on_time = None
    if case.opened_at is not None and case.closed_at is not None and case.closed_at >= case.opened_at:
        days = (case.closed_at - case.opened_at).total_seconds() / 86400
        due = _expected_due(case, cfg)
        if due is not None:
            expected = (due - case.opened_at).total_seconds() / 86400
            on_time = case.closed_at <= due
    return CaseOutcome(case.id, case.supplier, case.reason, case.outcome, case.currency, case.claim, recovered,
                       case.outcome in WINS, days, expected, on_time)


@dataclass
class Group:
    key: str
    count: int = 0
    wins: int = 0
    claimed: dict[str, Decimal] = field(default_factory=dict)
    recovered: dict[str, Decimal] = field(default_factory=dict)
    days: list[float] = field(default_factory=list)
    on_time: int = 0
    timed: int = 0  # cases with an expected time to compare against

    def add(self, o: CaseOutcome) -> None:
        self.count += 1
        self.wins += o.won
        self.claimed[o.currency] = self.claimed.get(o.currency, Decimal("0")) + o.claimed
        self.recovered[o.currency] = self.recovered.get(o.currency, Decimal("0")) + o.recovered
        if o.days is not None:
            self.days.append(o.days)
        if o.on_time is not None:
            self.timed += 1
            self.on_time += o.on_time

    @property
    def win_rate(self) -> float | None:
        return None if not self.count else self.wins / self.count

    @property
    def share(self) -> dict[str, Decimal]:
        """Recovered / claimed, per currency (a currency with nothing claimed is left out)."""
        return {cur: self.recovered[cur] / c for cur, c in sorted(self.claimed.items()) if c}

    @property
    def mean_days(self) -> float | None:
        return None if not self.days else sum(self.days) / len(self.days)

    def to_dict(self) -> dict:
        return {
            "key": self.key, "count": self.count, "wins": self.wins,
            "win_rate": None if self.win_rate is None else round(self.win_rate, 4),
            "claimed": {k: str(v) for k, v in sorted(self.claimed.items())},
            "recovered": {k: str(v) for k, v in sorted(self.recovered.items())},
            "recovered_share": {k: float(v.quantize(Decimal("0.0001"), ROUND_HALF_UP))
                                for k, v in self.share.items()},
            "mean_days": None if self.mean_days is None else round(self.mean_days, 1),
            "timed": self.timed, "on_time": self.on_time,
        }


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def group_by(outcomes: list[CaseOutcome], key) -> list[Group]:
    """Groups by ``key(outcome)``; names differing only in spacing or letter case are one group
    (shown as first seen). Most cases first, then by name."""
    groups: dict[str, Group] = {}
    for o in outcomes:
        k = key(o)
        g = groups.get(_norm(k))
        if g is None:
            g = groups[_norm(k)] = Group(" ".join(k.split()))
        g.add(o)
    return sorted(groups.values(), key=lambda g: (-g.count, g.key.casefold()))


@dataclass
class Stats:
    total: Group
    by_supplier: list[Group]
    by_reason: list[Group]
    by_outcome: dict[str, int]
    open_count: int
    open_claimed: dict[str, Decimal]

    def to_dict(self) -> dict:
        t = self.total.to_dict()
        t.pop("key")
        return {
            "resolved": t,
            "open": {"count": self.open_count,
                     "claimed": {k: str(v) for k, v in sorted(self.open_claimed.items())}},
            "by_outcome": dict(self.by_outcome),
            "by_supplier": [g.to_dict() for g in self.by_supplier],
            "by_reason": [g.to_dict() for g in self.by_reason],
        }


def stats(cases: list[Case], cfg: Config | None = None) -> Stats:
    outcomes = [o for o in (case_outcome(c, cfg) for c in cases) if o is not None]
    total = Group("all")
    for o in outcomes:
        total.add(o)
    by_outcome: dict[str, int] = {}
    for o in outcomes:
        by_outcome[o.outcome] = by_outcome.get(o.outcome, 0) + 1
    open_cases = [c for c in cases if c.stage != "resolved"]
    open_claimed: dict[str, Decimal] = {}
    for c in open_cases:
        open_claimed[c.currency] = open_claimed.get(c.currency, Decimal("0")) + c.claim
    return Stats(total, group_by(outcomes, lambda o: o.supplier), group_by(outcomes, lambda o: o.reason),
                 dict(sorted(by_outcome.items(), key=lambda kv: -kv[1])), len(open_cases), open_claimed)


# -- trends over time ---------------------------------------------------------------------------
# Weeks start on Monday and months on the 1st, both in UTC (the store's time): a case opened on
# the board (its created_at) counts in the week or month it was created; a resolved one in the
# week or month it closed. The windows end at ``now`` and reach back ``weeks`` / ``months``
# whole periods, the current one included, so an empty week shows as a zero, not a gap.

@dataclass(frozen=True)
class WeekCount:
    start: date  # the Monday (UTC)
    opened: int
    resolved: int


@dataclass(frozen=True)
class MonthMoney:
    month: str  # "YYYY-MM"
    claimed: Decimal  # claimed by the cases opened that month
    recovered: Decimal  # recovered by the cases resolved that month


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _utc_date(dt: datetime) -> date:
    return dt.astimezone(timezone.utc).date()


def weekly_counts(cases: list[Case], now: datetime, weeks: int = 12) -> list[WeekCount]:
    """Cases opened and resolved per week, the last ``weeks`` weeks up to ``now``, oldest first."""
    last = _monday(_utc_date(now))
    starts = [last - timedelta(weeks=weeks - 1 - i) for i in range(max(1, weeks))]
    opened = dict.fromkeys(starts, 0)
    resolved = dict.fromkeys(starts, 0)
    for c in cases:
        w = _monday(_utc_date(c.created_at))
        if w in opened and c.created_at <= now:
            opened[w] += 1
        if c.stage == "resolved" and c.closed_at is not None and c.closed_at <= now:
            w = _monday(_utc_date(c.closed_at))
            if w in resolved:
                resolved[w] += 1
    return [WeekCount(w, opened[w], resolved[w]) for w in starts]


def _month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _months_back(now: datetime, months: int) -> list[str]:
    d = _utc_date(now)
    y, m = d.year, d.month
    out = []
    for _ in range(max(1, months)):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def monthly_money(cases: list[Case], now: datetime, months: int = 12,
                  cfg: Config | None = None) -> dict[str, list[MonthMoney]]:
    """Per currency (never added across currencies), money claimed by the cases opened each month
    and recovered by the cases resolved each month, the last ``months`` months, oldest first.
    Only currencies with something in the window appear, in alphabetical order."""
    keys = _months_back(now, months)
    claimed: dict[str, dict[str, Decimal]] = {}
    recovered: dict[str, dict[str, Decimal]] = {}
    for c in cases:
        if c.created_at <= now:
            k = _month_key(_utc_date(c.created_at))
            if k in keys and c.claim:
                per = claimed.setdefault(c.currency, {})
                per[k] = per.get(k, Decimal(0)) + c.claim
        o = case_outcome(c, cfg)
        if o is not None and c.closed_at is not None and c.closed_at <= now:
            k = _month_key(_utc_date(c.closed_at))
            if k in keys and o.recovered:
                per = recovered.setdefault(c.currency, {})
                per[k] = per.get(k, Decimal(0)) + o.recovered
    out: dict[str, list[MonthMoney]] = {}
    for cur in sorted(set(claimed) | set(recovered)):
        cl, rc = claimed.get(cur, {}), recovered.get(cur, {})
        out[cur] = [MonthMoney(k, cl.get(k, Decimal(0)), rc.get(k, Decimal(0))) for k in keys]
    return out


@dataclass
class Trends:
    weeks: list[WeekCount]
    months: dict[str, list[MonthMoney]]


def trends(cases: list[Case], now: datetime, cfg: Config | None = None, weeks: int = 12,
           months: int = 12) -> Trends:
    return Trends(weekly_counts(cases, now, weeks), monthly_money(cases, now, months, cfg))


__all__ = ["CaseOutcome", "Group", "Stats", "case_outcome", "group_by", "stats", "WINS", "WeekCount",
           "MonthMoney", "Trends", "weekly_counts", "monthly_money", "trends"]
