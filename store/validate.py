"""The one validator: every field of a case, whichever way it came in.

``case_from_dict`` reads the stored/exported JSON shape (import, loading the database,
migrations, undo) and ``check_case`` checks a ``Case`` built in memory (``add``, the board's
forms, every ``store.update``). Both apply the same rules, field by field, from one table:
types, choices, amounts in their currency's minor units, instants 1970-2100 with offsets
within +/-14 h, text lengths. A refusal is a ``ValidationError`` naming the case and the field
(``.case_id``, ``.field``) in one line.
"""

from __future__ import annotations

import re
from dataclasses import fields as dataclass_fields
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable

import orjson

from . import dates, money
from .errors import ValidationError
from .model import (CASE_ID_RE, EVIDENCE_KINDS, OUTCOMES, PLATFORMS, PROPOSAL_STATUSES, REASONS, RESOLUTIONS,
                    SENDERS, STAGES, Case, Deadline, Evidence, HistoryEntry, Message, Proposal)

TITLE, SHORT, LINE, LONG = 200, 80, 500, 100_000
USER = 64
MAX_ITEMS = 100_000  # messages, evidence, history entries in one case
MAX_TAGS, TAG_LEN = 50, 40
MAX_INT = 2 ** 53
PARTIES = ("me", "supplier")
PROPOSAL_KINDS = ("partial_refund", "full_refund", "return_refund", "replacement", "compensation")
HAPPENED = ("paid_at", "shipped_at", "received_at")
TAG_RE = re.compile(r"[\w.\-]{1,40}")
_MISSING = object()
# What each rule accepts, as data, for the light decoder (store.light) to check in C: every rule
# below carries ``conv.shape``, a tuple naming its kind and bounds (("text", limit, required),
# ("instant", optional), ...). The shape may be *stricter* than the rule, never laxer: a value it
# refuses is handed to the rule itself, which accepts it or says why not.
# The stored form of an instant (``model.iso``) that ``instant`` returns as it is: UTC, 1970-2100.
STORED_INSTANT = (r"^(?:19[7-9][0-9]|20[0-9][0-9]|2100)-[0-9][0-9]-[0-9][0-9]T(?:[01][0-9]|2[0-3]):[0-5][0-9]"
                  r":[0-5][0-9](?:\.[0-9]{6})?\+00:00\Z")
NONBLANK = r"\S"  # a required text: ``not v.strip()`` is refused (re's \s is str.isspace)


class _Bad(Exception):
    """A field's value is wrong: the reason, without the field's name (the driver adds it)."""


# -- one rule per kind of value ---------------------------------------------------------------
def text(limit: int, required: bool = False) -> Callable[[Any], str]:
    def conv(v: Any) -> str:
        if not isinstance(v, str):
            raise _Bad(f"must be text, not {_type(v)}")
        if len(v) > limit:
            raise _Bad(f"is longer than {limit:,} characters ({len(v):,})")
        if required and not v.strip():
            raise _Bad("is empty")
        if not v.isascii():
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise _Bad("is not valid text (a lone surrogate)") from None
        return v
    conv.shape = ("text", limit, required)  # type: ignore[attr-defined]
    return conv


def one_of(allowed: tuple[str, ...], optional: bool = False) -> Callable[[Any], str | None]:
    def conv(v: Any) -> str | None:
        if v is None and optional:
            return None
        if not isinstance(v, str) or v not in allowed:
            shown = repr(v) if isinstance(v, str) and len(v) < 30 else _type(v)
            raise _Bad(f"is {shown}, not one of: {', '.join(allowed)}")
        return v
    conv.shape = ("one_of", allowed, optional)  # type: ignore[attr-defined]
    return conv


