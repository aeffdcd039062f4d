"""Proposals and counter-proposals, ops-style: each function changes a case in memory and
returns ``(action, detail)`` for the history; bad input raises ValidationError before any change.
Run them through ``store.update(id, fn)``.

The rules, as a buyer expects them:

- At most one proposal is open at a time. A new proposal (from either side) answers the open
  one, which becomes ``countered``; the detail says which one it counters.
- A proposal is answered with ``respond``: ``rejected`` closes it; ``accepted`` is an
  agreement (it does not matter whose proposal it was: both sides now agree), so the case
  moves to Resolved at once, with the proposal's amount as the amount recovered and an outcome
  from its kind: a refund of the whole claim is ``refunded``, a smaller one
  ``partially_refunded``; a replacement ``replaced`` (its amount is the value of the goods
  replaced, and may be 0); compensation ``compensated``. Resolved is the stage where "the
  outcome is recorded, refund or replacement awaited" (DOMAIN.md), and the profile's
  "refund should start" clock runs from that moment, which is what a buyer needs next.
- Accepting never changes the amount claimed: recovered against claimed is what the outcome
  statistics measure, so a 600 settlement on a 1,250 claim stays a 48% recovery.
- A resolved case takes no new proposals and no answers; move it back first (``undo`` also
  reverts an acceptance in one step: stage, outcome and the proposal's status together).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from . import ops
from .errors import ValidationError
from .model import Case, Proposal, choice, money
from .money import digits

PARTIES = ("me", "supplier")
PROPOSAL_KINDS = ("partial_refund", "full_refund", "return_refund", "replacement", "compensation")
REFUND_KINDS = ("partial_refund", "full_refund", "return_refund")
ANSWERS = ("accepted", "rejected")


def _fmt(case: Case, p: Proposal, index: int) -> str:
    return f"#{index} {p.sender} {p.kind} {digits(p.amount, case.currency)} {case.currency}"


def open_proposal(case: Case) -> tuple[int, Proposal] | None:
    """The open proposal (1-based index), if any."""
    for i in range(len(case.proposals), 0, -1):
        if case.proposals[i - 1].status == "open":
            return i, case.proposals[i - 1]
    return None


def outcome_for(case: Case, p: Proposal) -> str:
    if p.kind in REFUND_KINDS:
        return "refunded" if p.amount >= case.claim else "partially_refunded"
    if p.kind == "replacement":
        return "replaced"
    return "compensated"


def _not_resolved(case: Case) -> None:
    if case.stage == "resolved":
        raise ValidationError(f"{case.id} is already resolved ({case.outcome}); move it back to negotiate again")


def offer(case: Case, sender: str, kind: str, amount: str | Decimal | None, now: datetime) -> tuple[str, str]:
    """Record a proposal from ``me`` or the ``supplier``. ``amount`` may be omitted only for a
    full refund (it is then the amount claimed)."""
    sender = choice(sender, PARTIES, "party")
    kind = choice(kind, PROPOSAL_KINDS, "proposal kind")
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        if kind != "full_refund":
            raise ValidationError(f"a {kind} proposal needs an amount")
        value = case.claim
    else:
        value = money(amount, "proposal amount", case.currency)
    if value > case.amount:
        raise ValidationError(f"proposal amount {value} is more than the order amount {case.amount} {case.currency}")
    if value == 0 and kind in REFUND_KINDS + ("compensation",):
        raise ValidationError(f"a {kind} of 0 is not a proposal")
    _not_resolved(case)
    prev = open_proposal(case)
    p = Proposal(now, sender, kind, value, "open")
    case.proposals.append(p)
    detail = _fmt(case, p, len(case.proposals))
    if prev is not None:
        prev[1].status = "countered"
        detail += f", counters #{prev[0]}"
    return "offer", detail


def respond(case: Case, index: int | None, status: str, now: datetime) -> tuple[str, str]:
    """Answer a proposal (1-based ``index``; None means the open one) with accepted or rejected."""
    status = choice(status, ANSWERS, "answer")
    if index is None:
        found = open_proposal(case)
        if found is None:
            raise ValidationError(f"{case.id} has no open proposal")
        index, p = found
    else:
        if not 1 <= index <= len(case.proposals):
            n = len(case.proposals)
            raise ValidationError(f"{case.id} has no proposal #{index} "
                                  f"({'no proposals yet' if not n else f'#1 to #{n}'})")
        p = case.proposals[index - 1]
    if p.status != "open":
        raise ValidationError(f"proposal #{index} of {case.id} is {p.status}, not open")
    _not_resolved(case)
    what = _fmt(case, p, index)
    if status == "rejected":
        p.status = "rejected"
        return "offer", f"rejected {what}"
    outcome = outcome_for(case, p)
    _, moved = ops.move(case, "resolved", now, outcome, p.amount)
    p.status = "accepted"
    return "accept", f"accepted {what}: {moved}"


__all__ = ["offer", "respond", "open_proposal", "outcome_for", "PARTIES", "PROPOSAL_KINDS", "ANSWERS"]
