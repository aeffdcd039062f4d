"""What every backend needs to record a change and to undo or redo it. Backend-agnostic: it
works on case documents (``Case.to_dict()``) and history entries, never on files.

A change is recorded as a history entry whose ``undo`` holds, per top-level field, what the
change replaced: ``{"set": old}``, or ``{"truncate": n}`` for a list that only grew (a message,
evidence). Undo and redo are changes of their own, pointing (``ref``) at the entry they revert.
"""

from __future__ import annotations

from typing import Iterable

from .validate import case_from_dict, check_case
from . import ops
from .errors import ConflictError, ValidationError
from .model import Case, HistoryEntry, case_id, case_number, from_iso


# Records the program keeps for itself, not changes a person made: `disputes notify` noting what
# it mailed. Undo passes over them (undoing one would only mail the warning again).
NOT_UNDONE = frozenset({"notify"})


def diff(old: dict, new: dict) -> dict:
    """What ``new`` replaced in ``old``, enough to undo it (history and rev aside)."""
    out: dict = {}
    for k, nv in new.items():
        if k in ("history", "rev"):
            continue
        ov = old.get(k)
        if ov == nv:
            continue
        if isinstance(ov, list) and isinstance(nv, list) and len(nv) > len(ov) and nv[: len(ov)] == ov:
            out[k] = {"truncate": len(ov)}
        else:
            out[k] = {"set": ov}
    return out


def stacks(history: list[HistoryEntry]) -> tuple[list[int], list[int]]:
    """Replay the history: which entries an undo would revert next, and a redo.

    ``done`` holds, newest last, the entries whose recorded diff undoes an effective change;
    ``redoable`` the undo entries whose diff would redo it. A new change empties ``redoable``,
    as in every editor.
    """
    done: list[int] = []
    redoable: list[int] = []
    for i, h in enumerate(history):
        if h.action == "undo" and h.ref is not None:
            if done and done[-1] == h.ref:
                done.pop()
            redoable.append(i)
        elif h.action == "redo" and h.ref is not None:
            if redoable and redoable[-1] == h.ref:
                redoable.pop()
            done.append(i)
        elif h.undo and h.action not in NOT_UNDONE:
            done.append(i)
            redoable.clear()
    return done, redoable


def reverter(which: str, by: str | None = None):
    """A change function (for a backend's ``update``) that undoes or redoes the newest entry.
    With ``by``: only when that entry is ``by``'s own (a change, or the undo a redo re-applies);
    someone else's is refused naming them. Checked inside the update, against the case as it is
    then: a colleague's change made a moment before is never the one reverted unasked."""

    def revert(case: Case) -> tuple[str, str, int]:
        done, redoable = stacks(case.history)
        stack = done if which == "undo" else redoable
        if not stack:
            raise ValidationError(f"nothing to {which} in {case.id}")
        ref = stack[-1]
        entry = case.history[ref]
        if by is not None and entry.user != by:
            base = entry
            while base.action in ("undo", "redo") and base.ref is not None:
                base = case.history[base.ref]
            raise NotYours(f"{case.id}: the change to {which} is {entry.user}'s ({base.action}: {base.detail}), "
                           f"not yours; nothing {'undone' if which == 'undo' else 'redone'}", user=entry.user)
        current = case.to_dict()
        for key, how in entry.undo.items():
            if "truncate" in how:
                current[key] = current[key][: how["truncate"]]
            else:
                current[key] = how["set"]
        restored = case_from_dict(current)
        for f in current:
            if f not in ("history", "rev"):
                setattr(case, f, getattr(restored, f))
        base = entry
        while base.action in ("undo", "redo") and base.ref is not None:
            base = case.history[base.ref]
        return which, f"{'undid' if which == 'undo' else 'redid'} {base.action}: {base.detail}", ref

    return revert


class NotYours(ValidationError):
    """An undo or redo that would revert someone else's change (``reverter`` with ``by``)."""

    def __init__(self, message: str, user: str) -> None:
        super().__init__(message)
        self.user = user


def conflict(raw: dict, expected_rev: int, fields: Iterable[str] = ()) -> ConflictError:
    """The refusal of a save from revision ``expected_rev``: who changed which fields since."""
    rev_now = raw.get("rev") or 0
    entries = raw.get("history") or []
    changes = ops.changes_since(entries, rev_now, expected_rev)
    last = entries[-1] if entries else {}
    who = last.get("user") or "someone"
    when = from_iso(last.get("at"))
    theirs: list[str] = [f for _, _, names in changes for f in names]
    mine = [ops.field_name(f) or f for f in fields]
    both = [f for f in dict.fromkeys(mine) if f in theirs]
    parts = []
    for user, at, names in changes[-3:]:
        stamp = at.astimezone().strftime("%Y-%m-%d %H:%M") if at else "just now"
        parts.append(f"{user} changed {', '.join(names)} at {stamp}")
    if len(changes) > 3:
        parts.insert(0, f"{len(changes) - 3} earlier change{'s' if len(changes) > 4 else ''}")
    said = "; ".join(parts) or f"{who} changed it"
    clash = f"; you both changed {', '.join(both)}" if both else ""
    return ConflictError(
        f"{raw.get('id')} was changed by {', '.join(dict.fromkeys(u for u, _, _ in changes)) or who} "
        f"since you loaded it (revision {expected_rev}, now {rev_now}): "
        f"{said}{clash}; nothing saved",
        user=who, at=when, rev=rev_now, since=expected_rev, changes=changes,
        fields=list(dict.fromkeys(theirs)), both=both,
    )



def check_import(cases: list[Case], now) -> set[int]:
    """Every case of an import valid, each id once: the numbers they take. All or nothing, so
    this runs before anything is written."""
    seen: set[int] = set()
    for c in cases:
        check_case(c, now=now)
        n = case_number(c.id)
        if n in seen:
            raise ValidationError(f"{c.id} appears twice in the import")
        seen.add(n)
    return seen


def refuse_taken(wanted: set[int], taken) -> None:
    """Refuse an import whose ids are already in the database (``taken`` holds case numbers)."""
    clash = sorted(n for n in wanted if n in taken)
    if clash:
        raise ValidationError(f"{case_id(clash[0])} is already in the database"
                              + (f" (and {len(clash) - 1} more)" if len(clash) > 1 else "") + "; nothing imported")
