"""The detail of one case: summary, deadlines with live countdowns, thread, evidence, history.

Every piece of user text goes in as a literal (``Content.assemble`` pairs of text and style),
never as markup."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Callable, Hashable

from rich._wrap import divide_line
from rich.cells import cell_len
from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget
from textual.widgets import Static

from store import STAGE_TITLES, Case
from store import statement
from store.clocks import countdown, rank as clock_rank, unresponsive
from store.dates import show_instant

from ..safe import clean, file_size, money
from ..thumbnail import EvidencePreview
from ..triage import Triage

LEVEL_STYLE = {"ok": "$success", "soon": "$warning", "overdue": "$error"}


def local(dt: datetime | None) -> str:
    if dt is None:
        return "-"
    return dt.astimezone().strftime("%Y-%m-%d %H:%M")


def summary(case: Case, triage: Triage, now: datetime) -> Content:
    turn = triage.turn(case)
    parts: list = [
        (case.id, "bold $case-id"), ("  ", ""), (STAGE_TITLES[case.stage], "bold"),
        (f"  {case.platform}", "$text-muted"),
        ("\n", ""), (clean(case.supplier), "bold"),
    ]
    if case.supplier_contact:
        parts += [("  ", ""), (clean(case.supplier_contact), "$text-muted")]
    parts += [("\n", ""), (clean(case.title or case.product), "")]
    parts += [("\norder ", "$text-muted"), (clean(case.order), "")]
    if case.platform_ref:
        parts += [("  dispute ", "$text-muted"), (clean(case.platform_ref), "")]
    parts += [("\namount ", "$text-muted"), (money(case.amount, case.currency), ""),
              ("  claimed ", "$text-muted"), (money(case.claim, case.currency), "bold")]
    if case.recovered is not None:
        parts += [("  recovered ", "$text-muted"), (money(case.recovered, case.currency), "$success")]
    parts += [("\nreason ", "$text-muted"), (case.reason.replace("_", " "), ""),
              ("  wants ", "$text-muted"), (case.want.replace("_", " "), "")]
    parts += [("\nturn ", "$text-muted"), (turn, "bold $warning" if turn == "me" else "")]
    if unresponsive(case, triage.cfg, now):
        parts += [("  supplier unresponsive: escalate", "bold $error")]
    if case.outcome:
        parts += [("\noutcome ", "$text-muted"), (case.outcome.replace("_", " "), "bold")]
    dates = [("paid", case.paid_at), ("received", case.received_at), ("opened", case.opened_at),
             ("escalated", case.escalated_at), ("closed", case.closed_at)]
    shown = [(k, v) for k, v in dates if v is not None]
    if shown:
        parts.append(("\n", ""))
        for i, (k, v) in enumerate(shown):
            parts += [(("  " if i else "") + k + " ", "$text-muted"), (local(v), "")]
    if case.tags:
        parts += [("\ntags ", "$text-muted"), (clean(", ".join(case.tags)), "")]
    if case.description:
        parts += [("\n", ""), (clean(case.description, multiline=True), "$text-muted")]
    return Content.assemble(*parts)


def deadlines(case: Case, triage: Triage, now: datetime) -> Content:
    parts: list = [("Deadlines", "bold underline")]
    cl = triage.clocks(case)
    if not cl:
        parts.append(("\nnone apply in this stage", "$text-muted"))
    for c in cl:
        if c.met:
            parts += [("\n✓ met       ", "$success"), (clean(c.label), "$text-muted")]
            continue
        rank = clock_rank(c, now, triage.cfg)
        level = "overdue" if rank in (2, 4) else "soon" if rank in (1, 3) else "ok"
        style = LEVEL_STYLE[level] + (" bold" if c.hard and level != "ok" else "")
        parts += [("\n", ""), (f"{countdown(c.due, now):<12}", style), (clean(c.label), ""),
                  ("\n            ", ""),
                  (f"{'HARD' if c.hard else 'soft'} · due {show_instant(c.due)} · {c.party} to act", "$text-muted")]
    return Content.assemble(*parts)


def thread(case: Case) -> Content:
    parts: list = [(f"Messages ({len(case.messages)})", "bold underline")]
    if not case.messages:
        parts.append(("\nno messages yet", "$text-muted"))
    for m in case.messages:
        who = {"me": "$primary", "supplier": "$warning", "platform": "$accent", "note": "$text-muted"}.get(
            m.sender, "")
        parts += [("\n", ""), (local(m.at), "$text-muted"), ("  ", ""), (m.sender, f"bold {who}")]
        if m.by:
            parts += [(f" ({clean(m.by)})", "$text-muted")]
        parts += [("\n  ", ""), (clean(m.text, multiline=True).replace("\n", "\n  "), "")]
    return Content.assemble(*parts)


def evidence(case: Case, states: dict[int, str]) -> Content:
    parts: list = [(f"Evidence ({len(case.evidence)})", "bold underline")]
    if not case.evidence:
        parts.append(("\nno evidence attached", "$text-muted"))
    for i, e in enumerate(case.evidence):
        state = states.get(i, "?")
        style = {"ok": "$success", "missing": "bold $error", "changed": "bold $warning"}.get(state, "$text-muted")
        label = {"ok": "ok", "missing": "MISSING", "changed": "CHANGED", "?": "checking"}.get(state, state)
        parts += [("\n", ""), (f"{label:<8}", style), (f"{e.kind:<14}", "bold"), (clean(e.path), ""),
                  (f"  {file_size(e.size)}", "$text-muted")]
        if e.note:
            parts += [("\n        ", ""), (clean(e.note), "$text-muted")]
    # What a reviewer looks for in a dispute of this reason, and what is still missing.
    # A file found missing fulfils nothing (the states come from the evidence worker; one not
    # checked yet counts as there, so nothing is statted here on the UI thread).
    checks = statement.checklist(case, states)
    if checks:
        parts.append(("\nChecklist for " + case.reason.replace("_", " "), "bold"))
        for c in checks:
            mark, style = ("✓ ", "$success") if not c.missing else (("✗ ", "bold $error") if c.need.required
                                                                     else ("○ ", "$warning"))
            parts += [("\n", ""), (mark, style), (clean(c.need.label), "" if c.missing else "$text-muted")]
            if c.gone:
                parts.append((clean(f"  ({', '.join(c.gone)} missing on disk)"), "bold $error"))
    for flag in statement.format_flags(case):
        parts += [("\n", ""), ("format  ", "bold $warning"), (clean(str(flag)), "")]
    return Content.assemble(*parts)


def proposals(case: Case) -> Content | None:
    if not case.proposals:
        return None
    parts: list = [(f"Proposals ({len(case.proposals)})", "bold underline")]
    for p in case.proposals:
        style = {"accepted": "$success", "rejected": "$error", "open": "$warning"}.get(p.status, "$text-muted")
        parts += [("\n", ""), (local(p.at), "$text-muted"), ("  ", ""), (clean(p.sender), "bold"), ("  ", ""),
                  (clean(p.kind).replace("_", " "), ""), ("  ", ""), (money(p.amount, case.currency), "bold"),
                  ("  ", ""), (clean(p.status), style)]
    return Content.assemble(*parts)


def history(case: Case) -> Content:
    parts: list = [("History", "bold underline")]
    for h in reversed(case.history):
        parts += [("\n", ""), (local(h.at), "$text-muted"), ("  ", ""), (clean(h.user), "bold"),
                  ("  ", ""), (clean(h.action), "$accent"), ("  ", ""), (clean(h.detail), "")]
    return Content.assemble(*parts)


NO_CUTS: list[int] = []
NOT_ASKED = object()


def more_line(hidden: int) -> Content:
    return Content.styled(f"… {hidden} more lines: enter shows the whole case", "$text-muted")


def fit_lines(content: Content, width: int, height: int) -> tuple[list[tuple[Content, int, int]], bool]:
    """``content`` as a box of ``width`` x ``height`` cells shows it: cut to the height, its
    last line saying how many more lines enter shows, as ``Content.wrap`` would wrap it. Returns
    its lines, each with its place in the text shown (the x and y Textual's text selection reads
    from every cell), and whether it was cut (then the text shown is those lines, one a line).

    Only the lines that show are wrapped: what is cut off is only counted, on the plain text
    (``divide_line``, the rule ``Content.wrap`` applies to each line), so a case with a long
    thread costs no more to show than a short one."""
    if width <= 0 or height <= 0:
        return [], False
    plain = content.plain
    rows = plain.split("\n")  # the lines Content.split(allow_blank=True) gives
    cuts: list[list[int]] = []
    total = 0
    for row in rows:
        if "\t" in row:  # Content.wrap expands tabs first (clean() leaves none in user text)
            row = Content(row).expand_tabs(8).plain
        if len(row) <= width and (row.isascii() or cell_len(row) <= width):
            cuts.append(NO_CUTS)  # what divide_line says of a line that fits, without the walk
            total += 1
            continue
        offsets = divide_line(row, width, fold=True)
        cuts.append(offsets)
        total += len(offsets) + 1
    if total <= height:  # it all fits: every line, at its offset in its unwrapped line
        out: list[tuple[Content, int, int]] = []
        for y, line in enumerate(content.split("\n", allow_blank=True)):
            if cuts[y] is NO_CUTS and "\t" not in line.plain:
                out.append((line, 0, y))
            else:
                out.extend((piece, x, y) for piece, x in zip(line.expand_tabs(8).wrap(width), [0, *cuts[y]]))
        return out, False
    keep = max(height - 1, 0)
    need, end = 0, 0  # the first rows that give ``keep`` lines, and where they end in the text
    for row, offsets in zip(rows, cuts):
        if need >= keep:
            break
        need += len(offsets) + 1
        end += len(row) + 1
    head = content[: max(end - 1, 0)] if keep else Content("")
    pieces: list[Content] = []
    if keep:
        for line, offsets in zip(head.split("\n", allow_blank=True), cuts):
            if offsets is NO_CUTS and "\t" not in line.plain:
                pieces.append(line)  # a line that fits is its own piece
            else:
                pieces.extend(line.expand_tabs(8).wrap(width))
    pieces = pieces[:keep]
    pieces.append(more_line(total - len(pieces)))
    return [(piece, 0, y) for y, piece in enumerate(pieces)], True


class CaseLines(Widget):
    """The case beside the board: the text ``fit_lines`` cuts to the box, one strip a line.

    ``show`` only takes what to draw: the text is made and cut when a frame first draws a line
    (so several moves between two frames build the last case only, and the board's frame is
    the pane's: no second frame a refresh later), and a line drawn before at the same place
    reuses its strip. The strips are what Static would draw of the same text (``Content``'s own
    spans and styles, the widget's style beneath, each cell's offset for a text selection); with
    a selection the lines are drawn as Static does (``Visual.to_strips``)."""

    STRIPS_KEPT = 2048
    LINES_KEPT = 16

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._make: Callable[[], Content] = lambda: Content("")
        self._key: Hashable = None
        self._made: OrderedDict[tuple, tuple[Content, list[tuple[Content, int, int]], bool]] = OrderedDict()
        self._built = None  # the size the lines below are for; None: make them again
        self._width = 0
        self._shown = Content("")
        self._cut = False
        self._lines: list[tuple[Content, int, int]] = []
        self._strips: dict[tuple, Strip] = {}
        self._rich_styles: dict[tuple, object] = {}
        self._strips_for: tuple | None = None
        self._selected: list[Strip] | None = None
        self._frame_selection: object = NOT_ASKED  # the text selection, asked once a frame

    def show(self, make: Callable[[], Content], key: Hashable = None) -> None:
        """Draw what ``make`` returns, when next drawn; new text in the same box: no layout.
        ``key`` names that text (same key, same text): the lines cut from it are kept, the last
        ``LINES_KEPT`` keys', so going back to a case shown a moment ago makes nothing again."""
        self._make = make
        self._key = key
        self._built = None
        self.refresh()

    def _prepare(self) -> None:
        """The lines for this size and the strips for this look, made if they are not."""
        outer = self.outer_size
        if self._built != outer:
            self._shown, self._lines, self._cut = self._cut_lines(self._make, self._key, outer)
            self._width = outer.width - self.styles.gutter.width
            self._built = outer
            self._selected = None
        self._look()

    def _cut_lines(self, make: Callable[[], Content], key: Hashable, outer) -> tuple:
        known = self._made.get((key, outer)) if key is not None else None
        if known is not None:
            self._made.move_to_end((key, outer))
            return known
        gutter = self.styles.gutter
        content = make()
        lines, cut = fit_lines(content, outer.width - gutter.width, outer.height - gutter.height)
        if key is not None:
            self._made[(key, outer)] = (content, lines, cut)
            while len(self._made) > self.LINES_KEPT:
                self._made.popitem(last=False)
        return content, lines, cut

    def _look(self) -> None:
        look = (self.visual_style, self.app.theme)
        if look != self._strips_for or len(self._strips) > self.STRIPS_KEPT:
            self._strips = {}
            self._rich_styles = {}
            self._strips_for = look
            self._selected = None

    def ahead(self, make: Callable[[], Content], key: Hashable) -> None:
        """Make the lines (and their strips) of text that may be shown next, kept by ``key``."""
        if key is None or (key, self.outer_size) in self._made:
            return
        _, lines, _ = self._cut_lines(make, key, self.outer_size)
        self._look()
        base = self._strips_for[0]
        for piece, x, row in lines:
            strip_key = (piece.plain, tuple(piece.spans), x, row)
            if strip_key not in self._strips:
                self._strips[strip_key] = self._strip(piece, x, row, base)

    def render(self) -> Content:
        """The text shown (what a selection copies): the case, or the lines it was cut to."""
        self._prepare()
        if self._cut:
            self._shown = Content("\n").join([piece for piece, _, _ in self._lines])
            self._cut = False
        return self._shown

    def selection_updated(self, selection) -> None:
        self._selected = None
        super().selection_updated(selection)

    def render_lines(self, crop):
        self._prepare()  # once a frame, not once a line
        self._frame_selection = self.text_selection
        try:
            return super().render_lines(crop)
        finally:
            self._frame_selection = NOT_ASKED

    def render_line(self, y: int) -> Strip:
        selection = self._frame_selection
        if selection is NOT_ASKED:  # not from render_lines (the offset under the mouse, say)
            self._prepare()
            selection = self.text_selection
        base = self._strips_for[0]
        if selection is not None:
            if self._selected is None:
                self._selected = Visual.to_strips(self, self.render(), self._width, len(self._lines), base)
            lines = self._selected
            return lines[y] if y < len(lines) else Strip.blank(self._width, base.rich_style)
        if y >= len(self._lines):
            return Strip.blank(self._width, base.rich_style)
        piece, x, row = self._lines[y]
        key = (piece.plain, tuple(piece.spans), x, row)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._strip(piece, x, row, base)
        return strip

    def _strip(self, piece: Content, x: int, y: int, base) -> Strip:
        # As Content.render_strips draws a line that needs no wrapping (_FormattedLine.to_strip,
        # left aligned), with the widget's own style lookup (the theme's $variables).
        # The same style at the same cell recurs from case to case: its Rich style is kept (one
        # object, so the terminal codes for it are worked out once too).
        styles = self._rich_styles
        segments = []
        for text, style in piece.render(base, end="", parse_style=self._get_style):
            rich = styles.get((style, x, y))
            if rich is None:
                rich = styles[(style, x, y)] = (base + style).rich_style_with_offset(x, y)
            segments.append(Segment(text, rich))
            x += len(text)
        return Strip(segments, piece.cell_length)


class DetailPane(VerticalScroll):
    """Shows one case. The app calls ``show`` when the selection or the case changes and
    ``tick`` when the minute turns (only the deadlines are redrawn). With ``preview`` (the
    detail screen) the evidence preview sits after the evidence list, before the history, and
    follows the case shown."""

    def __init__(self, triage: Triage, preview: bool = False, **kw) -> None:
        super().__init__(**kw)
        self.triage = triage
        self.case: Case | None = None
        self.states: dict[int, str] = {}
        self.has_preview = preview
        self._history_of: Case | None = None  # the case the detail screen's history was drawn for

    def compose(self) -> ComposeResult:
        if not self.has_preview:
            # Beside the board: the case cut to the pane, drawn line by line (``CaseLines``).
            yield CaseLines(id="d-body")
            return
        # One Static for the whole case and one for its history, the preview between them:
        # one update each, one layout pass per case.
        yield Static("", id="d-body")
        yield EvidencePreview(self.triage.cfg.board.get("thumbnails", True) is not False, id="evidence-preview")
        yield Static("", id="d-history")

    def _sections(self, case: Case, now: datetime, states: dict[int, str]) -> list[Content]:
        sections = [summary(case, self.triage, now), deadlines(case, self.triage, now), proposals(case),
                    thread(case), evidence(case, states)]
        if not self.has_preview:
            sections.append(history(case))
        return [part for part in sections if part is not None]

    def _draw_body(self, now: datetime) -> None:
        case = self.case
        if not self.has_preview:
            # Beside the board: what fits the pane, in the same box (app.tcss #detail-side #d-body),
            # made when the frame draws it.
            states = self.states
            self.query_one("#d-body", CaseLines).show(lambda: self._side_text(case, now, states),
                                                      self._side_key(case, now, states))
            return
        body = self.query_one("#d-body", Static)
        if case is None:
            body.update(Content("No case selected"))
            return
        body.update(Content("\n\n").join(self._sections(case, now, self.states)))  # the detail screen: the whole case, scrolled
        if case is not self._history_of:  # the history is the case's alone: not drawn again for a tick or new states
            self._history_of = case
            self.query_one("#d-history", Static).update(Content("\n").append(history(case)))

    @staticmethod
    def _side_key(case: Case | None, now: datetime, states: dict[int, str]) -> tuple | None:
        """What the text beside the board depends on: same key, same text."""
        return None if case is None else (case.id, case.rev, now, tuple(sorted(states.items())))

    def ahead(self, case: Case, now: datetime, states: dict[int, str] | None) -> None:
        """Beside the board: make ``case``'s lines now (the card j or k moves to), so the key
        that selects it draws lines already made. ``states`` as ``show`` would get them."""
        if not self.has_preview:
            states = states if states is not None else {}
            self.query_one("#d-body", CaseLines).ahead(lambda: self._side_text(case, now, states),
                                                       self._side_key(case, now, states))

    def _side_text(self, case: Case | None, now: datetime, states: dict[int, str]) -> Content:
        if case is None:
            return Content("No case selected")
        if getattr(case, "light", False):
            # The board's cases may be light (no message text, history or description): the
            # pane shows the whole case, one document read from the store (``BoardLoader``,
            # cached by revision), when it is drawn.
            loader = getattr(self.app, "loader", None)
            if loader is not None:
                case = loader.whole(case)
        return Content("\n\n").join(self._sections(case, now, states))

    def on_resize(self) -> None:
        if not self.has_preview and self.case is not None:
            self._draw_body(self.app.now)  # type: ignore[attr-defined]  # cut again for the new height

    def show(self, case: Case | None, now: datetime, states: dict[int, str] | None = None) -> None:
        if self.has_preview and case is not None and getattr(case, "light", False):
            # The board's cases may be light (no message text, history or description): the
            # detail shows the whole case, one document read from the store (``BoardLoader``).
            loader = getattr(self.app, "loader", None)
            if loader is not None:
                case = loader.whole(case)
        same = self.case is not None and case is not None and self.case.id == case.id
        if case is not None and self.case is case and states is None:
            return
        if self.has_preview and (not same or case is None or self.case is None or case.rev != self.case.rev):
            self.query_one(EvidencePreview).show(case)
        self.case = case
        if states is not None:
            self.states = states
        elif not same or case is None:
            self.states = {}
        if case is not None and not same:
            self.scroll_home(animate=False)
        self._draw_body(now)

    def set_states(self, case_id: str, states: dict[int, str]) -> None:
        if self.case is not None and self.case.id == case_id and states != self.states:
            self.states = states
            self._draw_body(self.app.now)  # type: ignore[attr-defined]

    def tick(self, now: datetime) -> None:
        if self.case is not None:
            self._draw_body(now)
