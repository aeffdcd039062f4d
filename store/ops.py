"""Domain operations on a case. Each changes the case in memory and returns (action, detail)
for the history; the store persists it. Bad input raises ValidationError before any change."""

from __future__ import annotations

import os
from stat import S_ISLNK
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from .errors import ValidationError
from .files import open_evidence
from .money import digits
from .users import user_name
from .validate import TAG_LEN, TAG_RE
from .model import (EVIDENCE_KINDS, OUTCOMES, PLATFORMS, REASONS, RESOLUTIONS, SENDERS, STAGE_TITLES,
                    STAGES, Case, Deadline, Evidence, Message, choice, money)

NO_RECOVERY = ("rejected", "withdrawn", "replaced")


def move(case: Case, stage: str, now: datetime, outcome: str | None = None,
         recovered: str | Decimal | None = None) -> tuple[str, str]:
    stage = choice(stage, STAGES, "stage")
    if stage == case.stage:
        raise ValidationError(f"{case.id} is already in {STAGE_TITLES[stage]}")
    if stage == "resolved":
        if not outcome:
            raise ValidationError(f"moving to Resolved needs an outcome ({', '.join(OUTCOMES)})")
        outcome = choice(outcome, OUTCOMES, "outcome")
        if recovered is None or recovered == "":
            if outcome == "refunded":
                amount = case.claim
            elif outcome in NO_RECOVERY:
                amount = Decimal("0")
            else:
                raise ValidationError(f"outcome {outcome} needs the amount recovered")
        else:
            amount = money(recovered, "amount recovered", case.currency)
        if amount > case.amount:
            raise ValidationError(f"amount recovered {amount} is more than the order amount {case.amount}")
    elif outcome is not None or recovered is not None:
        raise ValidationError("an outcome is recorded only when moving to Resolved")
    before = case.stage
    case.stage = stage
    case.stage_entered_at = now
    if stage == "dispute" and case.opened_at is None:
        case.opened_at = now
    if stage == "mediation" and case.escalated_at is None:
        case.escalated_at = now
    if stage == "resolved":
        case.outcome, case.recovered, case.closed_at = outcome, amount, now
        detail = f"{STAGE_TITLES[before]} -> Resolved ({outcome}, recovered {digits(amount, case.currency)} {case.currency})"
    else:
        case.outcome = case.recovered = case.closed_at = None
        detail = f"{STAGE_TITLES[before]} -> {STAGE_TITLES[stage]}"
    return "move", detail


def log(case: Case, sender: str, text: str, now: datetime, by: str) -> tuple[str, str]:
    sender = choice(sender, SENDERS, "sender")
    if not text.strip():
        raise ValidationError("message text is empty")
    case.messages.append(Message(now, sender, text, by))
    return "message", f"from {sender}: {text[:60]}"


