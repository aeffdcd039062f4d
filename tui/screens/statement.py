"""The dispute statement of one case: read it, edit it, save it, copy it, pack it.

Shows the saved statement, else a fresh composition (``store.statement.current``), in a
``TextArea``; beside or below it the evidence checklist for the case's reason (what a reviewer
looks for, and what is still missing) and the files the platform will not accept as uploads.

Keys: ``E`` edits in the user's own editor ($VISUAL, $EDITOR; see ``tui/editor.py``) and saves
what it leaves like ctrl+s; ``e`` (or enter) edits here, esc leaves the editor (then esc again
goes back); ``ctrl+s`` saves through the session (the one writer) with the revision that was
loaded: if somebody changed the case
meanwhile the save is refused, the typed text stays, and ``ctrl+s`` again saves it over theirs
(``ctrl+r`` loads theirs instead). ``c`` or ``ctrl+y`` copies the text to the clipboard with
``App.copy_to_clipboard`` (OSC 52: works over SSH where the terminal allows it). ``p`` asks
where to write the packet zip (``store.packet.write_packet``, in a worker); missing or changed
evidence refuses it, naming the files, and enter again writes it anyway.

Talks to the app through ``CasesChanged`` (after a save) only.
"""

from __future__ import annotations

import copy
import threading
from datetime import datetime
from pathlib import Path
from typing import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Input, Static, TextArea

from store import Case, Config, ConflictError, StoreError, ValidationError
from store import statement as st
from store.packet import Packet, write_packet

from ..editor import run_editor
from .base import StoreScreen
from ..safe import clean, crop
from ..messages import CasesChanged

Clock = Callable[[], datetime]


class StatementLoaded(Message):
    def __init__(self, case: Case | None, error: str = "", replace_text: bool = True) -> None:
        super().__init__()
        self.case, self.error, self.replace_text = case, error, replace_text


class StatementSaved(Message):
    """The outcome of a save: ``case`` when saved; else ``error`` (and, after a conflict,
    ``fresh``: the case as the other person left it)."""

    def __init__(self, case: Case | None, error: str = "", conflict: bool = False, fresh: Case | None = None,
                 user: str = "") -> None:
        super().__init__()
        self.case, self.error, self.conflict, self.fresh, self.user = case, error, conflict, fresh, user


class PacketDone(Message):
    def __init__(self, path: str, packet: Packet | None, error: str = "", files_problem: bool = False) -> None:
        super().__init__()
        self.path, self.packet, self.error, self.files_problem = path, packet, error, files_problem


def checklist_content(case: Case) -> Content:
    """The evidence checklist and the upload format flags, as literal text."""
    parts: list = [(f"Evidence for {case.reason.replace('_', ' ')}", "bold underline")]
    for chk in st.checklist(case):
        need = chk.need
        if chk.missing:
            mark, style = ("✗ ", "bold $error") if need.required else ("· ", "$warning")
            parts += [("\n", ""), (mark, style), (clean(need.label), style if need.required else ""),
                      ("" if need.required else " (optional)", "$text-muted")]
        else:
            parts += [("\n", ""), ("✓ ", "$success"), (clean(need.label), ""),
                      (": " + clean(", ".join(chk.met_by)), "$text-muted")]
    flags = st.format_flags(case)
    if flags:
        parts += [("\n", ""), ("Not accepted as uploads", "bold underline")]
        for f in flags:
            parts += [("\n", ""), ("⚠ ", "bold $warning"), (clean(str(f)), "")]
    return Content.assemble(*parts)


