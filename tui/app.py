"""Dispute Board: the Textual kanban.

(Over 500 lines, and it should not be: the case actions, the save and undo workers, the status
line and the load pipeline still live here. They belong to the board screen and a shared
``case_actions`` module; that move is what is left of issue 10.)

Layout: the board screen (``screens.board``: one ``widgets.stage_column.StageColumn`` per
stage, a detail pane beside them when the terminal is wide, a status line and the footer).

Threads: every store call runs in a thread worker holding ``self.store_lock``; every change goes
through ``self.session`` (``tui.session``, the one writer: conflicts, the lock, undo and redo for
every screen), which takes that lock itself. Results come back as typed messages (``CasesLoaded``, ``CaseSaved``, ``SaveFailed``, ``EvidenceChecked``).
The UI thread only reads the immutable ``Case`` snapshots those messages carry.

One app-level timer drives every countdown and the poll for other people's changes.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from store import STAGES, Case, ConflictError, StoreError, ValidationError, ops
from store import clock, negotiation
from store.editor import EditorError, message_template, parse_message

from . import commands
from .editor import run_editor
from .messages import CaseSaved, CasesChanged, CasesLoaded, EvidenceChecked, EvidenceMarked, OpenCase, SaveFailed
from .safe import clean
from .screens import forms
from .screens.board import BoardScreen
from .screens.detail import DetailScreen
from .screens.help import HelpScreen
from .screens.outcomes import OutcomesScreen
from .screens.statement import StatementScreen
from .themes import DEFAULT_THEME, builtin_themes, remember_theme, remembered_theme, user_themes
from .screens.today import TodayScreen
from .widgets.detail_pane import DetailPane
from .widgets.stage_column import StageColumn
from .loader import BoardLoader
from .session import Outcome, Session
from .triage import EVIDENCE_RECHECK_SECONDS, Triage

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return clock.now()


class ExternalEdit:
    """The requester of a save edited in $EDITOR: a refused save keeps the text, and the next
    ``E`` on that case opens it again; after a conflict that save is over the colleague's."""

    def __init__(self, case_id: str, text: str, conflict_rev: int | None = None) -> None:
        self.case_id, self.text, self.conflict_rev = case_id, text, conflict_rev

    def failed(self, app: "DisputeApp", conflict: bool, rev: int | None) -> None:
        if conflict and rev is not None:
            self.conflict_rev = rev
        app._external_drafts[self.case_id] = self
        app.notify("Your text is kept: E opens it again" + ("; saving it then keeps your version" if conflict
                   else ""), severity="warning", timeout=8)