def file_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file, read in 1 MiB chunks."""
    import hashlib  # here, not at the top: see store.summary._hashlib

    h = hashlib.sha256()
    size = 0
    with open_evidence(path) as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def _foreign_link(path: Path, depth: int = 0) -> tuple[Path, int, str] | None:
    """The first symbolic link on the way to ``path`` that someone else made (not this user,
    not root), with its owner and where it points; None when there is none. Links this user or
    root made are followed, and the links on their way checked too (up to 40, as the kernel)."""
    if depth > 40:
        return None  # a loop: it names no file, and the checks after this say so
    me = os.geteuid()
    here = Path(path.anchor)
    for part in path.parts[1:]:
        here = here / part
        try:
            st = os.lstat(here)
        except OSError:
            return None  # not there: the checks after this say so
        if not S_ISLNK(st.st_mode):
            continue
        target = os.readlink(here)
        if st.st_uid not in (me, 0):
            return here, st.st_uid, target
        # relative to the folder the link is in, as the kernel reads it (its links already checked)
        found = _foreign_link(Path(os.path.abspath(os.path.join(os.path.realpath(here.parent), target))), depth + 1)
        if found is not None:
            return found
    return None


def check_evidence_path(path: str | os.PathLike) -> Path:
    p = Path(path).expanduser()
    try:
        os.fsencode(p).decode("utf-8")  # the database is UTF-8 JSON: a name it cannot hold is refused
    except UnicodeDecodeError:
        shown = os.fsencode(p).decode("utf-8", "backslashreplace")
        raise ValidationError(f"{shown}: the file name is not valid UTF-8; rename the file first") from None
    # On a shared box a link planted where evidence is kept would make the case (and the packet
    # uploaded to the platform) carry whatever it points at: a link someone else made is not
    # followed. The kernel's protected_symlinks covers sticky world-writable folders only.
    found = _foreign_link(Path(os.path.abspath(p)))
    if found is not None:
        link, uid, target = found
        raise ValidationError(f"{link} is a link made by {user_name(uid)} to {target}: attach the file itself, "
                              "not a link someone else made")
    if not p.exists():
        raise ValidationError(f"no such file: {path}")
    if not p.is_file():
        raise ValidationError(f"not a regular file: {path}")
    if not os.access(p, os.R_OK):
        raise ValidationError(f"cannot read file: {path}")
    return p.resolve()


def attach(case: Case, path: str | os.PathLike, kind: str, note: str, now: datetime, by: str,
           digest: tuple[int, str] | None = None) -> tuple[str, str]:
    """Record a file as evidence. ``digest`` may be computed beforehand (off the UI thread)."""
    kind = choice(kind, EVIDENCE_KINDS, "evidence kind")
    p = check_evidence_path(path)
    size, sha = digest if digest is not None else file_digest(p)
    if any(e.path == str(p) and e.sha256 == sha for e in case.evidence):
        raise ValidationError(f"{p} is already attached to {case.id}, unchanged")
    case.evidence.append(Evidence(str(p), kind, note, now, size, sha, by))
    return "evidence", f"{kind}: {p.name} ({size} bytes)"


def add_deadline(case: Case, kind: str, due: datetime, hard: bool = True, note: str = "") -> tuple[str, str]:
    kind = kind.strip().lower().replace(" ", "_")
    if not kind:
        raise ValidationError("deadline kind is empty")
    if due.tzinfo is None:
        raise ValidationError("deadline has no time zone")
    offset = due.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    case.deadlines.append(Deadline(kind, due, hard, note, None, minutes))
    case.deadlines.sort(key=lambda d: d.due)
    return "deadline", f"{'hard' if hard else 'soft'} {kind} due {due.isoformat()}"


def evidence_state(e: Evidence) -> str:
    """``ok``, ``missing`` or ``changed``: is the file on disk still the one recorded?"""
    try:
        # not Path(...).stat(): the board's background pass stats every file. Not following a
        # link: one put where the file was is not the file attached (files.open_evidence).
        st = os.stat(e.path, follow_symlinks=False)
    except (OSError, ValueError):
        return "missing"
    if st.st_size != e.size or S_ISLNK(st.st_mode):
        return "changed"
    return "ok"


def evidence_verify(e: Evidence) -> str:
    """Like ``evidence_state`` but re-hashes the file: slow, run it off the UI thread."""
    state = evidence_state(e)
    if state != "ok":
        return state
    try:
        _, sha = file_digest(Path(e.path))
    except OSError:
        return "missing"
    return "ok" if sha == e.sha256 else "changed"


def snooze(case: Case, until: datetime | None, now: datetime) -> tuple[str, str]:
    """Keep the case out of the daily views until ``until``; it comes back by itself."""
    if until is None:
        if case.snoozed_until is None:
            raise ValidationError(f"{case.id} is not snoozed")
        case.snoozed_until = None
        return "snooze", "woken"
    if until.tzinfo is None:
        raise ValidationError("snooze time has no time zone")
    if until <= now:
        raise ValidationError(f"snooze time {until.isoformat()} is not in the future")
    case.snoozed_until = until.astimezone(timezone.utc)
    return "snooze", f"until {until.isoformat(timespec='minutes')}"


def box_user(name: str) -> str:
    """A login on this box, or ValidationError: cases are assigned to people who can open them."""
    import pwd

    name = name.strip()
    try:
        pwd.getpwnam(name)
    except KeyError:
        raise ValidationError(f"no user {name!r} on this box") from None
    return name


def assign(case: Case, user: str) -> tuple[str, str]:
    user = box_user(user) if user else ""
    if user == case.owner:
        raise ValidationError(f"{case.id} is already assigned to {user or 'nobody'}")
    before = case.owner
    case.owner = user
    return "assign", f"{before or 'nobody'} -> {user or 'nobody'}"


def tag_words(words: Iterable[str]) -> list[str]:
    """Tags as typed, in the form they are kept (lower case), each checked by the validator's
    own rule (``validate.TAG_RE``): the CLI, the board's Today and its forms say the same."""
    out = [t.strip().lower() for t in words if t.strip()]
    for t in out:
        if not TAG_RE.fullmatch(t):
            shown = t if len(t) <= TAG_LEN else t[:TAG_LEN] + "…"
            raise ValidationError(f"tag {shown!r}: letters, digits, - _ . only, at most {TAG_LEN} characters")
    return out


