"""Today's bulk actions: snooze, assign, tag and move the marked rows (or the row under the
cursor when none is marked), each from a small form.

Every bulk is ONE call of the one writer (``Session.bulk``, in a thread worker): each case is
saved against the revision that was on screen, the ones that saved are one undo step on the
board, the refused ones are reported and change nothing. The result comes back as
``BulkDone``; the screen then shows the saved cases at once (``TodayBulk.bulk_saved``, only
those re-ranked) and posts ``CasesChanged(ids)`` for whoever else shows them (the app reloads
the board). Nothing here calls the app or another screen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from textual import work
from textual.message import Message

from store import STAGE_TITLES, STAGES, Case, ValidationError, ops
from store import dates

from ..messages import CasesChanged, answer
from ..safe import clean
from . import case_forms, forms

Change = Callable[[Case], tuple]


class BulkDone(Message):
    """A bulk action finished: the cases saved (as saved), the ones refused and why."""

    def __init__(self, what: str, saved: list[Case], failed: list[tuple[str, str]]) -> None:
        super().__init__()
        self.what, self.saved, self.failed = what, saved, failed

    @property
    def ok(self) -> list[str]:
        return [c.id for c in self.saved]


def tag_change(text: str) -> tuple[list[str], list[str]]:
    """``urgent, -old``: the tags to add and to remove (one clear error otherwise)."""
    add, remove = [], []
    for t in text.replace(",", " ").split():
        (remove if t.startswith("-") else add).append(t.lstrip("-+"))
    if not add and not remove:
        raise ValidationError("a tag, like urgent; -tag removes one")
    return ops.tag_words(add), remove


class TodayBulk:
    """The bulk keys of ``TodayScreen`` (a mixin: it needs the screen's ``today_list``,
    ``by_id``, ``session``, ``clock``, ``cfg``, ``user``, ``_update_info`` and
    ``bulk_saved``)."""

    busy = False  # a bulk action is being saved
    _ticket: int | None = None  # the ticket of the form that asked for it (it closes when saved)

    def targets(self) -> list[Case]:
        """The marked cases (as last loaded), or the one under the cursor when none is marked."""
        lst = self.today_list
        if lst.marks:
            return [self.by_id[i] for i in sorted(lst.marks, key=lambda i: self.by_id[i].number) if i in self.by_id]
        return [lst.current.case] if lst.current is not None else []

    def bulk_targets_text(self) -> str:
        return ", ".join(c.id for c in self.targets())

    @staticmethod
    def _what(cases: list[Case]) -> str:
        return cases[0].id if len(cases) == 1 else f"{len(cases)} cases"

    def _ask(self, verb: str, done: str, field: forms.Field, change: Callable[[object], Change],
             note: str = "") -> None:
        """A one-field form for the targets; on ctrl+s ``change(value)`` is saved on each."""
        cases = self.targets()
        if not cases:
            return

        def submit(values: dict, form: forms.FormScreen) -> None:
            self.bulk(done, cases, change(values[field.name]), form)

        spec = forms.FormSpec(f"{verb} {self._what(cases)}", [field], None, submit, note=note, key=verb.lower())
        self.app.push_screen(forms.FormScreen(spec))

    # -- the keys ------------------------------------------------------------------------------
    def action_snooze(self) -> None:
        def until(text: str) -> datetime:
            when = dates.read(text, what="snooze time", kind="ahead", order=dates.date_order(self.cfg),
                              now=self.clock())
            if when <= self.clock():
                raise ValidationError(f"{when.isoformat(timespec='minutes')} is not in the future")
            return when

        self._ask("Snooze", "Snoozed",
                  forms.Field("until", "Until", until, placeholder="tomorrow 9am, mon 9am or in 3d"),
                  lambda when: lambda case: ops.snooze(case, when, self.clock()),
                  note="Out of Today until then; it comes back by itself.")

    def action_assign(self) -> None:
        def who(text: str) -> str:
            return ops.box_user(text) if text.strip() else ""

        self._ask("Assign", "Assigned", forms.Field("user", "To", who, self.user, placeholder="a login on this box"),
                  lambda user: lambda case: ops.assign(case, user), note="Empty: nobody.")

    def action_tag(self) -> None:
        self._ask("Tag", "Tagged", forms.Field("tags", "Tags", tag_change, placeholder="urgent, -old (minus removes)"),
                  lambda tags: lambda case: ops.tag(case, *tags))

    def action_move(self, step: int) -> None:
        cases = self.targets()
        if not cases:
            return
        now = self.clock()
        into_resolved = [c for c in cases if 0 <= STAGES.index(c.stage) + step < len(STAGES)
                         and STAGES[STAGES.index(c.stage) + step] == "resolved"]
        if into_resolved and len(cases) > 1:
            ids = ", ".join(c.id for c in into_resolved[:5]) + (" …" if len(into_resolved) > 5 else "")
            self.notify(f"Not moved: {ids} would go to Resolved, which needs an outcome per case. "
                        f"Unmark them, or resolve each one on its own.",
                        title="Bulk move refused", severity="warning", markup=False, timeout=8)
            return
        if into_resolved:
            case = cases[0]

            def submit(values: dict, form: forms.FormScreen) -> None:
                self.bulk("Resolved", [case], lambda x: ops.move(
                    x, "resolved", now, values["outcome"], values["recovered"]), form)
            self.app.push_screen(forms.FormScreen(case_forms.outcome_spec(case, now, submit)))
            return

        def change(case: Case) -> tuple:
            idx = STAGES.index(case.stage) + step
            if not 0 <= idx < len(STAGES):
                edge = "first" if step < 0 else "last"
                raise ValidationError(f"already in the {edge} stage ({STAGE_TITLES[case.stage]})")
            return ops.move(case, STAGES[idx], now)

        self.bulk("Moved", cases, change)

    # -- saving --------------------------------------------------------------------------------
    def bulk(self, what: str, cases: list[Case], change: Change, form: forms.FormScreen | None = None) -> None:
        """Save ``change`` on each case, each against the revision last loaded, as one session
        call in one worker; ``BulkDone`` reports the result."""
        self.busy = True
        self._ticket = form.ticket if form is not None else None
        self._update_info()
        self._bulk_worker(what, [(c, change) for c in cases])

    @work(thread=True, group="today-save", description="bulk save")  # (the default repr of every job)
    def _bulk_worker(self, what: str, jobs: list) -> None:
        out = self.session.bulk(jobs)  # the cases that saved are one undo step on the board
        self.post_message(BulkDone(what, out.saved, [(cid, str(exc)) for cid, exc in out.failed]))

    def on_bulk_done(self, msg: BulkDone) -> None:
        self.busy = False
        lst = self.today_list
        lst.marks -= set(msg.ok)  # the refused ones stay marked, to try again
        total = len(msg.ok) + len(msg.failed)
        if msg.failed:
            lines = [f"{cid}: {clean(err)}" for cid, err in msg.failed[:6]]
            if len(msg.failed) > 6:
                lines.append(f"… and {len(msg.failed) - 6} more")
            self.notify("\n".join(lines), title=f"{msg.what} {len(msg.ok)} of {total}; {len(msg.failed)} failed",
                        severity="error" if not msg.ok else "warning", markup=False, timeout=10)
        else:
            ids = ", ".join(msg.ok[:4]) + (" …" if len(msg.ok) > 4 else "")
            self.notify(f"{msg.what} {len(msg.ok)} of {total}: {ids}", markup=False, timeout=4)
        ticket, self._ticket = self._ticket, None
        if ticket is not None:  # the form that asked (in front) closes, or says why not
            why = None if msg.ok else "; ".join(f"{cid}: {err}" for cid, err in msg.failed[:3])
            answer(self.app, ticket, why)
        if msg.saved:
            self.bulk_saved(msg.saved)
            self.post_message(CasesChanged(tuple(msg.ok)))
        else:
            self._update_info()
        lst.refresh()


__all__ = ["TodayBulk", "BulkDone", "tag_change"]