class DisputeApp(App[int]):
    TITLE = "Dispute Board"
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses elsewhere work too
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("L,greater_than_sign", "move(1)", "Next stage", id="case.next_stage",
                key_display="L/>"),
        Binding("H,less_than_sign", "move(-1)", "Prev stage", show=False, id="case.prev_stage",
                key_display="H/<"),
        Binding("n", "new_case", "New", id="case.new"),
        Binding("e", "edit", "Edit", show=False, id="case.edit"),
        Binding("m", "message", "Message", id="case.message"),
        Binding("a", "attach", "Attach", show=False, id="case.attach"),
        Binding("d", "deadline", "Deadline", show=False, id="case.deadline"),
        Binding("o", "offer", "Proposal", show=False, id="case.offer"),
        Binding("u", "undo", "Undo", show=False, id="case.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="case.redo"),
        Binding("t", "today", "Today", id="app.today"),
        Binding("s", "stats", "Outcomes", show=False, id="app.stats"),
        Binding("S", "statement", "Statement & packet", show=False, id="case.statement"),
        # One line in the help for all nine: "1  Saved views 1-9 (config)".
        *[Binding(str(i), f"view({i})", "Saved views 1-9 (config)" if i == 1 else "", show=False,
                  id=f"app.view{i}") for i in range(1, 10)],
        Binding("question_mark,f1", "help", "Keys", id="app.help", key_display="?"),
        Binding("q", "quit", "Quit", id="app.quit"),
        # Issue 12: the user's own editor, and the clipboard (OSC 52, works over SSH).
        Binding("E", "edit_description", "Description in $EDITOR", show=False, id="case.edit_description"),
        Binding("M", "message_in_editor", "Message in $EDITOR", show=False, id="case.message_editor"),
        Binding("y", "copy_id", "Copy case id", show=False, id="case.copy_id"),
    ]

    def __init__(self, store, cfg, clock: Clock | None = None) -> None:
        super().__init__()
        self.store = store
        self.cfg = cfg
        self.clock: Clock = clock or _utcnow
        forms.configure(cfg, self.clock)  # the one date reader: the config's date order, this clock
        # Re-entrant: the session takes it around each store call, and the load worker around
        # its reads; a worker holding it may call the session.
        self.store_lock = threading.RLock()
        self.session = Session(store, self.clock, lock=self.store_lock)  # the one writer
        self.triage = Triage(cfg)
        self.now = self.clock()
        self.loader = BoardLoader(self)  # the load pipeline and the one clock's work
        self.started_at = time.perf_counter()
        self.board_themes: list[str] = []
        self.refresh_seconds = float(cfg.board.get("refresh_seconds", 1.0) or 1.0)
        self.timer = None
        self._marking = False
        # The background evidence pass: every loaded case's files statted once a while, driven
        # by the one timer and the app's clock (tests move the clock and post ticks).
        self.evidence_every = timedelta(seconds=EVIDENCE_RECHECK_SECONDS)
        self._evidence_due: datetime | None = None
        self._rechecking = False
        self.last_evidence_pass: tuple[int, float] | None = None  # (cases, seconds) of the last pass
        # Re-hashed evidence per case: id -> (rev, when, {index: ok|missing|changed}).
        self.evidence_states: dict[str, tuple[int, float, dict[int, str]]] = {}
        self._external_drafts: dict[str, ExternalEdit] = {}  # descriptions whose save was refused

    # -- setup ---------------------------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The board's own theme variables, for themes that do not set them (Textual's own)."""
        dark = self.current_theme.dark
        return {"card-selected-background": "#3a3a3a" if dark else "#d0d0d0",
                # Case ids: a colour no 16-colour terminal turns into the error red.
                "case-id": "#5fd7d7" if dark else "#008787"}

    def get_default_screen(self) -> Screen:
        return BoardScreen(self.triage)

    @property
    def board(self) -> BoardScreen:
        return self.screen_stack[0]  # type: ignore[return-value]  # the default screen, always at the bottom

    def on_mount(self) -> None:
        self._setup_themes()
        keys = self.cfg.data.get("keys")
        if isinstance(keys, dict) and keys:
            self.set_keymap({str(k): str(v) for k, v in keys.items()})

    def board_ready(self) -> None:
        """The board screen is mounted: load the cases and start the one clock."""
        self.update_status()
        self.load(select=None, refresh=False, first=True)
        if self.timer is None:
            self.timer = self.set_interval(min(1.0, self.refresh_seconds), self._tick, name="board-clock")

    def _setup_themes(self) -> None:
        for t in builtin_themes():
            self.register_theme(t)
            self.board_themes.append(t.name)
        mine, problems = user_themes()
        for t in mine:
            self.register_theme(t)
            if t.name not in self.board_themes:
                self.board_themes.append(t.name)
        for p in problems:
            self.notify(clean(p), title="Theme file skipped", severity="warning", markup=False)
        wanted = remembered_theme() or str(self.cfg.board.get("theme") or DEFAULT_THEME)
        if wanted not in self.available_themes:
            self.notify(
                f"Unknown theme {clean(wanted)!r}; using {DEFAULT_THEME}. Valid: {', '.join(self.board_themes)}",
                title="Theme", severity="warning", markup=False, timeout=8)
            wanted = DEFAULT_THEME
        self.theme = wanted

    def choose_theme(self, name: str) -> None:
        self.theme = name
        self._remember(name)

    @work(thread=True, group="state")
    def _remember(self, name: str) -> None:
        try:
            remember_theme(name)
        except OSError as exc:
            self.call_from_thread(self.notify, f"Could not remember the theme: {exc}", severity="warning",
                                  markup=False)

    # -- the load pipeline and the clock: tui/loader.py ------------------------------------------
    def _tick(self) -> None:
        self.loader.tick()

    def load(self, select: str | None = None, refresh: bool = False, first: bool = False) -> None:
        self.loader.load(select, refresh, first)

    def on_cases_loaded(self, msg: CasesLoaded) -> None:
        self.loader.on_cases_loaded(msg)

    def _find(self, case_id: str) -> Case | None:
        return self.loader.find(case_id)

    def recount(self) -> None:
        self.loader.recount()

    def card_info(self, case: Case):
        return self.loader.card_info(case)

    # What the tests and the bench read of the loader's state.
    _loading = property(lambda self: self.loader.loading)
    counts = property(lambda self: self.loader.counts)
    change_info = property(lambda self: self.loader.change_info)
    first_paint_at = property(lambda self: self.loader.first_paint_at)
    full_loaded_at = property(lambda self: self.loader.full_loaded_at)
    last_load_seconds = property(lambda self: self.loader.last_load_seconds)

    @property
    def _last_poll(self) -> float:
        return self.loader.last_poll

    @_last_poll.setter
    def _last_poll(self, value: float) -> None:
        self.loader.last_poll = value

    # -- cards & status -------------------------------------------------------------------------
    def update_status(self) -> None:
        overdue, mine = self.counts if self.counts is not None else (None, None)
        info = self.change_info  # read by the load worker, never here on the UI thread
        if overdue is None:
            parts: list = [("counting…  ", "$text-muted")]
        else:
            parts = [(f"{overdue} overdue", "bold $error" if overdue else "$text-muted"), ("  ", ""),
                     (f"{mine} waiting on me", "bold $warning" if mine else "$text-muted"), ("  ", "")]
        board = self.screen_stack[0] if self.screen_stack else None
        if isinstance(board, BoardScreen) and board.filter_text:
            n = sum(len(c.cases) for c in board.columns)
            parts += [("filter ", "$text-muted"), (clean(board.filter_text), "bold"), (f" ({n})  ", "")]
        if info is not None and info.at is not None:
            when = info.at.astimezone()
            fmt = "%H:%M" if when.date() == self.now.astimezone().date() else "%m-%d %H:%M"
            parts += [("changed ", "$text-muted"), (when.strftime(fmt), ""),
                      (" by ", "$text-muted"), (clean(info.user), "")]
        parts += [("  ", ""), (clean(self.store.user), "bold"), ("@", "$text-muted"),
                  (clean(self.store.location), "$text-muted")]
        problem = getattr(self.store, "housekeeping_problem", lambda: None)()  # one open(), ENOENT when healthy
        if problem:  # first, so a narrow terminal still shows it
            parts[:0] = [(clean(f"backup/compaction failing: {problem}")[:100], "bold $error"), ("  ", "")]
        content = Content.assemble(*parts)
        for screen in self.screen_stack:
            for w in screen.query(".status"):
                if isinstance(w, Static):
                    w.update(content)

    # -- evidence -------------------------------------------------------------------------------
    def evidence_pending(self) -> bool:
        return bool(self.triage.pending)

    def on_stage_column_needs_evidence(self, msg: StageColumn.NeedsEvidence) -> None:
        if self.triage.pending and not self._marking:
            self._marking = True
            self._mark_evidence()

    @work(thread=True, group="evidence-marks")
    def _mark_evidence(self) -> None:
        """Stat the evidence files of the cards just drawn (never on the UI thread)."""
        try:
            changed = self.triage.check_pending()
        finally:
            self.call_from_thread(self._marked)
        self.post_message(EvidenceMarked(changed))

    def _marked(self) -> None:
        self._marking = False

    @work(thread=True, group="evidence-pass", exclusive=True)
    def _recheck_evidence(self, cases: list[Case]) -> None:
        """The background pass over every loaded case (see ``Triage.recheck``)."""
        started = time.perf_counter()
        try:
            changed = self.triage.recheck(cases)
        finally:
            self.call_from_thread(self._rechecked, len(cases), time.perf_counter() - started)
        self.post_message(EvidenceMarked(changed))

    def _rechecked(self, n: int, seconds: float) -> None:
        self._rechecking = False
        self.last_evidence_pass = (n, seconds)

    def on_evidence_marked(self, msg: EvidenceMarked) -> None:
        if msg.changed and self.screen_stack:
            for col in self.board.columns:
                col.clear_cache(msg.changed)
            # An open case whose mark changed: re-check its files for the detail's list too.
            for screen in self.screen_stack:
                for pane in screen.query(DetailPane).results(DetailPane):
                    if pane.display and pane.case is not None and pane.case.id in msg.changed:
                        self.evidence_states.pop(pane.case.id, None)
                        self.check_evidence(pane.case)

    @work(thread=True, group="evidence", exclusive=True)
    def check_evidence(self, case: Case) -> None:
        """Re-hash the selected case's files (slow) and report which are missing or changed."""
        states = {i: ops.evidence_state(e) for i, e in enumerate(case.evidence)}
        self.post_message(EvidenceChecked(case.id, case.rev, dict(states)))
        for i, e in enumerate(case.evidence):
            if states[i] == "ok":
                states[i] = ops.evidence_verify(e)
        self.post_message(EvidenceChecked(case.id, case.rev, states, final=True))

    def on_evidence_checked(self, msg: EvidenceChecked) -> None:
        if msg.final:
            self.evidence_states[msg.case_id] = (msg.rev, time.monotonic(), msg.states)
        for pane in self._panes():
            pane.set_states(msg.case_id, msg.states)

    def _panes(self) -> list[DetailPane]:
        out = []
        for screen in self.screen_stack:
            out.extend(screen.query(DetailPane).results(DetailPane))
        return out

    # -- saving ---------------------------------------------------------------------------------
    def save(self, case_id: str, change: Callable[[Case], tuple[str, str]], expected_rev: int | None,
             requester: Any = None, fields: list[str] | None = None) -> None:
        """Save off the UI thread. ``expected_rev`` refuses the save if the case changed since the
        form was opened; after that refusal has been shown, saving the same form again is a
        deliberate overwrite of the revision it named. ``None`` (appends: a message, evidence, a
        deadline) applies to whatever is there now: nothing of anyone's is overwritten."""
        override = getattr(requester, "conflict_rev", None)
        if expected_rev is not None and override is not None:
            expected_rev = override
        self._save_worker(case_id, change, expected_rev, requester, fields or [])

    @work(thread=True, group="save")
    def _save_worker(self, case_id: str, change, expected_rev: int | None, requester: Any,
                     fields: list[str] | None = None) -> None:
        try:
            case = self.session.update(case_id, change, expected_rev, fields=fields or [])
        except ConflictError as exc:
            self.post_message(SaveFailed(str(exc), True, requester, exc.user, exc.rev, exc.both))
            return
        except (StoreError, OSError) as exc:
            self.post_message(SaveFailed(str(exc), False, requester))
            return
        self.post_message(CaseSaved(case, case.history[-1].detail, requester))

    @work(thread=True, group="save")
    def _create_worker(self, case: Case, requester: Any) -> None:
        try:
            created = self.session.create(case)
        except (StoreError, OSError) as exc:
            self.post_message(SaveFailed(str(exc), False, requester))
            return
        self.post_message(CaseSaved(created, "created", requester))

    @work(thread=True, group="save")
    def _undo_worker(self, redo: bool = False, case: Case | None = None) -> None:
        """Undo (or redo) the session's newest step; with ``case``, the user's own last change
        on it from before this session."""
        which = "redone" if redo else "undone"
        try:
            if case is not None:
                out = Outcome(saved=[self.session.undo_last_of_mine(case)])
            else:
                out = self.session.redo() if redo else self.session.undo()
        except LookupError as exc:
            self.post_message(SaveFailed(str(exc), False, None))
            return
        except (StoreError, OSError) as exc:
            self.post_message(SaveFailed(str(exc), False, None))
            return
        for cid, exc in out.failed:
            conflict = isinstance(exc, ConflictError)
            self.post_message(SaveFailed(f"{cid} not {which}: {exc}", conflict, None,
                                         getattr(exc, "user", "")))
        for saved in out.saved:
            self.post_message(CaseSaved(saved, saved.history[-1].detail, None, undoable=False))

    @work(thread=True, group="save")
    def _attach_worker(self, case_id: str, values: dict, expected_rev: int | None, requester: Any) -> None:
        try:
            digest = ops.file_digest(Path(values["path"]))  # hashing: off the UI thread, outside the lock
        except OSError as exc:
            self.post_message(SaveFailed(f"cannot read {values['path']}: {exc.strerror}", False, requester))
            return
        now = self.clock()
        user = self.store.user

        def change(case: Case) -> tuple[str, str]:
            return ops.attach(case, values["path"], values["kind"], values["note"], now, user, digest=digest)

        self._save_worker(case_id, change, expected_rev, requester)

    def on_case_saved(self, msg: CaseSaved) -> None:
        if isinstance(msg.requester, forms.FormScreen):
            msg.requester.saved()
        self.notify(f"{msg.case.id}: {clean(msg.detail)}", markup=False, timeout=3)
        self.load(select=msg.case.id, refresh=False)

    def on_save_failed(self, msg: SaveFailed) -> None:
        if isinstance(msg.requester, ExternalEdit):
            msg.requester.failed(self, msg.conflict, msg.rev)  # the text is kept for the next E
        if isinstance(msg.requester, forms.FormScreen):
            if msg.conflict and msg.rev is not None:
                msg.requester.conflict_rev = msg.rev  # type: ignore[attr-defined]
                msg.error += (f"; save again to write your {', '.join(msg.both)} over theirs, keeping the rest"
                              if msg.both else "; save again to write only your changes")
            msg.requester.failed(msg.error)
        title = f"Changed by {clean(msg.user)}" if msg.conflict else "Not saved"
        self.notify(clean(msg.error), title=title, severity="error", markup=False, timeout=8)
        if msg.conflict:
            self.load(refresh=True)

    # -- case actions ---------------------------------------------------------------------------
    def current_case(self, screen: Screen | None = None) -> Case | None:
        screen = screen or self.screen
        if isinstance(screen, DetailScreen):
            case = screen.pane.case
            return self._find(case.id) if case is not None else None
        if isinstance(screen, BoardScreen):
            return screen.selected
        return None

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        case_actions = {"move", "edit", "message", "attach", "deadline", "open_case", "statement", "offer"}
        case_actions |= {"edit_description", "message_in_editor", "copy_id"}  # issue 12
        if action in case_actions or action in ("new_case", "undo", "redo", "quit", "today", "stats", "view"):
            # q in a form (a button focused) must not quit and lose what was typed.
            if not isinstance(self.screen, (BoardScreen, DetailScreen)):
                return False
        if action in case_actions:
            case = self.current_case()
            if case is None:
                return None  # shown dimmed
            if action == "move":
                idx = STAGES.index(case.stage) + int(parameters[0] if parameters else 1)
                return True if 0 <= idx < len(STAGES) else None
        return True

    def action_open_case(self) -> None:
        case = self.current_case()
        if case is None:
            return
        self.push_screen(DetailScreen(self.triage, case, self.now))
        self.call_after_refresh(self.update_status)
        self.check_evidence(case)

    def action_move(self, step: int) -> None:
        case = self.current_case()
        if case is None:
            self.notify("No case selected", severity="warning")
            return
        idx = STAGES.index(case.stage) + step
        if not 0 <= idx < len(STAGES):
            return
        stage = STAGES[idx]
        now = self.clock()
        if stage == "resolved":
            def submit(values: dict, form: forms.FormScreen) -> None:
                self.save(case.id, lambda c: ops.move(c, "resolved", now, values["outcome"],
                                                      values["recovered"]), case.rev, form)
            self.push_screen(forms.FormScreen(forms.outcome_spec(case, now, submit)))
            return
        self.save(case.id, lambda c: ops.move(c, stage, now), case.rev)

    def action_new_case(self) -> None:
        def submit(values: dict, form: forms.FormScreen) -> None:
            now = self.clock()
            case = Case(
                id="D-0001", order=values["order"], supplier=values["supplier"], reason=values["reason"],
                amount=values["amount"], created_at=now, stage_entered_at=now, currency=values["currency"],
                platform=values["platform"], title=values["title"], want=values["want"],
                claimed=values["claimed"], received_at=values["received"], supplier_contact=values["contact"],
                product=values["product"], platform_ref=values["ref"], description=values["description"],
                paid_at=values["paid"], shipped_at=values["shipped"], delivery_estimate=values["delivery_estimate"],
            )
            self._create_worker(case, form)
        self.push_screen(forms.FormScreen(forms.new_case_spec(submit)))

    def action_edit(self) -> None:
        case = self.current_case()
        if case is None:
            return

        base = Case.from_dict(case.to_dict())  # the revision the form shows: what "changed" is relative to

        def submit(values: dict, form: forms.FormScreen) -> None:
            mapping = {"supplier": "supplier", "order": "order", "title": "title", "amount": "amount",
                       "currency": "currency", "claimed": "claimed", "reason": "reason", "want": "want",
                       "platform": "platform", "received": "received_at", "contact": "supplier_contact",
                       "product": "product", "ref": "platform_ref", "description": "description",
                       "priority": "priority", "tags": "tags", "paid": "paid_at", "shipped": "shipped_at",
                       "delivery": "delivery_estimate", "delivery_estimate": "delivery_estimate"}
            typed = {}
            for key, attr in mapping.items():
                if key not in values:
                    continue
                old = getattr(base, attr)
                if isinstance(old, str) and values[key] in (clean(old).strip(), clean(old, multiline=True).strip()):
                    continue  # shown cleaned in the form, untouched by the user: keep as stored
                if isinstance(old, datetime) and values[key] is not None and \
                        abs((old - values[key]).total_seconds()) < 60:
                    continue  # shown to the minute: an untouched date keeps its seconds
                typed[attr] = values[key]
            try:
                mine = list(ops.changed_fields(base, typed))
            except ValidationError as exc:
                form.failed(str(exc))
                return
            # Only what this form changed relative to ``base`` is written, onto the latest
            # revision: a colleague's other fields stay, even on a deliberate save after a refusal.
            self.save(case.id, lambda c: ops.edit_fields(c, typed, base), base.rev, form, fields=mine)
        self.push_screen(forms.FormScreen(forms.edit_spec(case, submit)))

    def action_message(self) -> None:
        case = self.current_case()
        if case is None:
            return

        def submit(values: dict, form: forms.FormScreen) -> None:
            now, user = self.clock(), self.store.user
            # An append: a colleague's change meanwhile is kept alongside, not a conflict.
            self.save(case.id, lambda c: ops.log(c, values["sender"], values["text"], now, user), None, form)
        self.push_screen(forms.FormScreen(forms.message_spec(case, submit)))

    def action_attach(self) -> None:
        case = self.current_case()
        if case is None:
            return

        def submit(values: dict, form: forms.FormScreen) -> None:
            self._attach_worker(case.id, values, None, form)  # an append
        self.push_screen(forms.FormScreen(forms.evidence_spec(case, submit)))

    def action_deadline(self) -> None:
        case = self.current_case()
        if case is None:
            return

        def submit(values: dict, form: forms.FormScreen) -> None:
            self.save(case.id, lambda c: ops.add_deadline(c, values["kind"], values["due"], values["hard"],
                                                          values["note"]), None, form)  # an append
        self.push_screen(forms.FormScreen(forms.deadline_spec(case, submit)))

    def action_undo(self) -> None:
        if self.session.can_undo:
            self._undo_worker()
            return
        case = self.current_case()
        if case is None:
            self.notify("Nothing to undo", severity="warning")
            return
        self._undo_worker(case=case)

    def action_offer(self) -> None:
        case = self.current_case()
        if case is None:
            return

        def submit(values: dict, form: forms.FormScreen) -> None:
            now = self.clock()
            amount = values["amount"]
            # A counter-proposal answers what is on the table: made from a stale copy, refuse it.
            self.save(case.id, lambda c: negotiation.offer(c, values["sender"], values["kind"], amount, now),
                      case.rev, form)
        self.push_screen(forms.FormScreen(forms.offer_spec(case, submit)))

    def answer_offer(self, status: str) -> None:
        case = self.current_case()
        if case is None:
            return
        now = self.clock()
        self.save(case.id, lambda c: negotiation.respond(c, None, status, now), case.rev)

    def action_redo(self) -> None:
        if not self.session.can_redo:
            self.notify("Nothing to redo", severity="warning")
            return
        self._undo_worker(redo=True)

    # -- issue 12: the user's editor, the clipboard --------------------------------------------
    def action_edit_description(self) -> None:
        """The description in $VISUAL/$EDITOR (app suspended), saved like the form's edit: with
        the revision it was based on, so a colleague's change meanwhile is a conflict, not lost."""
        case = self.current_case()
        if case is None:
            return
        pending = self._external_drafts.pop(case.id, None)
        start = pending.text if pending is not None else case.description
        text = run_editor(self, start, f"{case.id}-description-")
        if text is None:
            if pending is not None:
                self._external_drafts[case.id] = pending
            return
        new = "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))
        if new == case.description:
            self.notify(f"{case.id}: description unchanged", timeout=3)
            return
        edit = ExternalEdit(case.id, new, pending.conflict_rev if pending is not None else None)

        def change(c: Case) -> tuple[str, str]:
            c.description = new
            return "edit", "changed description (in the editor)"
        self.save(case.id, change, case.rev, edit, fields=["description"])

    def action_message_in_editor(self) -> None:
        """A new message written in $VISUAL/$EDITOR; its ``from:`` line says who it is from."""
        case = self.current_case()
        if case is None:
            return
        text = run_editor(self, message_template(case.id, clean(case.supplier)), f"{case.id}-message-")
        if text is None:
            return
        try:
            sender, body = parse_message(text)
        except EditorError as exc:
            self.notify(clean(str(exc)), title="Not saved", severity="error", markup=False)
            return
        if not body.strip():
            self.notify("Empty message: nothing saved", severity="warning", timeout=3)
            return
        now, user = self.clock(), self.store.user
        self.save(case.id, lambda c: ops.log(c, sender, body, now, user), None)  # an append

    def action_copy_id(self) -> None:
        case = self.current_case()
        if case is None:
            return
        self.copy_to_clipboard(case.id)
        self.notify(f"Copied {case.id} to the clipboard", markup=False, timeout=2)

    def action_today(self) -> None:
        self.push_screen(TodayScreen(self.store, self.cfg, self.clock, self.store.user, lock=self.store_lock))

    def action_stats(self) -> None:
        self.push_screen(OutcomesScreen(self.store, self.cfg, self.clock, self.store.user, lock=self.store_lock))

    def action_statement(self) -> None:
        case = self.current_case()
        if case is not None:
            self.push_screen(StatementScreen(self.store, self.cfg, self.clock, self.store.user, case.id,
                                             lock=self.store_lock))

    def action_view(self, number: int) -> None:
        """A saved view from the config: the board shows only the cases it selects."""
        views = self.cfg.data.get("views", [])
        if not 1 <= number <= len(views):
            self.notify(f"No saved view {number} (the config has {len(views)})", severity="warning")
            return
        view = views[number - 1]
        board = self.board
        if self.screen is not board:
            return
        inp = board.query_one("#filter", Input)
        board.query_one("#filter-bar").display = True
        inp.value = str(view.get("query", ""))
        self.notify(f"View {number}: {clean(str(view.get('name', '')))}", markup=False, timeout=2)

    def on_open_case(self, msg: OpenCase) -> None:
        """Enter on a Today row: the case on the board, its detail over Today (esc returns)."""
        self.board.select_case(msg.case_id)
        case = self._find(msg.case_id)
        if case is not None:
            self.push_screen(DetailScreen(self.triage, case, self.now))
            self.check_evidence(case)

    def on_cases_changed(self, msg: CasesChanged) -> None:
        self.load(select=None, refresh=False)

    def _today_screens(self) -> list[TodayScreen]:
        return [s for s in self.screen_stack[1:] if isinstance(s, TodayScreen)]

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        title = {BoardScreen: "Keys: board", DetailScreen: "Keys: case detail",
                 forms.FormScreen: "Keys: form"}.get(type(screen), "Keys")
        self.push_screen(HelpScreen(commands.key_rows(self, screen), title))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        return commands.palette(self, screen)


# -- entry points --------------------------------------------------------------------------------
def run_board(store, cfg) -> int:
    """Run the board on ``store``; returns the process exit code."""
    app = DisputeApp(store, cfg)
    result = app.run()
    code = app.return_code
    if code is None:
        code = result if isinstance(result, int) else 0
    return int(code or 0)


class main(DisputeApp):  # noqa: N801 - the name `textual run --dev tui.app:main` looks up
    """The board on the default database and config, for ``textual run --dev tui.app:main``
    (live CSS editing). ``textual run`` instantiates an App class it finds under that name,
    so ``main`` is one; ``main().run()`` does the same from Python."""

    def __init__(self) -> None:
        from store import open_store

        store = open_store()
        super().__init__(store, store.cfg)


if __name__ == "__main__":
    raise SystemExit(main().run() or 0)
