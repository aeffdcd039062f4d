"""What the keys do to a case, and the one place a change from the board or the detail is saved.

Two pieces, both used by the two screens that show a case (board and detail):

- ``CaseActions``: a mixin for those screens. It holds the case keys (``CASE_BINDINGS``: same
  ids as before, so a ``[keys]`` keymap still applies) and their actions: move, new, edit,
  message, attach, deadline, proposal (offer / answer), description and message in $EDITOR,
  copy id, undo / redo, open and statement. Each screen says which case is current
  (``current_case``); the actions open a form or ask the writer.
- ``CaseWriter``: a plain object the app owns (``app.writer``). It runs every save, create,
  attach and undo in a thread worker *of the app* (a save outlives the screen that asked for it:
  esc on the detail while saving still gets its answer), through ``app.session`` (the one
  writer), and answers with ``CaseSaved`` / ``SaveFailed`` posted to the app, which hands them
  back here (``saved`` / ``failed``): the form is told, the user is told, the board reloads.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from textual.binding import Binding

from store.validate import case_from_dict
from store import STAGES, Case, ConflictError, StoreError, ValidationError, negotiation, ops
from store.editor import EditorError, message_template, parse_message

from .editor import run_editor
from .messages import CaseSaved, OpenCase, OpenStatement, SaveAnswered, SaveFailed, answer, new_ticket
from .safe import clean
from .screens import case_forms, forms
from .session import Outcome

if TYPE_CHECKING:
    from .app import DisputeApp

HELP_BINDING = Binding("question_mark,f1", "app.help", "Keys", id="app.help", key_display="?")
# The keys of a screen that shows a case, in the order the help lists them. Their ids are the
# keymap's names (``[keys]`` in the config). The app's own keys among them (``app.*`` actions)
# only act here, so they are listed here too; ``?`` is also the app's everywhere else.
CASE_BINDINGS = [
    Binding("L,greater_than_sign", "move(1)", "Next stage", id="case.next_stage", key_display="L/>"),
    Binding("H,less_than_sign", "move(-1)", "Prev stage", show=False, id="case.prev_stage", key_display="H/<"),
    Binding("n", "new_case", "New", id="case.new"),
    Binding("e", "edit", "Edit", show=False, id="case.edit"),
    Binding("m", "message", "Message", id="case.message"),
    Binding("a", "attach", "Attach", show=False, id="case.attach"),
    Binding("d", "deadline", "Deadline", show=False, id="case.deadline"),
    Binding("o", "offer", "Proposal", show=False, id="case.offer"),
    Binding("u", "undo", "Undo", show=False, id="case.undo"),
    Binding("ctrl+r", "redo", "Redo", show=False, id="case.redo"),
    Binding("t", "app.today", "Today", id="app.today"),
    Binding("s", "app.stats", "Outcomes", show=False, id="app.stats"),
    Binding("S", "statement", "Statement & packet", show=False, id="case.statement"),
    HELP_BINDING,
    Binding("q", "app.quit", "Quit", id="app.quit"),
    # Issue 12: the user's own editor, and the clipboard (OSC 52, works over SSH).
    Binding("E", "edit_description", "Description in $EDITOR", show=False, id="case.edit_description"),
    Binding("M", "message_in_editor", "Message in $EDITOR", show=False, id="case.message_editor"),
    Binding("y", "copy_id", "Copy case id", show=False, id="case.copy_id"),
]

# The actions of those keys that are this module's (not the app's).
CASE_KEY_ACTIONS = {b.action.split("(")[0] for b in CASE_BINDINGS if not b.action.startswith("app.")}

# Actions that need a case selected: dimmed (and explained) without one.
NEEDS_CASE = {"move", "edit", "message", "attach", "deadline", "open_case", "statement", "offer",
              "edit_description", "message_in_editor", "copy_id"}

# The form's field names -> the Case attribute each edits.
EDIT_FIELDS = {"supplier": "supplier", "order": "order", "title": "title", "amount": "amount",
               "currency": "currency", "claimed": "claimed", "reason": "reason", "want": "want",
               "platform": "platform", "received": "received_at", "contact": "supplier_contact",
               "product": "product", "ref": "platform_ref", "description": "description",
               "priority": "priority", "tags": "tags", "paid": "paid_at", "shipped": "shipped_at",
               "delivery": "delivery_estimate", "delivery_estimate": "delivery_estimate"}


class ExternalEdit:
    """A description saved from $EDITOR, while its save is out: a refused save keeps the text,
    and the next ``E`` on that case opens it again; after a conflict that save is over the
    colleague's. The writer keeps it by its ticket (``CaseWriter.editing``)."""

    def __init__(self, case_id: str, text: str, conflict_rev: int | None = None) -> None:
        self.case_id, self.text, self.conflict_rev = case_id, text, conflict_rev
        self.ticket = new_ticket()

    def failed(self, writer: "CaseWriter", conflict: bool, rev: int | None) -> None:
        if conflict and rev is not None:
            self.conflict_rev = rev
        writer.external_drafts[self.case_id] = self
        writer.app.notify("Your text is kept: E opens it again" + ("; saving it then keeps your version"
                          if conflict else ""), severity="warning", timeout=8)


