"""The query language of `/` and `disputes list --query`.

    stage:dispute turn:me due<3d amount>500 supplier:ningbo owner:li tag:urgent
    platform:paypal reason:damaged hard<2d overdue unresponsive snoozed mine  free words

Terms combine with AND; ``-term`` negates one. Values may be quoted (``supplier:"ningbo bright"``).
Free words match the id, order number, supplier and title (case-insensitive substrings).
Durations: ``90m``, ``48h``, ``3d``, ``2w``. A bad query raises QueryError saying what is
wrong and at which column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Callable

import msgspec

from .clocks import Clock, clocks, most_urgent, next_deadline, soon_windows, span as _ago, unresponsive, urgency, whose_turn
from .errors import ValidationError
from .model import PLATFORMS, REASONS, STAGES, TURNS, Case

if TYPE_CHECKING:  # for annotations only: config imports query (a view's query is checked)
    from .config import Config

FIELDS = ("stage", "turn", "due", "hard", "amount", "supplier", "owner", "tag", "platform", "reason", "id", "order")
FLAGS = ("overdue", "unresponsive", "snoozed", "mine", "soon")
_TOKEN = re.compile(r'\s*(-?)([A-Za-z_]+)(:|<=|>=|<|>|=)("([^"]*)"|\S*)|\s*(-?)("([^"]*)"|\S+)')
_DURATION = re.compile(r"^(-?\d+(?:\.\d+)?)([mhdw])$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
# Durations and amounts a query may compare: beyond them a comparison overflows or means nothing.
MAX_SPAN = timedelta(days=200 * 365)
MAX_AMOUNT = Decimal("1e15")


class QueryError(ValidationError):
    pass


@dataclass(frozen=True)
class Context:
    now: datetime
    cfg: Config
    user: str
    # The board keeps each case's clocks cached per revision (they do not depend on ``now``);
    # given here, clock terms (due, hard, overdue, unresponsive) reuse them instead of
    # recomputing the platform rules for every case on every keystroke.
    case_clocks: Callable[[Case], list[Clock]] | None = None

    def clocks(self, case: Case) -> list[Clock]:
        return self.case_clocks(case) if self.case_clocks is not None else clocks(case, self.cfg)


Pred = Callable[[Case, Context], bool]


def _duration(text: str, col: int) -> timedelta:
    m = _DURATION.match(text.strip().lower())
    if not m:
        raise QueryError(f"column {col}: {text!r} is not a duration (like 90m, 48h, 3d, 2w)")
    seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if not abs(seconds) <= MAX_SPAN.total_seconds():  # also refuses inf and nan
        raise QueryError(f"column {col}: {text!r} is too long a duration (at most {MAX_SPAN.days // 365} years)")
    return timedelta(seconds=seconds)


def _cmp(op: str) -> Callable[[object, object], bool]:
    return {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b, "=": lambda a, b: a == b, ":": lambda a, b: a == b}[op]


def _one_of(value: str, allowed: tuple[str, ...], field: str, col: int) -> str:
    v = value.lower()
    if v not in allowed:
        raise QueryError(f"column {col}: {field} {value!r} is not one of {', '.join(allowed)}")
    return v


def _term(field: str, op: str, value: str, col: int) -> Pred:
    f = field.lower()
    if f not in FIELDS:
        raise QueryError(f"column {col}: unknown field {field!r} (fields: {', '.join(FIELDS)})")
    if value == "":
        raise QueryError(f"column {col}: {field}{op} needs a value")
    text_ops = (":", "=")
    if f in ("stage", "turn", "platform", "reason", "supplier", "owner", "tag", "id", "order") and op not in text_ops:
        raise QueryError(f"column {col}: {field} takes ':' (like {field}:value), not {op!r}")
    if f == "stage":
        v = _one_of(value, STAGES, f, col)
        return lambda c, x: c.stage == v
    if f == "turn":
        v = _one_of(value, TURNS, f, col)
        return lambda c, x: whose_turn(c) == v
    if f == "platform":
        v = _one_of(value, PLATFORMS, f, col)
        return lambda c, x: c.platform == v
    if f == "reason":
        v = _one_of(value, REASONS, f, col)
        return lambda c, x: c.reason == v
    if f == "supplier":
        v = value.casefold()
        return lambda c, x: v in c.supplier.casefold()
    if f == "owner":
        v = value
        return lambda c, x: c.owner == (x.user if v.lower() == "me" else v)
    if f == "tag":
        v = value.casefold()
        return lambda c, x: any(t.casefold() == v for t in c.tags)
    if f == "id":
        v = value.casefold()
        return lambda c, x: v in c.id.casefold()
    if f == "order":
        v = value.casefold()
        return lambda c, x: v in c.order.casefold()
    if f == "amount":
        if op == ":":
            op = "="
        try:
            amount = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise QueryError(f"column {col}: amount {value!r} is not a number") from None
        if not amount.is_finite() or abs(amount) > MAX_AMOUNT:  # NaN cannot be compared at all
            raise QueryError(f"column {col}: amount {value!r} is not a number between -1e15 and 1e15")
        cmp = _cmp(op)
        return lambda c, x: cmp(c.claim, amount)
    if op in (":", "="):
        raise QueryError(f"column {col}: {field} compares a duration: use {field}<3d or {field}>12h")
    span = _duration(value, col)
    cmp = _cmp(op)
    if f == "due":
        def due(c: Case, x: Context) -> bool:
            nd = next_deadline(c, x.cfg, x.now, x.clocks(c))
            return nd is not None and cmp(nd.due - x.now, span)
        return due

    def hard(c: Case, x: Context) -> bool:  # any unmet hard deadline within/beyond the span
        return any(k.hard and not k.met and cmp(k.due - x.now, span) for k in x.clocks(c))
    return hard


def _flag(word: str) -> Pred | None:
    w = word.lower()
    if w == "overdue":
        return lambda c, x: urgency(c, x.cfg, x.now, x.clocks(c)).level == "overdue"
    if w == "soon":
        return lambda c, x: urgency(c, x.cfg, x.now, x.clocks(c)).level == "soon"
    if w == "unresponsive":
        return lambda c, x: unresponsive(c, x.cfg, x.now, x.clocks(c))
    if w == "snoozed":
        return lambda c, x: c.snoozed_until is not None and c.snoozed_until > x.now
    if w == "mine":
        return lambda c, x: c.owner == x.user
    return None


def _word(word: str) -> Pred:
    v = word.casefold()
    return lambda c, x: (v in c.id.casefold() or v in c.order.casefold() or v in c.supplier.casefold()
                         or v in c.title.casefold())


def is_plain(query: str) -> bool:
    """Only free words (no field terms, flags, negation or quotes): a plain text search, which
    callers may answer from a cached search key instead of the compiled query."""
    for word in query.split():
        if word.startswith(("-", '"')) or word.lower() in FLAGS or any(ch in word for ch in ':<>="'):
            return False
    return True


def parse(query: str) -> Pred:
    """Compile a query into one predicate. Raises QueryError naming the column (1-based)."""
    preds: list[Pred] = []
    pos = 0
    q = query.rstrip()
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if not m or m.end() == pos:
            raise QueryError(f"column {pos + 1}: cannot read the query here: {q[pos:pos + 20]!r}")
        col = m.start() + len(m.group(0)) - len(m.group(0).lstrip()) + 1
        if m.group(2) is not None:
            neg, field, op = m.group(1), m.group(2), m.group(3)
            value = m.group(5) if m.group(5) is not None else m.group(4)
            if m.group(5) is None and value.startswith('"'):
                raise QueryError(f"column {col}: unclosed quote")
            pred = _term(field, op, value, col)
        else:
            neg = m.group(6)
            raw = m.group(7)
            if raw.startswith('"') and not (len(raw) > 1 and raw.endswith('"')):
                raise QueryError(f"column {col}: unclosed quote")
            word = m.group(8) if m.group(8) is not None else raw
            if word.startswith('"'):
                word = word.strip('"')
            pred = _flag(word) if m.group(8) is None else None
            if pred is None:
                if re.fullmatch(r"[A-Za-z_]+[<>=]+.*", word):
                    raise QueryError(f"column {col}: cannot read {word!r} (like amount>500 or due<3d)")
                pred = _word(word)
        if neg:
            inner = pred
            pred = lambda c, x, inner=inner: not inner(c, x)  # noqa: E731
        preds.append(pred)
        pos = m.end()
    if not preds:
        return lambda c, x: True
    return lambda c, x: all(p(c, x) for p in preds)


# -- triage ------------------------------------------------------------------------------
class Triage(msgspec.Struct, frozen=True, gc=False):
    """A case in the daily order (``triage``). A struct, not a frozen dataclass: one is made for
    every case each time Today or the digest is built, and a frozen dataclass's init (each field
    set through object.__setattr__) took 1 us of it, 30 ms at 30,000 cases; a struct's, 0.1 us.
    Untracked by the collector: it refers to its case and clock, neither ever to it."""

    case: Case
    score: float
    why: tuple[str, ...]
    # The deadline the first reason refers to (None when it refers to none): the digest's
    # next_deadline, so "hard deadline passed: X" comes with X's due time, not another clock's.
    deadline: Clock | None = None
    # The weight of the first reason (its tier in the daily order, from the config), and the
    # due time of the countdown the case shows (``clocks.urgency``, Today's "due" column):
    # within a tier the nearer one comes first.
    weight: float = 0.0
    due: datetime | None = None

    def to_dict(self, now: datetime) -> dict:
        return {"id": self.case.id, "score": round(self.score, 2), "why": list(self.why),
                "stage": self.case.stage, "supplier": self.case.supplier, "title": self.case.title,
                "amount": str(self.case.claim), "currency": self.case.currency}


def triage(case: Case, cfg: Config, now: datetime, case_clocks: list[Clock] | None = None,
           weights: tuple | None = None) -> Triage:
    """Score a case for the daily order, with the reasons it needs attention.

    Overdue hard deadlines first, then hard deadlines within 48 hours, then cases waiting on
    me, unresponsive suppliers, overdue soft expectations; amount and days in stage break ties.
    ``case_clocks``: ``clocks(case, cfg)`` if the caller has it already (the board caches it).
    ``weights``: ``triage_weights(cfg, now)``, when the caller triages many cases at one ``now``.
    """
    return _triage(case, cfg, now, clocks(case, cfg) if case_clocks is None else case_clocks,
                   _weights(cfg, now) if weights is None else weights)


def triage_weights(cfg: Config, now: datetime) -> tuple:
    """What every case's triage at ``now`` shares (``triage``'s ``weights``)."""
    return _weights(cfg, now)


def _weights(cfg: Config, now: datetime) -> tuple:
    """What every case's triage at ``now`` shares: the ends of the soon windows (hard, soft:
    ``clocks.soon_windows``) and the weights."""
    w = cfg.data.get("triage", {})
    return (*soon_windows(now, cfg),
            *(float(w.get(k, d)) for k, d in (("overdue_hard", 1000), ("hard_soon", 500), ("my_turn", 200),
                                              ("unresponsive", 100), ("overdue_soft", 50),
                                              ("per_amount_digit", 4), ("per_day_in_stage", 0.5))))


def _triage(case: Case, cfg: Config, now: datetime, all_clocks: list[Clock], weights: tuple) -> Triage:
    return _needs(case, cfg, now, all_clocks, weights) or Triage(case, 0.0, ())


def _needs(case: Case, cfg: Config, now: datetime, all_clocks: list[Clock], weights: tuple) -> Triage | None:
    """``_triage``, None for a case needing nothing (``today`` makes no Triage to drop for it)."""
    hard_by, soft_by, w_late_hard, w_soon_hard, w_mine, w_silent, w_late_soft, w_digit, w_day = weights
    # One pass over the open clocks (soonest first): the first of each kind is the one named.
    late_hard = soon_hard = late_soft = first_me = first_supplier = None
    for k in all_clocks:
        if k.met:
            continue
        due = k.due
        if k.hard:
            if due <= now:
                if late_hard is None:
                    late_hard = k
            elif due <= hard_by and soon_hard is None:
                soon_hard = k
        elif due <= now and late_soft is None and k.party != "supplier":
            late_soft = k
        party = k.party
        if party == "me":
            if first_me is None:
                first_me = k
        elif party == "supplier" and first_supplier is None:
            first_supplier = k
    score = 0.0
    why: list[str] = []
    weight = 0.0  # the first reason's
    first: Clock | None = None
    if late_hard is not None:
        score += w_late_hard
        weight = weight or w_late_hard
        why.append(f"hard deadline passed: {late_hard.label} ({_ago(now - late_hard.due)} ago)")
        first = late_hard
    if soon_hard is not None:
        score += w_soon_hard
        weight = weight if why else w_soon_hard
        why.append(f"hard deadline in {_ago(soon_hard.due - now)}: {soon_hard.label}")
        first = first or soon_hard
    if case.stage != "resolved" and whose_turn(case) == "me":
        score += w_mine
        if not why:
            weight, first = w_mine, first_me
        why.append("waiting on me")
    if unresponsive(case, cfg, now, all_clocks):
        score += w_silent
        if not why:
            weight, first = w_silent, first_supplier
        why.append("supplier unresponsive: escalate")
    if late_soft is not None:
        score += w_late_soft
        if not why:
            weight, first = w_late_soft, late_soft
        why.append(f"overdue: {late_soft.label} ({_ago(now - late_soft.due)} ago)")
    if not why:
        return None
    score += w_digit * math.log10(float(case.claim) + 1)
    days = min(max((now - case.stage_entered_at).total_seconds() / 86400, 0), 60)
    score += w_day * days
    shown = most_urgent(all_clocks, now, (hard_by, soft_by))[1]  # urgency(...).clock, the windows made once
    return Triage(case, score, tuple(why), first, weight, shown.due if shown else None)


def is_snoozed(case: Case, now: datetime) -> bool:
    return case.snoozed_until is not None and case.snoozed_until > now


def today(cases: list[Case], cfg: Config, now: datetime,
          triage_of: Callable[[Case], Triage] | None = None) -> list[Triage]:
    """Cases needing action now, most urgent first; snoozed ones stay out until they wake.

    By the first reason's weight (hard deadline passed, hard deadline soon, waiting on me, ...,
    weights from the config); within a reason the nearer due time first (the countdown the case
    shows; overdue ones before); then the score (amount, days in stage); then the id.
    ``triage_of``: ``triage(case, cfg, now)`` from the caller's cache (the board's)."""
    if triage_of is None:
        weights = _weights(cfg, now)  # once, not once a case
        out = [t for t in (_needs(c, cfg, now, clocks(c, cfg), weights) for c in cases if not is_snoozed(c, now))
               if t is not None]
    else:
        out = [t for t in (triage_of(c) for c in cases if not is_snoozed(c, now)) if t.why]
    out.sort(key=lambda t: (-t.weight, t.due.timestamp() if t.due else math.inf, -t.score, t.case.number))
    return out