def instant(optional: bool = False) -> Callable[[Any], datetime | None]:
    def conv(v: Any) -> datetime | None:
        if v is None or (v == "" and optional):
            if optional:
                return None
            raise _Bad("is missing (null); every one needs a date")
        if v.__class__ is str:
            if len(v) > 40:
                raise _Bad("is not an ISO 8601 instant")
            try:
                dt = datetime.fromisoformat(v)
            except ValueError:
                raise _Bad(f"is not an ISO 8601 instant: {v[:40]!r}") from None
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=timezone.utc)
            elif dt.tzinfo is timezone.utc and 1970 <= dt.year <= 2100:
                return dt  # the stored form, in bounds: the common case, kept fast (STORED_INSTANT)
        elif isinstance(v, datetime):
            if v.__class__ is datetime and v.tzinfo is timezone.utc and dates.EARLIEST <= v <= dates.LATEST:
                return v  # what check_instant accepts, asked quicker: in memory, the common case
            dt = v
        else:
            raise _Bad(f"must be an ISO 8601 instant, not {_type(v)}")
        try:
            dates.check_instant(dt, "it")
        except ValidationError as exc:
            raise _Bad(str(exc).split(": ", 1)[-1]) from None
        return dt.astimezone(timezone.utc) if isinstance(v, str) else dt
    conv.model_types = (datetime, type(None))  # type: ignore[attr-defined]
    conv.shape = ("instant", optional)  # type: ignore[attr-defined]
    return conv


def amount(optional: bool = False) -> Callable[[Any], Decimal | None]:
    def conv(v: Any) -> Decimal | None:
        if v is None:
            if optional:
                return None
            raise _Bad("is missing (null)")
        try:
            return money.stored(v, None, "it")
        except ValidationError as exc:
            raise _Bad(str(exc).removeprefix("it ").removeprefix("it: ")) from None
    conv.model_types = (Decimal, int, type(None))  # type: ignore[attr-defined]
    conv.shape = ("amount", optional)  # type: ignore[attr-defined]
    return conv