def typed_edits(base: Case, values: dict) -> dict:
    """What an edit form changed relative to ``base``, keyed by Case attribute: a field shown
    cleaned and left alone, or a date shown to the minute and left alone, is not a change."""
    typed = {}
    for key, attr in EDIT_FIELDS.items():
        if key not in values:
            continue
        old = getattr(base, attr)
        if isinstance(old, str) and values[key] in (clean(old).strip(), clean(old, multiline=True).strip()):
            continue  # shown cleaned in the form, untouched by the user: keep as stored
        if isinstance(old, datetime) and values[key] is not None and \
                abs((old - values[key]).total_seconds()) < 60:
            continue  # shown to the minute: an untouched date keeps its seconds
        typed[attr] = values[key]
    return typed


class CaseWriter:
    """Every save from the board and the detail, off the UI thread (see the module docstring)."""

    def __init__(self, app: "DisputeApp") -> None:
        self.app = app
        self.external_drafts: dict[str, ExternalEdit] = {}  # descriptions whose save was refused
        self.editing: dict[int, ExternalEdit] = {}  # descriptions whose save is out, by ticket

    def _run(self, fn: Callable[..., None], *args: Any) -> None:
        self.app.run_worker(partial(fn, *args), thread=True, group="save", description=fn.__name__)

    def save(self, case_id: str, change: Callable[[Case], tuple[str, str]], expected_rev: int | None,
             ticket: int | None = None, fields: list[str] | None = None) -> None:
        """Save off the UI thread. ``expected_rev`` refuses the save if the case changed since the
        form was opened (a form says which revision after a refusal: ``FormScreen.expected``).
        ``None`` (appends: a message, evidence, a deadline) applies to whatever is there now:
        nothing of anyone's is overwritten. The answer goes to whoever holds ``ticket``."""
        self._run(self._save, case_id, change, expected_rev, ticket, fields or [])

    def save_edit(self, edit: ExternalEdit, change: Callable[[Case], tuple[str, str]], rev: int) -> None:
        """Save a description from $EDITOR: kept for the next ``E`` if it is refused."""
        self.editing[edit.ticket] = edit
        self.save(edit.case_id, change, edit.conflict_rev if edit.conflict_rev is not None else rev,
                  edit.ticket, fields=["description"])

    def create(self, case: Case, ticket: int | None) -> None:
        self._run(self._create, case, ticket)

    def undo(self, redo: bool = False, case: Case | None = None) -> None:
        self._run(self._undo, redo, case)

    def attach(self, case_id: str, values: dict, expected_rev: int | None, ticket: int | None) -> None:
        self._run(self._attach, case_id, values, expected_rev, ticket)

    # -- the workers (threads) -------------------------------------------------------------------
    def _save(self, case_id: str, change, expected_rev: int | None, ticket: int | None,
              fields: list[str] | None = None) -> None:
        post = self.app.post_message
        try:
            case = self.app.session.update(case_id, change, expected_rev, fields=fields or [])
        except ConflictError as exc:
            post(SaveFailed(str(exc), True, ticket, exc.user, exc.rev, exc.both))
            return
        except (StoreError, OSError) as exc:
            post(SaveFailed(str(exc), False, ticket))
            return
        post(CaseSaved(case, case.history[-1].detail, ticket))

    def _create(self, case: Case, ticket: int | None) -> None:
        try:
            created = self.app.session.create(case)
        except (StoreError, OSError) as exc:
            self.app.post_message(SaveFailed(str(exc), False, ticket))
            return
        self.app.post_message(CaseSaved(created, "created", ticket))

    def _undo(self, redo: bool = False, case: Case | None = None) -> None:
        """Undo (or redo) the session's newest step; with ``case``, the user's own last change
        on it from before this session."""
        which, session, post = ("redone" if redo else "undone"), self.app.session, self.app.post_message
        try:
            if case is not None:
                out = Outcome(saved=[session.undo_last_of_mine(case)])
            else:
                out = session.redo() if redo else session.undo()
        except (LookupError, StoreError, OSError) as exc:
            post(SaveFailed(str(exc), False, None))
            return
        for cid, exc in out.failed:
            conflict = isinstance(exc, ConflictError)
            post(SaveFailed(f"{cid} not {which}: {exc}", conflict, None, getattr(exc, "user", "")))
        for saved in out.saved:
            post(CaseSaved(saved, saved.history[-1].detail, None, undoable=False))

    def _attach(self, case_id: str, values: dict, expected_rev: int | None, ticket: int | None) -> None:
        try:
            digest = ops.file_digest(Path(values["path"]))  # hashing: off the UI thread, outside the lock
        except OSError as exc:
            self.app.post_message(SaveFailed(f"cannot read {values['path']}: {exc.strerror}", False, ticket))
            return
        now, user = self.app.clock(), self.app.store.user

        def change(case: Case) -> tuple[str, str]:
            return ops.attach(case, values["path"], values["kind"], values["note"], now, user, digest=digest)

        self._save(case_id, change, expected_rev, ticket)

    # -- the answers (UI thread, routed here by the app) -------------------------------------------
    def saved(self, msg: CaseSaved) -> None:
        if msg.ticket is not None and self.editing.pop(msg.ticket, None) is None:
            answer(self.app, msg.ticket)  # the form that asked closes
        self.app.notify(f"{msg.case.id}: {clean(msg.detail)}", markup=False, timeout=3)
        self.app.loader.load(select=msg.case.id, refresh=False)

    def failed(self, msg: SaveFailed) -> None:
        edit = self.editing.pop(msg.ticket, None) if msg.ticket is not None else None
        if edit is not None:
            edit.failed(self, msg.conflict, msg.rev)  # the text is kept for the next E
        elif msg.ticket is not None:  # a form: it shows why, and saving it again is deliberate
            if msg.conflict and msg.rev is not None:
                msg.error += (f"; save again to write your {', '.join(msg.both)} over theirs, keeping the rest"
                              if msg.both else "; save again to write only your changes")
            answer(self.app, msg.ticket, msg.error, msg.rev if msg.conflict else None)
        title = f"Changed by {clean(msg.user)}" if msg.conflict else "Not saved"
        self.app.notify(clean(msg.error), title=title, severity="error", markup=False, timeout=8)
        if msg.conflict:
            self.app.loader.load(refresh=True)