class StatementScreen(StoreScreen):
    """The statement of one case. See the module docstring for the keys."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    DEFAULT_CSS = """
    StatementScreen { background: $background; }
    StatementScreen #st-title { height: 1; padding: 0 1; background: $surface; color: $foreground; }
    StatementScreen #st-main { height: 1fr; }
    StatementScreen.-wide #st-main { layout: horizontal; }
    StatementScreen #st-text { height: 1fr; border: none; padding: 0 1; }
    StatementScreen #st-text:focus { background: $surface; }
    StatementScreen #st-side { height: 7; padding: 0 1; border-top: hkey $panel; background: $background; }
    StatementScreen.-wide #st-side { height: 1fr; width: 46; border-top: none; border-left: vkey $panel; }
    StatementScreen #st-side:focus { background: $surface; }
    StatementScreen #st-packet { display: none; height: auto; background: $surface; }
    StatementScreen #st-packet.-shown { display: block; }
    StatementScreen #st-packet-row { height: 1; }
    StatementScreen #st-packet-label { width: 12; padding-left: 1; color: $accent; }
    StatementScreen #st-path { width: 1fr; }
    StatementScreen #st-packet-msg { height: auto; padding: 0 1; color: $text-muted; }
    StatementScreen #st-packet-msg.-error { color: $error; }
    StatementScreen #st-status { height: 1; padding: 0 1; background: $surface; color: $text-muted; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="statement.save"),
        Binding("ctrl+y", "copy", "Copy", id="statement.copy_ctrl", priority=True, show=False),
        Binding("c", "copy", "Copy", id="statement.copy"),
        Binding("p", "packet", "Packet", id="statement.packet"),
        Binding("e,enter", "edit", "Edit", id="statement.edit"),
        Binding("E", "edit_external", "Edit in $EDITOR", id="statement.edit_external"),
        Binding("ctrl+r", "load_theirs", "Reload", show=False, id="statement.reload"),
        Binding("escape", "back", "Back", id="statement.back"),
    ]

    def __init__(self, store, cfg: Config, clock: Clock, user: str | None, case_id: str,
                 lock: threading.Lock | None = None) -> None:
        super().__init__(store, cfg, clock, user, lock, id="statement-screen")
        self.case_id = case_id
        self.case: Case | None = None
        self.rev: int | None = None  # the revision the editor's text is based on
        self.base_text = ""  # what the editor held when loaded or last saved
        self.saving = False
        self.conflict_with: str = ""  # after a refused save: who changed it
        self._force_path: str | None = None  # the packet path a refusal was shown for
        self._leave_warned = False
        self.last_packet: Packet | None = None  # the last packet written from this screen

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Content(f"Statement {self.case_id}  loading…"), id="st-title")
        with Vertical(id="st-main"):
            yield TextArea("", id="st-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
            with VerticalScroll(id="st-side", can_focus=True):
                yield Static("", id="st-checklist")
        with Vertical(id="st-packet"):
            with Horizontal(id="st-packet-row"):
                yield Static(Content("Packet to:"), id="st-packet-label")
                yield Input(id="st-path", compact=True)
            yield Static("", id="st-packet-msg")
        yield Static("", id="st-status")
        yield Footer()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#st-text", TextArea)

    @property
    def text(self) -> str:
        return self.editor.text

    @property
    def dirty(self) -> bool:
        return st.normalise(self.editor.text) != st.normalise(self.base_text)

    def on_mount(self) -> None:
        self.query_one("#st-side").focus()
        self._load()

    # -- loading -------------------------------------------------------------------------------
    @work(thread=True, group="statement-load", exclusive=True)
    def _load(self, replace_text: bool = True) -> None:
        try:
            with self.store_lock:
                case = self.store.get(self.case_id)
        except StoreError as exc:
            self.post_message(StatementLoaded(None, str(exc)))
            return
        self.post_message(StatementLoaded(case, replace_text=replace_text))

    def on_statement_loaded(self, msg: StatementLoaded) -> None:
        if msg.case is None:
            self.notify(clean(msg.error), title="Could not load the case", severity="error", markup=False)
            return
        self._take(msg.case, replace_text=msg.replace_text)

    def _take(self, case: Case, replace_text: bool) -> None:
        self.case = case
        self.rev = case.rev
        if replace_text:
            text = st.plain(st.current(case))
            self.base_text = text
            self.editor.load_text(text)
        self.conflict_with = ""
        self.query_one("#st-checklist", Static).update(checklist_content(case))
        self._update_info()

    def _update_info(self) -> None:
        case = self.case
        if case is None:
            return
        source = "saved" if case.statement.strip() else "composed"
        parts: list = [(f"Statement {case.id}", "bold"), ("  ", ""), (crop(clean(case.supplier), 24), "bold $accent"),
                       ("  ", ""), (source, "$text-muted")]
        if self.dirty:
            parts += [("  edited, not saved", "bold $warning")]
        self.query_one("#st-title", Static).update(Content.assemble(*parts))
        if self.saving:
            status: list = [("saving…", "bold $warning")]
        elif self.conflict_with:
            status = [(f"Changed by {clean(self.conflict_with)}: ", "bold $error"),
                      ("your text is kept; ctrl+s saves it over theirs, ctrl+r loads theirs", "")]
        elif self.editor.has_focus:
            status = [("editing: ctrl+s save  ctrl+y copy  esc stop editing", "$text-muted")]
        else:
            status = [("e edit  E $EDITOR  c copy  p packet  ctrl+s save  esc back", "$text-muted")]
        self.query_one("#st-status", Static).update(Content.assemble(*status))

    @on(TextArea.Changed, "#st-text")
    def _text_changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        if st.plain(text) != text:
            # Pasted escape codes or bidi overrides: never into the editor (or the terminal).
            event.text_area.load_text(st.plain(text))
            return
        self._leave_warned = False
        self._update_info()

    def on_descendant_focus(self) -> None:
        self._update_info()

    def on_descendant_blur(self) -> None:
        self._update_info()

    # -- actions -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("save", "copy", "packet", "edit", "load_theirs", "edit_external") and self.case is None:
            return None
        if action in ("edit", "edit_external") and self.focused is self.editor:
            return False  # typing E in the text is a letter
        if action == "load_theirs":
            return bool(self.conflict_with) or None
        return True

    def action_edit(self) -> None:
        self.editor.focus()

    def action_edit_external(self) -> None:
        """The text as shown in $VISUAL/$EDITOR (the app suspended); what the editor leaves is put
        in the text area and saved like ctrl+s: based on the revision loaded, so a colleague's
        save meanwhile refuses it and the text stays here."""
        if self.case is None or self.saving:
            return
        text = run_editor(self.app, self.editor.text, f"{self.case_id}-statement-")
        if text is None:
            return
        text = st.plain(text)
        if st.normalise(text) == st.normalise(self.editor.text) and not self.dirty:
            self.notify(f"{self.case_id}: statement unchanged", timeout=3)
            return
        self.editor.load_text(text)
        self.action_save()

    def action_back(self) -> None:
        focused = self.focused
        if focused is self.editor:
            self.query_one("#st-side").focus()
            return
        if isinstance(focused, Input) and focused.id == "st-path":
            self._hide_packet()
            return
        if self.dirty and not self._leave_warned:
            self._leave_warned = True
            self.notify("The statement has edits that are not saved: ctrl+s saves them, esc again leaves "
                        "without saving.", title="Not saved", severity="warning", timeout=6)
            return
        self.dismiss()

    def action_copy(self) -> None:
        text = st.plain(self.editor.text)
        self.app.copy_to_clipboard(text)
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        self.notify(f"Copied the statement ({lines} lines, {len(text)} characters) to the clipboard. "
                    f"Over SSH the terminal must allow OSC 52.", timeout=4)

    def action_load_theirs(self) -> None:
        self._load(True)

    def action_save(self) -> None:
        if self.case is None or self.saving:
            return
        self.saving = True
        self._update_info()
        self._save(self.editor.text, self.rev)

    @work(thread=True, group="statement-save", description="statement save")
    def _save(self, text: str, rev: int | None) -> None:
        new = st.normalise(text)

        def change(case: Case) -> tuple[str, str]:
            if new == case.statement:
                raise ValidationError(f"{case.id}: the statement is unchanged")
            case.statement = new
            return "statement", f"statement saved ({new.count(chr(10))} lines)"
        try:
            case = self.session.update(self.case_id, change, rev)  # one undo step on the board
        except ConflictError as exc:
            fresh = None
            try:
                with self.store_lock:
                    fresh = self.store.get(self.case_id)
            except StoreError:
                pass
            self.post_message(StatementSaved(None, str(exc), True, fresh, exc.user))
            return
        except (StoreError, OSError) as exc:
            self.post_message(StatementSaved(None, str(exc)))
            return
        self.post_message(StatementSaved(case))

    def on_statement_saved(self, msg: StatementSaved) -> None:
        self.saving = False
        if msg.case is not None:
            self.base_text = self.editor.text
            self._take(msg.case, replace_text=False)
            self.notify(f"{msg.case.id}: statement saved", timeout=3)
            self.post_message(CasesChanged((msg.case.id,)))
            return
        if msg.conflict:
            # Keep the typed text; the next ctrl+s is based on their revision (saves over it).
            self.conflict_with = msg.user or "someone"
            if msg.fresh is not None:
                self.case, self.rev = msg.fresh, msg.fresh.rev
                self.query_one("#st-checklist", Static).update(checklist_content(msg.fresh))
            self.notify(clean(msg.error), title=f"Changed by {clean(self.conflict_with)}", severity="error",
                        markup=False, timeout=10)
            self.post_message(CasesChanged((self.case_id,)))
        else:
            self.notify(clean(msg.error), title="Not saved", severity="error", markup=False, timeout=8)
        self._update_info()

    # -- packet --------------------------------------------------------------------------------
    def action_packet(self) -> None:
        bar = self.query_one("#st-packet")
        inp = self.query_one("#st-path", Input)
        if not inp.value:
            inp.value = f"~/dispute-{self.case_id}.zip"
        bar.set_class(True, "-shown")
        self._packet_msg("enter writes the zip (statement as shown, transcript, evidence, manifest); esc cancels")
        inp.focus()

    def _hide_packet(self) -> None:
        self.query_one("#st-packet").set_class(False, "-shown")
        self._force_path = None
        self.query_one("#st-side").focus()

    def _packet_msg(self, text: str, error: bool = False) -> None:
        msg = self.query_one("#st-packet-msg", Static)
        msg.update(Content(clean(text)))
        msg.set_class(error, "-error")

    @on(Input.Changed, "#st-path")
    def _path_changed(self, event: Input.Changed) -> None:
        if not event.value.isprintable():
            event.input.value = clean(event.value)
        self._force_path = None

    @on(Input.Submitted, "#st-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = event.value.strip()
        if not path or self.case is None:
            self._packet_msg("a file name is required, like ~/dispute.zip", error=True)
            return
        case = copy.deepcopy(self.case)
        if self.dirty:
            case.statement = st.normalise(self.editor.text)  # the text as shown, saved or not
        force = self._force_path == path
        self._packet_msg("writing…")
        self._write_packet(case, path, force)

    @work(thread=True, group="statement-packet", exclusive=True, description="packet")
    def _write_packet(self, case: Case, path: str, force: bool) -> None:
        try:
            packet = write_packet(case, Path(path).expanduser(), now=self.clock(), force=force)
        except ValidationError as exc:
            text = str(exc)
            self.post_message(PacketDone(path, None, text, files_problem=text.startswith("packet not written")))
            return
        except OSError as exc:
            self.post_message(PacketDone(path, None, f"cannot write {path}: {exc.strerror or exc}"))
            return
        self.post_message(PacketDone(path, packet))

    def on_packet_done(self, msg: PacketDone) -> None:
        if msg.packet is None:
            text = msg.error.replace("use --force", "press enter again")
            if msg.files_problem:
                self._force_path = msg.path  # enter again on the same path: write it anyway
            self._packet_msg(text, error=True)
            self.notify(clean(msg.error.replace("use --force", "press enter again")), title="Packet not written",
                        severity="error", markup=False, timeout=10)
            return
        p = msg.packet
        files = len(p.files)
        left_out = [c for c in p.problems if c.state in ("missing", "unreadable")]
        changed = [c for c in p.problems if c.state == "changed"]
        text = f"Packet written: {p.path} ({p.size:,} bytes, {files} files)"
        if left_out:
            text += "; left out: " + ", ".join(f"{c.name} ({c.state})" for c in left_out)
        if changed:
            text += "; packed as changed: " + ", ".join(c.name for c in changed)
        self._force_path = None
        self.query_one("#st-packet").set_class(False, "-shown")
        self.query_one("#st-side").focus()
        self.notify(clean(text), title="Packet", severity="warning" if p.problems else "information",
                    markup=False, timeout=10)
        self.last_packet = p


__all__ = ["StatementScreen", "StatementSaved", "StatementLoaded", "PacketDone", "checklist_content"]