def tag(case: Case, add: list[str] = (), remove: list[str] = ()) -> tuple[str, str]:
    clean_add = tag_words(add)
    tags = [t for t in case.tags if t not in {r.strip().lower() for r in remove}]
    tags += [t for t in clean_add if t not in tags]
    if tags == case.tags:
        raise ValidationError(f"{case.id}: tags unchanged")
    case.tags = tags
    return "tag", " ".join(case.tags) or "(none)"


# -- editing a case's fields -------------------------------------------------------------------
# The fields an edit may set, by attribute, with the name people see (the CLI's flag, the
# history's "changed ..." list, a conflict's "alice changed ...").
EDITABLE = {
    "title": "title", "product": "product", "description": "description", "supplier": "supplier",
    "supplier_contact": "contact", "order": "order", "amount": "amount", "claimed": "claimed",
    "currency": "currency", "reason": "reason", "want": "want", "platform": "platform",
    "platform_ref": "platform-ref", "received_at": "received", "paid_at": "paid",
    "shipped_at": "shipped", "delivery_estimate": "delivery-estimate", "priority": "priority",
    "tags": "tags",
}
# Fields a move, a message etc. set as well, named as people see them in a conflict.
_OTHER_NAMES = {"stage_entered_at": None, "closed_at": None, "messages": "messages",
                "evidence": "evidence", "deadlines": "deadlines", "proposals": "proposals",
                "snoozed_until": "snooze", "owner": "owner", "statement": "statement",
                "opened_at": None, "escalated_at": None}
_MAX_PRIORITY = 99
_ORDER = {attr: i for i, attr in enumerate([*EDITABLE, *_OTHER_NAMES])}


def field_name(attr: str) -> str | None:
    """The name people see for a stored field; None for bookkeeping that follows another."""
    if attr in EDITABLE:
        return EDITABLE[attr]
    return _OTHER_NAMES.get(attr, attr.replace("_", " "))