def integer(lo: int, hi: int) -> Callable[[Any], int]:
    def conv(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise _Bad(f"must be a whole number, not {_type(v)}")
        if not lo <= v <= hi:
            raise _Bad(f"is {v}, outside {lo:,} to {hi:,}")
        return v
    conv.shape = ("int", lo, hi, False)  # type: ignore[attr-defined]
    return conv


def optional_int(lo: int, hi: int) -> Callable[[Any], int | None]:
    inner = integer(lo, hi)

    def conv(v: Any) -> int | None:
        return None if v is None else inner(v)
    conv.shape = ("int", lo, hi, True)  # type: ignore[attr-defined]
    return conv


def boolean(v: Any) -> bool:
    if not isinstance(v, bool):
        raise _Bad(f"must be true or false, not {_type(v)}")
    return v


boolean.shape = ("bool",)  # type: ignore[attr-defined]


def tags(v: Any) -> list[str]:
    if not isinstance(v, list):
        raise _Bad(f"must be a list of short words, not {_type(v)}")
    if len(v) > MAX_TAGS:
        raise _Bad(f"has {len(v)} tags; at most {MAX_TAGS}")
    for t in v:
        if not isinstance(t, str):
            raise _Bad(f"must hold words, not {_type(t)}")
        if not TAG_RE.fullmatch(t):
            raise _Bad(f"tag {t[:TAG_LEN]!r}: letters, digits, - _ . only, at most {TAG_LEN}")
    return list(v)


tags.shape = ("tags", MAX_TAGS, TAG_RE)  # type: ignore[attr-defined]


def undo(v: Any) -> dict | None:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise _Bad(f"must be an object, not {_type(v)}")
    for key, how in v.items():
        if key not in _CASE_ATTRS or key in ("history", "rev"):
            raise _Bad(f"names no field of a case: {str(key)[:30]!r}")
        if not isinstance(how, dict) or len(how) != 1 or not ({"set", "truncate"} & how.keys()):
            raise _Bad(f"{key}: must be {{\"set\": value}} or {{\"truncate\": n}}")
        if "truncate" in how:
            integer(0, MAX_ITEMS)(how["truncate"])
    return v


def notified(v: Any) -> list[dict]:
    """Warnings ``disputes notify`` delivered: objects of short scalars (and a list of addresses)."""
    if not isinstance(v, list):
        raise _Bad(f"must be a list, not {_type(v)}")
    if len(v) > MAX_ITEMS:
        raise _Bad(f"has {len(v):,} entries; at most {MAX_ITEMS:,}")
    for i, e in enumerate(v):
        if not isinstance(e, dict):
            raise _Bad(f"[{i}] must be an object, not {_type(e)}")
        for k, x in e.items():
            ok = (x is None or isinstance(x, (bool, int)) or (isinstance(x, str) and len(x) <= LINE)
                  or (isinstance(x, list) and len(x) <= 100 and all(isinstance(y, str) and len(y) <= LINE for y in x)))
            if not ok or len(k) > SHORT:
                raise _Bad(f"[{i}].{k[:SHORT]} must be short text, a number or a list of addresses")
    return [dict(e) for e in v]


def _type(v: Any) -> str:
    return {type(None): "null", bool: "true/false", int: "a number", float: "a float", str: "text",
            list: "a list", dict: "an object", Decimal: "a number", datetime: "a date"}.get(type(v), type(v).__name__)


# -- the table: (attribute, stored key, rule, default or _MISSING when required) ---------------
def items(cls: type, spec: list) -> Callable[[Any], list]:
    def conv(v: Any) -> list:
        if not isinstance(v, list):
            raise _Bad(f"must be a list, not {_type(v)}")
        if len(v) > MAX_ITEMS:
            raise _Bad(f"has {len(v):,} entries; at most {MAX_ITEMS:,}")
        return [_record(cls, spec, x, i) for i, x in enumerate(v)]
    conv.spec = spec  # type: ignore[attr-defined]
    conv.record = cls  # type: ignore[attr-defined]
    conv.shape = ("items", cls, spec, MAX_ITEMS)  # type: ignore[attr-defined]
    return conv


MESSAGE = [("at", "at", instant(), _MISSING), ("sender", "from", one_of(SENDERS), _MISSING),
           ("text", "text", text(LONG), ""), ("by", "by", text(USER), "")]
EVIDENCE = [("path", "path", text(4096, required=True), _MISSING), ("kind", "kind", one_of(EVIDENCE_KINDS), "other"),
            ("note", "note", text(LINE * 4), ""), ("added_at", "added_at", instant(), _MISSING),
            ("size", "size", integer(0, 2 ** 63 - 1), 0), ("sha256", "sha256", text(64), ""),
            ("by", "by", text(USER), "")]
DEADLINE = [("kind", "kind", text(SHORT, required=True), _MISSING), ("due", "due", instant(), _MISSING),
            ("hard", "hard", boolean, True), ("note", "note", text(LINE * 4), ""),
            ("met_at", "met_at", instant(optional=True), None),
            ("offset_minutes", "offset_minutes", integer(-14 * 60, 14 * 60), 0)]
PROPOSAL = [("at", "at", instant(), _MISSING), ("sender", "from", one_of(PARTIES), _MISSING),
            ("kind", "kind", one_of(PROPOSAL_KINDS), _MISSING), ("amount", "amount", amount(), _MISSING),
            ("status", "status", one_of(PROPOSAL_STATUSES), "open")]
HISTORY = [("at", "at", instant(), _MISSING), ("user", "user", text(USER), ""), ("action", "action", text(SHORT), ""),
           ("detail", "detail", text(LONG), ""), ("undo", "undo", undo, None),
           ("ref", "ref", optional_int(0, MAX_ITEMS), None)]

CASE = [
    ("id", "id", text(20, required=True), _MISSING),
    ("order", "order", text(TITLE, required=True), _MISSING),
    ("supplier", "supplier", text(TITLE, required=True), _MISSING),
    ("reason", "reason", one_of(REASONS), _MISSING),
    ("amount", "amount", amount(), _MISSING),
    ("created_at", "created_at", instant(), _MISSING),
    ("stage_entered_at", "stage_entered_at", instant(), _MISSING),
    ("currency", "currency", text(3, required=True), "USD"),
    ("platform", "platform", one_of(PLATFORMS), "alibaba"),
    ("platform_ref", "platform_ref", text(TITLE), ""),
    ("supplier_contact", "supplier_contact", text(LINE), ""),
    ("title", "title", text(TITLE), ""),
    ("product", "product", text(LINE), ""),
    ("description", "description", text(LONG), ""),
    ("want", "want", one_of(RESOLUTIONS), "full_refund"),
    ("claimed", "claimed", amount(optional=True), None),
    ("recovered", "recovered", amount(optional=True), None),
    *[(n, n, instant(optional=True), None) for n in ("paid_at", "shipped_at", "received_at", "delivery_estimate",
                                                     "opened_at", "escalated_at", "closed_at", "snoozed_until")],
    ("stage", "stage", one_of(STAGES), "seller"),
    ("complex", "complex", boolean, False),
    ("priority", "priority", integer(-1000, 1000), 0),
    ("owner", "owner", text(USER), ""),
    ("tags", "tags", tags, _MISSING),
    ("outcome", "outcome", one_of(OUTCOMES, optional=True), None),
    ("statement", "statement", text(LONG), ""),
    ("messages", "messages", items(Message, MESSAGE), _MISSING),
    ("evidence", "evidence", items(Evidence, EVIDENCE), _MISSING),
    ("deadlines", "deadlines", items(Deadline, DEADLINE), _MISSING),
    ("proposals", "proposals", items(Proposal, PROPOSAL), _MISSING),
    ("history", "history", items(HistoryEntry, HISTORY), _MISSING),
    ("notified", "notified", notified, _MISSING),
    ("created_by", "created_by", text(USER), ""),
    ("rev", "rev", integer(0, MAX_INT), 0),
]
_CASE_ATTRS = {a for a, *_ in CASE}
for _spec, _cls in ((MESSAGE, Message), (EVIDENCE, Evidence), (DEADLINE, Deadline), (PROPOSAL, Proposal),
                    (HISTORY, HistoryEntry)):
    if [a for a, *_ in _spec] != [f.name for f in dataclass_fields(_cls)]:  # _record passes them in order
        raise TypeError(f"internal: the rules for {_cls.__name__} do not list its fields in their order")
# per record class: the attributes read into values (instants, amounts), for check_changed
_TYPED = {conv.record: tuple(a for a, _k, rule, _d in conv.spec if hasattr(rule, "model_types"))
          for _a, _k, conv, _d in CASE if hasattr(conv, "record")}
_LISTS = {"tags", "messages", "evidence", "deadlines", "proposals", "history", "notified"}  # default: empty
_REQUIRED_KEYS = ("id", "order", "supplier", "reason", "amount", "created_at", "stage_entered_at")
MISSING, LISTS, REQUIRED_KEYS = _MISSING, _LISTS, _REQUIRED_KEYS  # for store.light's Structs


def _record(cls: type, spec: list, d: Any, index: int):
    if isinstance(d, cls):  # a record built in memory: check its attributes
        for attr, _key, conv, _default in spec:
            _model(conv, getattr(d, attr), f"[{index}].{attr}")
        return d
    if not isinstance(d, dict):
        raise _Field(f"[{index}]", f"must be an object, not {_type(d)}")
    args = []  # positional: each spec lists its record's fields in their order (checked below)
    key = ""
    try:
        for _attr, key, conv, default in spec:
            v = d.get(key, _MISSING)
            if v is _MISSING:
                if default is _MISSING:
                    raise _Bad("is missing")
                args.append(default)
            else:
                args.append(conv(v))
    except _Bad as exc:
        raise _Field(f"[{index}].{key}", str(exc)) from None
    return cls(*args)


class _Field(Exception):
    def __init__(self, path: str, reason: str):
        super().__init__(reason)
        self.path, self.reason = path, reason


def _one(conv, v, path: str):
    try:
        return conv(v)
    except _Bad as exc:
        raise _Field(path, str(exc)) from None
    except _Field as exc:
        raise _Field(path + exc.path, exc.reason) from None


def _model(conv, v, path: str):
    """In memory, instants are datetimes and amounts Decimals: text or floats there are a bug
    in the caller or a value that skipped its reader."""
    kinds = getattr(conv, "model_types", None)
    if kinds is not None and (isinstance(v, bool) or not isinstance(v, kinds)):
        raise _Field(path, f"must be {'a date' if datetime in kinds else 'an exact amount'}, not {_type(v)}")
    return _one(conv, v, path)


def _error(case_id: str | None, path: str, reason: str) -> ValidationError:
    where = f"{case_id}: " if case_id else ""
    shown = {"order": "order number"}.get(path, path)  # as the forms and the CLI name it
    return ValidationError(f"{where}{shown} {reason}", field=path, case_id=case_id)


def _cid(v: Any) -> str | None:
    return v if isinstance(v, str) and len(v) <= 20 and v.isprintable() else None


def _cross(c: Case, now: datetime | None, before: dict | None) -> None:
    """Rules that join fields: the case id, the currency's minor units, claimed/recovered within
    the order amount, history references, dates of things that happened not in the future."""
    if not CASE_ID_RE.fullmatch(c.id) or int(c.id[2:]) == 0 or int(c.id[2:]) > 99_999_999:
        raise _Field("id", f"is {c.id[:20]!r}, not a case id like D-0042")
    try:
        cur = money.currency(c.currency)
    except ValidationError:
        raise _Field("currency", f"is {c.currency[:8]!r}, not an ISO 4217 code like USD") from None
    if cur != c.currency:
        raise _Field("currency", f"is {c.currency!r}: write it in capitals ({cur})")
    places = [("amount", c.amount), ("claimed", c.claimed), ("recovered", c.recovered)]
    places += [(f"proposals[{i}].amount", p.amount) for i, p in enumerate(c.proposals)]
    for path, v in places:
        if v is not None:
            try:
                money.check(v, cur, "it")
            except ValidationError as exc:
                raise _Field(path, str(exc).removeprefix("it ")) from None
    if c.claimed is not None and c.claimed > c.amount:
        raise _Field("claimed", f"{c.claimed} is more than the order amount {c.amount}")
    if c.recovered is not None and c.recovered > c.amount:
        raise _Field("recovered", f"{c.recovered} is more than the order amount {c.amount}")
    for i, h in enumerate(c.history):
        if h.ref is not None and h.ref >= i:
            raise _Field(f"history[{i}].ref", f"is {h.ref}: it must name an earlier entry")
    if now is not None:
        for name in HAPPENED:
            v = getattr(c, name)
            if v is None or v <= now + dates.SLACK:
                continue
            if before is not None and before.get(name) == _iso(v):
                continue  # unchanged since it was stored: not typed now
            raise _Field(name, f"{v.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC is in the future; "
                               f"it must have happened already")


def cross_check(c: Case) -> None:
    """The rules that join fields (``_cross``, no ``now``) on a case whose fields are checked
    already (store.light); ValidationError as ``case_from_dict`` would say it."""
    try:
        _cross(c, None, None)
    except _Field as exc:
        raise _error(_cid(c.id), exc.path, exc.reason) from None


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat()


def case_from_dict(d: Any, *, now: datetime | None = None) -> Case:
    """A Case from its stored/exported JSON shape, every field checked; ValidationError names
    the case and the field. Unknown keys (from a newer version) are ignored."""
    if not isinstance(d, dict):
        raise ValidationError(f"a case must be an object, not {_type(d)}")
    cid = _cid(d.get("id"))
    try:
        kw: dict[str, Any] = {}
        for attr, key, conv, default in CASE:
            v = d.get(key, _MISSING)
            if v is _MISSING:
                if key in _REQUIRED_KEYS:
                    raise _Field(key, "is missing")
                kw[attr] = [] if attr in _LISTS else default
                continue
            try:  # _one, inline: once per field of every case read
                kw[attr] = conv(v)
            except _Bad as exc:
                raise _Field(key, str(exc)) from None
            except _Field as exc:
                raise _Field(key + exc.path, exc.reason) from None
        c = Case(**kw)
        _cross(c, now, None)
    except _Field as exc:
        raise _error(cid, exc.path, exc.reason) from None
    return c


def check_case(c: Case, *, now: datetime | None = None, before: dict | None = None) -> None:
    """Check a Case built in memory (add, a form, an update). With ``now``, dates of things that
    happened (paid, shipped, received) may not lie more than a day ahead, unless unchanged
    from ``before`` (the stored dict the change started from)."""
    if getattr(c, "light", False):
        c.writable()  # a light case's records are Structs, not the model's: refused as light, first
    cid = _cid(getattr(c, "id", None))
    try:
        for attr, _key, conv, _default in CASE:
            _model(conv, getattr(c, attr), attr)
        _cross(c, now, before)
    except _Field as exc:
        raise _error(cid, exc.path, exc.reason) from None


def check_changed(c: Case, before: dict, *, now: datetime | None = None) -> dict:
    """``check_case(c, now=now, before=before)`` for a Case read from ``before`` (a stored dict
    that ``case_from_dict`` accepted) and changed since; returns ``c.to_dict()``.

    The same rules, field by field, in the same order, so the same first refusal; but the
    records a list of messages, evidence, deadlines, proposals or history entries still holds
    unchanged at its head are not checked again: each is of its record's class, and the list's
    head writes (``to_dict``) byte for byte the JSON ``before`` held, which those very rules
    accepted when it was read. A save that adds a message to a case of 40 checks one message,
    not 40 (and not the whole history, which grows with every save). Every other field, the
    records after the head, and the rules that join fields are checked as ``check_case`` does."""
    if getattr(c, "light", False):
        c.writable()
    try:
        new = c.to_dict()
    except Exception:  # a value to_dict cannot even write: the full check names its field
        check_case(c, now=now, before=before)
        raise
    cid = _cid(getattr(c, "id", None))
    try:
        for attr, _key, conv, _default in CASE:
            v = getattr(c, attr)
            cls = getattr(conv, "record", None)
            if cls is None or type(v) is not list or len(v) > MAX_ITEMS:
                _model(conv, v, attr)
                continue
            for i in range(_unchanged_head(v, new[attr], before.get(attr), cls), len(v)):
                try:
                    _record(cls, conv.spec, v[i], i)
                except _Field as exc:
                    raise _Field(attr + exc.path, exc.reason) from None
        _cross(c, now, before)
    except _Field as exc:
        raise _error(cid, exc.path, exc.reason) from None
    return new


def _unchanged_head(v: list, written: list, stored: Any, cls: type) -> int:
    """How many records at the head of ``v`` are the stored ones: all of ``stored``, or none.

    They are if each is of ``cls`` with its instants and amounts as the reader makes them (an
    aware UTC datetime, whose ``iso`` is its text; a Decimal, whose ``str`` is), or None, and
    together they write the very JSON stored (bytes, not ==: 1 == True == 1.0 in Python). Then
    every value is the one the rules accepted when ``stored`` was read; a text, a number, a
    choice or an undo record writes its own value."""
    if type(stored) is not list or not stored or len(v) < len(stored):
        return 0
    n = len(stored)
    typed = _TYPED[cls]
    for x in v[:n]:
        if type(x) is not cls:
            return 0
        for attr in typed:
            t = getattr(x, attr)
            if not (t is None or (type(t) is datetime and t.tzinfo is timezone.utc) or type(t) is Decimal):
                return 0
    return n if orjson.dumps(written[:n]) == orjson.dumps(stored) else 0


__all__ = ["case_from_dict", "check_case", "check_changed"]
