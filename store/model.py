"""The dispute domain: a case and everything it carries.

Plain dataclasses, no I/O. Money is ``Decimal``; every instant is timezone-aware
UTC. ``to_dict``/``from_dict`` define the stored (and exported) JSON shape:
decimals as strings, instants as ISO 8601 with offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from .errors import StoreError, ValidationError

STAGES = ("seller", "dispute", "evidence", "mediation", "resolved")
STAGE_TITLES = {
    "seller": "Seller contact",
    "dispute": "Dispute opened",
    "evidence": "Evidence",
    "mediation": "Mediation",
    "resolved": "Resolved",
}
PLATFORMS = ("alibaba", "aliexpress", "paypal", "amazon")
REASONS = ("damaged", "wrong_item", "not_received", "quality", "short_shipment", "payment", "other")
RESOLUTIONS = ("full_refund", "partial_refund", "replacement", "return_refund", "other")
EVIDENCE_KINDS = (
    "photo", "video", "invoice", "receipt", "contract", "correspondence", "shipping", "inspection", "other",
)
OUTCOMES = ("refunded", "partially_refunded", "replaced", "compensated", "rejected", "withdrawn")
SENDERS = ("me", "supplier", "platform", "note")
TURNS = ("me", "supplier", "platform")
PROPOSAL_STATUSES = ("open", "accepted", "rejected", "countered")

CASE_ID_RE = re.compile(r"^D-(\d{4,})$", re.IGNORECASE)


def case_id(number: int) -> str:
    return f"D-{number:04d}"


def case_number(cid: str) -> int:
    """``"D-0042"`` -> 42; also accepts ``d-42`` and a bare ``42`` as a user would type them."""
    if cid[:2] == "D-" and cid.isascii() and cid[2:].isdigit() and cid[2:].strip("0"):
        return int(cid[2:])  # the stored form: no pattern to match (sorting 10k cases asks 10k times)
    text = cid.strip()
    m = re.fullmatch(r"(?:[Dd]-?)?0*(\d+)", text)
    if not m or int(m.group(1)) == 0:
        raise ValidationError(f"not a case id: {cid!r} (expected like D-0042)")
    return int(m.group(1))


def choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    v = value.strip().lower() if isinstance(value, str) else ""
    if v not in allowed:
        shown = value if isinstance(value, str) and len(value) <= 40 else str(value)[:40]
        raise ValidationError(f"unknown {what} {shown!r} (expected one of: {', '.join(allowed)})", field=what)
    return v


def money(value: Any, what: str = "amount", currency: str | None = None) -> Decimal:
    """Parse an amount exactly (``store.money.amount``: no floats, negatives, NaN, exponents,
    ambiguous commas, more than 10^12). With ``currency``, at most its minor-unit digits; without
    it, the case validator checks them against the case's currency before anything is saved."""
    from . import money as _money

    return _money.amount(value, currency, what)


def utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValidationError(f"instant without a time zone: {dt.isoformat()}")
    return dt.astimezone(timezone.utc)


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is _UTC:  # as the readers make them: astimezone would hand back dt itself
        return dt.isoformat()
    return dt.astimezone(_UTC).isoformat()


_UTC = timezone.utc