class CaseActions:
    """The case keys of a screen that shows a case (mixed into the board and the detail screens,
    before ``Screen``). The screen says which case is current; ``case_check`` is its
    ``check_action`` for these keys."""

    app: "DisputeApp"

    def current_case(self) -> Case | None:
        raise NotImplementedError

    def checked_case(self) -> Case | None:
        """The case ``case_check`` looks at: only its id and stage matter, so a screen whose
        current case is read whole from the store on demand (the board's) may give its light one:
        the footer's check ran on the first frame, before any key, and decoded a whole case for
        it."""
        return self.current_case()

    def case_check(self, action: str, parameters: tuple) -> bool | None:
        """``check_action`` for the case keys: dimmed without a case, ``move`` only within the
        stages, and hidden while another screen is in front (a form: its keys, not these)."""
        if action in CASE_KEY_ACTIONS and not isinstance(self.app.screen, CaseActions):
            return False
        if action in NEEDS_CASE:
            case = self.checked_case()
            if case is None:
                return None  # shown dimmed
            if action == "move":
                idx = STAGES.index(case.stage) + int(parameters[0] if parameters else 1)
                return True if 0 <= idx < len(STAGES) else None
        return True

    def _form(self, spec) -> None:
        self.app.push_screen(forms.FormScreen(spec))

    def action_open_case(self) -> None:
        case = self.current_case()
        if case is None:
            return
        self.post_message(OpenCase(case.id))

    def action_statement(self) -> None:
        case = self.current_case()
        if case is not None:
            self.post_message(OpenStatement(case.id))

    def action_move(self, step: int) -> None:
        app, case = self.app, self.current_case()
        if case is None:
            app.notify("No case selected", severity="warning")
            return
        idx = STAGES.index(case.stage) + step
        if not 0 <= idx < len(STAGES):
            return
        stage, now = STAGES[idx], app.clock()
        if stage == "resolved":
            def submit(values: dict, form: forms.FormScreen) -> None:
                app.writer.save(case.id, lambda c: ops.move(c, "resolved", now, values["outcome"],
                                                            values["recovered"]), form.expected(case.rev), form.ticket)
            self._form(case_forms.outcome_spec(case, now, submit))
            return
        app.writer.save(case.id, lambda c: ops.move(c, stage, now), case.rev)

    def action_new_case(self) -> None:
        app = self.app

        def submit(values: dict, form: forms.FormScreen) -> None:
            now = app.clock()
            case = Case(
                id="D-0001", order=values["order"], supplier=values["supplier"], reason=values["reason"],
                amount=values["amount"], created_at=now, stage_entered_at=now, currency=values["currency"],
                platform=values["platform"], title=values["title"], want=values["want"],
                claimed=values["claimed"], received_at=values["received"], supplier_contact=values["contact"],
                product=values["product"], platform_ref=values["ref"], description=values["description"],
                paid_at=values["paid"], shipped_at=values["shipped"], delivery_estimate=values["delivery_estimate"],
            )
            app.writer.create(case, form.ticket)
        self._form(case_forms.new_case_spec(submit))

    def action_edit(self) -> None:
        app, case = self.app, self.current_case()
        if case is None:
            return
        base = case_from_dict(case.to_dict())  # the revision the form shows: what "changed" is relative to

        def submit(values: dict, form: forms.FormScreen) -> None:
            typed = typed_edits(base, values)
            try:
                mine = list(ops.changed_fields(base, typed))
            except ValidationError as exc:
                form.post_message(SaveAnswered(form.ticket, str(exc)))
                return
            # Only what this form changed relative to ``base`` is written, onto the latest
            # revision: a colleague's other fields stay, even on a deliberate save after a refusal.
            app.writer.save(case.id, lambda c: ops.edit_fields(c, typed, base), form.expected(base.rev), form.ticket,
                            fields=mine)
        self._form(case_forms.edit_spec(case, submit))

    def _append_form(self, make_spec,
                     change_for: Callable[[dict, datetime], Callable[[Case], tuple[str, str]]]) -> None:
        """A form that adds to the current case (a message, a deadline): ``change_for(values,
        now)`` is saved onto whatever is there then, an append: a colleague's change meanwhile is
        kept alongside, not a conflict."""
        app, case = self.app, self.current_case()
        if case is None:
            return

        def submit(values: dict, form: forms.FormScreen) -> None:
            app.writer.save(case.id, change_for(values, app.clock()), None, form.ticket)
        self._form(make_spec(case, submit))

    def action_message(self) -> None:
        user = self.app.store.user
        self._append_form(case_forms.message_spec,
                          lambda v, now: lambda c: ops.log(c, v["sender"], v["text"], now, user))

    def action_attach(self) -> None:
        app, case = self.app, self.current_case()
        if case is None:
            return

        def submit(values: dict, form: forms.FormScreen) -> None:
            app.writer.attach(case.id, values, None, form.ticket)  # an append
        self._form(case_forms.evidence_spec(case, submit))

    def action_deadline(self) -> None:
        self._append_form(case_forms.deadline_spec,
                          lambda v, now: lambda c: ops.add_deadline(c, v["kind"], v["due"], v["hard"], v["note"]))

    def action_offer(self) -> None:
        app, case = self.app, self.current_case()
        if case is None:
            return

        def submit(values: dict, form: forms.FormScreen) -> None:
            now = app.clock()
            amount = values["amount"]
            # A counter-proposal answers what is on the table: made from a stale copy, refuse it.
            app.writer.save(case.id, lambda c: negotiation.offer(c, values["sender"], values["kind"], amount, now),
                            form.expected(case.rev), form.ticket)
        self._form(case_forms.offer_spec(case, submit))

    def answer_offer(self, status: str) -> None:
        case = self.current_case()
        if case is None:
            return
        now = self.app.clock()
        self.app.writer.save(case.id, lambda c: negotiation.respond(c, None, status, now), case.rev)

    def action_undo(self) -> None:
        app = self.app
        if app.session.can_undo:
            app.writer.undo()
            return
        case = self.current_case()
        if case is None:
            app.notify("Nothing to undo", severity="warning")
            return
        app.writer.undo(case=case)

    def action_redo(self) -> None:
        if not self.app.session.can_redo:
            self.app.notify("Nothing to redo", severity="warning")
            return
        self.app.writer.undo(redo=True)

    # -- issue 12: the user's editor, the clipboard --------------------------------------------
    def action_edit_description(self) -> None:
        """The description in $VISUAL/$EDITOR (app suspended), saved like the form's edit: with
        the revision it was based on, so a colleague's change meanwhile is a conflict, not lost."""
        app, case = self.app, self.current_case()
        if case is None:
            return
        drafts = app.writer.external_drafts
        pending = drafts.pop(case.id, None)
        start = pending.text if pending is not None else case.description
        text = run_editor(app, start, f"{case.id}-description-")
        if text is None:
            if pending is not None:
                drafts[case.id] = pending
            return
        new = "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))
        if new == case.description:
            app.notify(f"{case.id}: description unchanged", timeout=3)
            return
        edit = ExternalEdit(case.id, new, pending.conflict_rev if pending is not None else None)

        def change(c: Case) -> tuple[str, str]:
            c.description = new
            return "edit", "changed description (in the editor)"
        app.writer.save_edit(edit, change, case.rev)

    def action_message_in_editor(self) -> None:
        """A new message written in $VISUAL/$EDITOR; its ``from:`` line says who it is from."""
        app, case = self.app, self.current_case()
        if case is None:
            return
        text = run_editor(app, message_template(case.id, clean(case.supplier)), f"{case.id}-message-")
        if text is None:
            return
        try:
            sender, body = parse_message(text)
        except EditorError as exc:
            app.notify(clean(str(exc)), title="Not saved", severity="error", markup=False)
            return
        if not body.strip():
            app.notify("Empty message: nothing saved", severity="warning", timeout=3)
            return
        now, user = app.clock(), app.store.user
        app.writer.save(case.id, lambda c: ops.log(c, sender, body, now, user), None)  # an append

    def action_copy_id(self) -> None:
        case = self.current_case()
        if case is None:
            return
        self.app.copy_to_clipboard(case.id)
        self.app.notify(f"Copied {case.id} to the clipboard", markup=False, timeout=2)