def _comparable(attr: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    if isinstance(value, Decimal):
        return value.normalize()  # 250 and 250.00 are the same amount
    if attr == "tags" and value is not None:
        return list(value)
    return value


def _check_field(attr: str, value: Any) -> Any:
    """The value an edit stores for ``attr``, or ValidationError naming what is wrong."""
    label = EDITABLE[attr]
    if attr in ("amount", "claimed"):
        if value is None:
            if attr == "amount":
                raise ValidationError("order amount is required")
            return None
        return money(value, label)
    if attr in ("received_at", "paid_at", "shipped_at", "delivery_estimate"):
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValidationError(f"{label}: a date with a time zone is needed")
        return value.astimezone(timezone.utc)
    if attr in ("reason", "want", "platform"):
        return choice(value, {"reason": REASONS, "want": RESOLUTIONS, "platform": PLATFORMS}[attr],
                      {"want": "resolution"}.get(attr, attr))
    if attr == "currency":
        return str(value).strip().upper()
    if attr == "priority":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_PRIORITY:
            raise ValidationError(f"priority must be a whole number 0-{_MAX_PRIORITY}: {value!r}")
        return value
    if attr == "tags":
        return list(value)
    text = str(value)
    if attr in ("order", "supplier") and not text.strip():
        raise ValidationError(f"{label} must not be empty")
    return text if attr == "description" else text.strip()


def changed_fields(base: Case | dict, values: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``values`` (attribute -> new value) that differ from ``base``: what the
    person editing actually changed, relative to the revision they started from."""
    get = base.get if isinstance(base, dict) else lambda a: getattr(base, a)
    out = {}
    for attr, value in values.items():
        if attr not in EDITABLE:
            raise ValidationError(f"not an editable field: {attr}")
        if _comparable(attr, value) == _comparable(attr, get(attr)):
            continue  # untouched: kept as stored, even a value today's rules would refuse
        value = _check_field(attr, value)
        if _comparable(attr, value) != _comparable(attr, get(attr)):
            out[attr] = value
    return out


def edit_fields(case: Case, values: dict[str, Any], base: Case | None = None) -> tuple[str, str]:
    """Write into ``case`` (the latest revision) only the fields the editor changed relative to
    ``base``, the revision they started from (default: ``case`` itself). A colleague's change to
    any other field since ``base`` stays; a field both changed takes the editor's value.

    One rule for the board's edit form and ``disputes edit``; used as ``store.update``'s change.
    """
    mine = changed_fields(base if base is not None else case, values)
    written = []
    for attr, value in sorted(mine.items(), key=lambda kv: _ORDER[kv[0]]):
        if _comparable(attr, getattr(case, attr)) != _comparable(attr, value):
            setattr(case, attr, value)
            written.append(EDITABLE[attr])
    if not written:
        raise ValidationError(f"nothing changed in {case.id}")
    if case.claimed is not None and case.claimed > case.amount:
        raise ValidationError(f"claimed amount {case.claimed} is more than the order amount {case.amount}")
    return "edit", "changed " + ", ".join(written)


def parse_field(attr: str, text: str, *, now: datetime | None = None, cfg: Any = None) -> Any:
    """A typed value for ``attr`` from what a person typed (the command line); ValidationError
    with one line if it cannot be one. An empty text clears an optional field. Dates go through
    the one date reader: received, paid and shipped are things that happened (never in the
    future); the delivery estimate may lie ahead; ``cfg`` names the order of numeric dates."""
    from . import dates

    label = EDITABLE.get(attr)
    if label is None:
        raise ValidationError(f"not an editable field: {attr}")
    raw = text.strip()
    if attr in ("received_at", "paid_at", "shipped_at", "delivery_estimate"):
        if not raw:
            return None
        try:
            if attr == "delivery_estimate":
                dt = dates.read(raw, what=label, kind="any", order=dates.date_order(cfg))
            else:
                dt = dates.happened(raw, label, cfg=cfg)
        except ValidationError as exc:
            raise ValidationError(f"--{label}: {exc}") from None
        return dt.astimezone(timezone.utc)
    if attr in ("amount", "claimed"):
        if not raw and attr == "claimed":
            return None
        return money(raw, label)
    if attr == "priority":
        try:
            return int(raw)
        except ValueError:
            raise ValidationError(f"priority must be a whole number 0-{_MAX_PRIORITY}: {text!r}") from None
    return _check_field(attr, text)


def changes_since(history: list[dict], rev_now: int, rev: int) -> list[tuple[str, datetime | None, list[str]]]:
    """Who changed which fields between revision ``rev`` and ``rev_now``, oldest first, from the
    stored history (every revision after creation appends exactly one entry)."""
    count = rev_now - rev
    entries = history[-count:] if 0 < count <= len(history) else list(history)
    out = []
    for h in entries:
        undo = h.get("undo") or {}
        names = []
        for attr in sorted(undo, key=lambda a: _ORDER.get(a, len(_ORDER))):
            name = field_name(attr)
            if name and name not in names:
                names.append(name)
        if not names:
            names = [h.get("action") or "edit"]
        at = h.get("at")
        out.append((h.get("user") or "someone", datetime.fromisoformat(at) if at else None, names))
    return out