def from_iso(text: str | None) -> datetime | None:
    if text is None or text == "":
        return None
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def _str_dec(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


@dataclass
class Message:
    at: datetime
    sender: str  # me | supplier | platform | note
    text: str
    by: str = ""  # the box user who logged it

    def to_dict(self) -> dict:
        return {"at": iso(self.at), "from": self.sender, "text": self.text, "by": self.by}

    @classmethod
    def from_dict(cls, d: dict) -> Message:
        return cls(from_iso(d["at"]), d["from"], d.get("text", ""), d.get("by", ""))


@dataclass
class Evidence:
    path: str
    kind: str
    note: str
    added_at: datetime
    size: int
    sha256: str
    by: str = ""

    def to_dict(self) -> dict:
        return {
            "path": self.path, "kind": self.kind, "note": self.note, "added_at": iso(self.added_at),
            "size": self.size, "sha256": self.sha256, "by": self.by,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Evidence:
        return cls(
            d["path"], d.get("kind", "other"), d.get("note", ""), from_iso(d.get("added_at")),
            int(d.get("size", 0)), d.get("sha256", ""), d.get("by", ""),
        )


@dataclass
class Deadline:
    """A deadline the user entered (e.g. the platform's evidence due time)."""

    kind: str
    due: datetime
    hard: bool = True
    note: str = ""
    met_at: datetime | None = None
    # The offset the user typed it with, in minutes east of UTC, so it can be shown back as given.
    offset_minutes: int = 0

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "due": iso(self.due), "hard": self.hard, "note": self.note,
            "met_at": iso(self.met_at), "offset_minutes": self.offset_minutes,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Deadline:
        return cls(
            d["kind"], from_iso(d["due"]), bool(d.get("hard", True)), d.get("note", ""),
            from_iso(d.get("met_at")), int(d.get("offset_minutes", 0)),
        )


@dataclass
class Proposal:
    at: datetime
    sender: str  # me | supplier
    kind: str  # e.g. partial_refund, full_refund, replacement
    amount: Decimal
    status: str = "open"

    def to_dict(self) -> dict:
        return {"at": iso(self.at), "from": self.sender, "kind": self.kind,
                "amount": str(self.amount), "status": self.status}

    @classmethod
    def from_dict(cls, d: dict) -> Proposal:
        return cls(from_iso(d["at"]), d["from"], d["kind"], Decimal(d["amount"]), d.get("status", "open"))


@dataclass
class HistoryEntry:
    at: datetime
    user: str
    action: str
    detail: str = ""
    # What the change replaced, per top-level field: {"set": old} or {"truncate": old_length}
    # for a list that only grew. Enough to undo it without keeping whole copies.
    undo: dict | None = None
    # For "undo" and "redo" entries: the index (in the history) of the entry they reverted.
    ref: int | None = None

    def to_dict(self) -> dict:
        d = {"at": iso(self.at), "user": self.user, "action": self.action, "detail": self.detail}
        if self.undo:
            d["undo"] = self.undo
        if self.ref is not None:
            d["ref"] = self.ref
        return d

    @classmethod
    def from_dict(cls, d: dict) -> HistoryEntry:
        return cls(from_iso(d["at"]), d.get("user", ""), d.get("action", ""), d.get("detail", ""),
                   d.get("undo"), d.get("ref"))


_DATE_FIELDS = ("paid_at", "shipped_at", "received_at", "opened_at", "escalated_at", "closed_at",
                "snoozed_until", "created_at", "stage_entered_at", "delivery_estimate")
_MONEY_FIELDS = ("amount", "claimed", "recovered")


@dataclass
class Case:
    id: str
    order: str
    supplier: str
    reason: str
    amount: Decimal
    created_at: datetime
    stage_entered_at: datetime
    currency: str = "USD"
    platform: str = "alibaba"
    platform_ref: str = ""
    supplier_contact: str = ""
    title: str = ""
    product: str = ""
    description: str = ""
    want: str = "full_refund"
    claimed: Decimal | None = None  # amount claimed; None means the whole order amount
    recovered: Decimal | None = None
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    received_at: datetime | None = None
    delivery_estimate: datetime | None = None
    opened_at: datetime | None = None
    escalated_at: datetime | None = None
    closed_at: datetime | None = None
    snoozed_until: datetime | None = None
    stage: str = "seller"
    complex: bool = False
    priority: int = 0
    owner: str = ""
    tags: list[str] = field(default_factory=list)
    outcome: str | None = None
    statement: str = ""
    messages: list[Message] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    # Deadline warnings `disputes notify` delivered: {"kind", "due", "threshold", "at", "to"} each,
    # so a cron run never sends the same warning twice (store.notify).
    notified: list[dict] = field(default_factory=list)
    created_by: str = ""
    rev: int = 0
    # Not a field (never stored): True on a case read for the board without its heavy fields
    # (``store.light``). ``to_dict`` refuses one, so it can never be written back.
    light = False

    @property
    def number(self) -> int:
        return case_number(self.id)

    @property
    def claim(self) -> Decimal:
        return self.amount if self.claimed is None else self.claimed

    @property
    def stage_title(self) -> str:
        return STAGE_TITLES[self.stage]

    def last_change(self) -> HistoryEntry | None:
        return self.history[-1] if self.history else None

    # -- serialisation -------------------------------------------------------------------------
    def writable(self) -> None:
        """StoreError for a light case: it is for drawing only (``to_dict`` and the validator,
        which every write passes, both ask first)."""
        if self.light:
            raise StoreError(f"internal: {self.id} was read without its history and message texts (a light "
                             f"case, for drawing only); it cannot be written or exported: read it with get()")

    def to_dict(self) -> dict:
        self.writable()
        d: dict[str, Any] = {}
        for name, kind in _LAYOUT:
            v = getattr(self, name)
            if kind is None:
                d[name] = v
            elif kind is _RECORDS:
                d[name] = [x.to_dict() for x in v]
            elif kind is iso:
                d[name] = None if v is None else v.isoformat() if v.tzinfo is _UTC else iso(v)
            else:
                d[name] = kind(v)
        return d


_RECORDS = object()
_KINDS = {**dict.fromkeys(_DATE_FIELDS, iso), **dict.fromkeys(_MONEY_FIELDS, _str_dec), "tags": list,
          "notified": lambda v: [dict(x) for x in v],
          **dict.fromkeys(("messages", "evidence", "deadlines", "proposals", "history"), _RECORDS)}
# Case.to_dict's plan, field by field in their order: how each is written (None: as it is)
_LAYOUT = tuple((f.name, _KINDS.get(f.name)) for f in fields(Case))
