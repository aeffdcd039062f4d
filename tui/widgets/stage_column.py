"""The board's columns: one virtualized widget per stage (Line API), drawing only the cards
that are on screen. A widget per card costs 47-141 ms per keypress at 1,000 cards; this
costs the same at 10,000 as at 10."""

from __future__ import annotations

import bisect
from typing import Callable

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import Case

from ..safe import clean, crop, fit, money
from ..triage import CardInfo

CARD_LINES = 5  # id/turn, supplier, title, amount, countdown
CARD_HEIGHT = CARD_LINES + 1  # plus a gap

TURN_TEXT = {"me": "me", "supplier": "supplier", "platform": "platform"}
TURN_SHORT = {"me": "me", "supplier": "sup", "platform": "plat"}
EVIDENCE_MARK = {"missing": "✗ev", "changed": "Δev"}
URGENCY_MARK = {("overdue", True): "!! ", ("overdue", False): "! ", ("soon", True): "~ ", ("soon", False): "~ "}


class StageColumn(ScrollView, can_focus=False):
    """The cards of one stage, drawn line by line."""

    COMPONENT_CLASSES = {
        "card", "card--cursor", "card--selected", "card--id", "card--supplier", "card--muted",
        "card--ok", "card--soon", "card--soon-hard", "card--overdue", "card--overdue-hard",
        "card--marker", "card--me", "card--empty", "card--bar",
    }

    class Clicked(Message):
        def __init__(self, column: "StageColumn", index: int) -> None:
            super().__init__()
            self.column = column
            self.index = index

    class NeedsEvidence(Message):
        """Cards were drawn whose evidence files have not been looked at yet."""

    def __init__(self, stage: str, describe: Callable[[Case], CardInfo], describe_pending: Callable[[], bool],
                 *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stage = stage
        self.describe = describe
        self.describe_pending = describe_pending
        self._flush_queued = False
        self.cases: list[Case] = []
        self.cursor = 0
        self.active = False
        self._cache: dict[tuple, list[Strip]] = {}
        self._blank_strip: Strip | None = None
        self._styles: dict[tuple[str, bool], Style] = {}
        self.empty_text = "no cases"
        self.refills = 0  # every card replaced (set_cases); the tests count them

    # -- data ----------------------------------------------------------------------------------
    def set_cases(self, cases: list[Case], keep: str | None = None) -> None:
        """Replace the cards; keep the cursor on ``keep`` (a case id) if it is still here."""
        self.refills += 1
        self.cases = cases
        if keep is not None:
            idx = self.index_of(keep)
            if idx is not None:
                self.cursor = idx
        self.cursor = max(0, min(self.cursor, len(cases) - 1))
        self._cache.clear()
        self._size_virtual()
        self.refresh()

    def remove_case(self, case: Case, key: Callable[[Case], tuple], resize: bool = True) -> bool:
        """Take ``case`` (the object shown) out, found by bisect on ``key`` (the order the
        cards are in); the cursor stays on the card it was on, the cards on screen stay put.
        ``resize=False``: the caller calls ``resize()`` after its batch (a card moved within the
        column leaves its height as it was: no layout pass, which redraws the whole screen)."""
        i = remove_sorted(self.cases, case, key)
        if i < 0:
            return False
        self._shifted(i, -1, resize)
        return True

    def insert_case(self, case: Case, key: Callable[[Case], tuple], resize: bool = True) -> int:
        """Put ``case`` in its place by ``key``; the cursor stays on the card it was on."""
        i = bisect.bisect_left(self.cases, key(case), key=key)
        self.cases.insert(i, case)
        self._shifted(i, 1, resize)
        return i

    def resize(self) -> None:
        """The column's height for its cards now (after ``remove_case``/``insert_case`` with
        ``resize=False``); a layout pass only when it changed."""
        self._size_virtual()

    def _shifted(self, index: int, step: int, resize: bool = True) -> None:
        if self.cases and (index < self.cursor or (step > 0 and index == self.cursor and len(self.cases) > 1)):
            self.cursor += step
        self.cursor = max(0, min(self.cursor, len(self.cases) - 1))
        top = round(self.scroll_y) // CARD_HEIGHT
        bottom = (round(self.scroll_y) + self.size.height) // CARD_HEIGHT  # the last card on screen
        if resize:
            self._size_virtual()
        if index < top:  # above the cards on screen: scroll with them
            self.scroll_to(y=max(0, round(self.scroll_y) + step * CARD_HEIGHT), animate=False, immediate=True)
        elif index <= bottom or not self.size.height:
            self.refresh()
        # below the cards on screen: nothing drawn changes

    def _size_virtual(self) -> None:
        # Pad to whole cards: the furthest scroll then still starts on a card's first line.
        pad = self.size.height % CARD_HEIGHT if self.cases else 0
        size = Size(self.size.width, len(self.cases) * CARD_HEIGHT + pad)
        if size != self.virtual_size:
            self.virtual_size = size

    def index_of(self, case_id: str) -> int | None:
        for i, c in enumerate(self.cases):
            if c.id == case_id:
                return i
        return None

    @property
    def current(self) -> Case | None:
        if 0 <= self.cursor < len(self.cases):
            return self.cases[self.cursor]
        return None

    def move_cursor(self, index: int) -> None:
        if not self.cases:
            return
        index = max(0, min(index, len(self.cases) - 1))
        old = self.cursor
        self.cursor = index
        self.refresh_card(old)
        self.refresh_card(index)
        self.scroll_to_cursor()

    def scroll_to_cursor(self, animate: bool = False, center: bool = False) -> None:
        """Bring the cursor's card into view, keeping whole cards at the top of the column."""
        height = self.scrollable_content_region.height
        visible = max(1, height // CARD_HEIGHT)
        top = self.cursor * CARD_HEIGHT
        y = round(self.scroll_y)
        if center:
            target = max(0, (self.cursor - (visible - 1) // 2) * CARD_HEIGHT)
        elif top < y:
            target = top
        elif top + CARD_LINES > y + height:
            target = max(0, (self.cursor - visible + 1) * CARD_HEIGHT)
        else:
            return
        self.scroll_to(y=target, animate=animate, immediate=True)

    def refresh_card(self, index: int) -> None:
        top = index * CARD_HEIGHT - round(self.scroll_y)
        self.refresh_lines(top, CARD_HEIGHT)

    def set_active(self, active: bool) -> None:
        if active != self.active:
            self.active = active
            self.refresh_card(self.cursor)

    def tick(self) -> None:
        """Countdowns moved on: redraw the visible lines only."""
        self._cache.clear()
        self.refresh()

    def clear_cache(self, ids: set[str] | None = None) -> None:
        """Forget drawn cards (those of ``ids`` only, if given) and redraw what is visible."""
        if ids is None:
            self._cache.clear()
            self.refresh()
            return
        stale = [k for k in self._cache if k[0] in ids]
        for k in stale:
            del self._cache[k]
        if stale:
            self.refresh()

    # -- drawing -------------------------------------------------------------------------------
    def on_resize(self) -> None:
        self._cache.clear()
        self._size_virtual()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self._blank_strip = None
        self._styles.clear()

    def _blank(self, width: int) -> Strip:
        # Looking up the widget's own style walks the DOM: once per width and style change.
        if self._blank_strip is None or self._blank_strip.cell_length != width:
            self._blank_strip = Strip.blank(width, self.rich_style)
        return self._blank_strip

    def render_line(self, y: int) -> Strip:
        width = self.size.width  # no scrollbars: the content region is the whole widget
        line = y + round(self.scroll_y)
        index, row = divmod(line, CARD_HEIGHT)
        if not self.cases:
            if y == 1:
                st = self.get_component_rich_style("card--empty")
                return Strip([Segment(fit(" " + self.empty_text, width), st)], width)
            return self._blank(width)
        if index >= len(self.cases) or row >= CARD_LINES:
            return self._blank(width)
        strip = self._card(index, width)[row]
        if self.describe_pending() and not self._flush_queued:
            self._flush_queued = True
            self.call_later(self._flush)
        return strip

    def _flush(self) -> None:
        self._flush_queued = False
        self.post_message(self.NeedsEvidence())

    def _card(self, index: int, width: int) -> list[Strip]:
        case = self.cases[index]
        cursor = index == self.cursor
        key = (case.id, case.rev, width, cursor, cursor and self.active)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        strips = self._draw(case, self.describe(case), width, cursor)
        self._cache[key] = strips
        return strips

    def _draw(self, case: Case, info: CardInfo, width: int, cursor: bool) -> list[Strip]:
        styles = self._styles

        def full(name: str) -> Style:
            st = styles.get((name, False))
            if st is None:
                st = styles[(name, False)] = self.get_component_rich_style(name)
            return st

        def get(name: str) -> Style:
            st = styles.get((name, True))
            if st is None:
                st = styles[(name, True)] = self.get_component_rich_style(name, partial=True)
            return st

        if cursor and self.active:
            bg = full("card--selected")
        elif cursor:
            bg = full("card--cursor")
        else:
            bg = full("card")
        inner = max(1, width - 2)
        # The selected card carries a bar down its left edge: visible without colour (NO_COLOR,
        # 16-colour terminals where the highlight may fall on the background colour).
        lead, lead_style = ("▌", bg + get("card--bar")) if cursor and self.active else (" ", bg)

        def line(*parts: tuple[str, Style], edge: bool = False) -> Strip:
            # ``edge``: the text may use the last cell too (the id line: an id is never cut).
            segs = [Segment(lead, lead_style)]
            used = 0
            limit = inner + 1 if edge else inner
            for text, style in parts:
                room = limit - used
                if room <= 0:
                    break
                t = crop(text, room)
                used += _cells(t)
                segs.append(Segment(t, bg + style))
            segs.append(Segment(" " * max(0, width - 1 - used), bg))
            return Strip(segs, width).adjust_cell_length(width, bg)

        cid = case.id
        turn = TURN_TEXT.get(info.turn, info.turn)
        mark = EVIDENCE_MARK.get(info.evidence, "")
        turn_style = get("card--me") if info.turn == "me" else get("card--muted")
        room = inner + 1  # every cell after the lead: the id line has no right margin
        # Narrower and narrower: the evidence mark keeps its own sign (✗ missing, Δ changed)
        # and the id always stays whole; the turn goes first, then the mark.
        short = TURN_SHORT.get(info.turn, turn)
        for mark_text, turn_text in ((mark, turn), (mark, short), (mark[:1], short), (mark[:1], ""), ("", "")):
            right = _cells(mark_text) + (1 if mark_text and turn_text else 0) + _cells(turn_text)
            if len(cid) + (1 + right if right else 0) <= room:
                break
        id_lines = _split_id(cid, room)
        id_style = get("card--id")
        if len(id_lines) == 1:
            # A cell of margin on the right where it fits (as the other lines have).
            edge = room if len(cid) + 1 + right > inner else inner
            gap = max(1, edge - len(cid) - right) if right else 0
            first = [line((cid, id_style), (" " * gap, Style()),
                          (mark_text + (" " if mark_text and turn_text else ""), get("card--marker")),
                          (turn_text, turn_style), edge=True)]
        else:  # a column narrower than the id: the id wraps at its dash, never cut
            first = [line((part, id_style), edge=True) for part in id_lines]
        if mark and not mark_text:
            # No room beside the id: the mark leads the supplier line (✗ missing, Δ changed).
            supplier = line((mark[:1] + " ", get("card--marker")), (clean(case.supplier), get("card--supplier")))
        else:
            supplier = line((clean(case.supplier), get("card--supplier")))
        title = line((clean(case.title or case.product or case.order), get("card--muted")))
        full_amount = money(case.claim, case.currency)
        if _cells(full_amount) > inner:
            full_amount = money(case.claim)
        amount = line((full_amount, Style()))
        if info.countdown:
            level = info.level + ("-hard" if info.hard and info.level != "ok" else "")
            sign = URGENCY_MARK.get((info.level, info.hard), "")
            text = sign + info.countdown
            if _cells(text) > inner:
                text = sign + info.countdown.replace("overdue ", "late ")
            label = "  " + clean(info.label) if inner - _cells(text) >= 10 else ""
            due = line((text, get(f"card--{level}")), (label, get("card--muted")))
        else:
            due = line(("no clock", get("card--muted")))
        return (first + [supplier, title, amount, due])[:CARD_LINES]

    def on_click(self, event) -> None:
        line = event.y + round(self.scroll_y)
        index = line // CARD_HEIGHT
        if 0 <= index < len(self.cases):
            self.post_message(self.Clicked(self, index))


def remove_sorted(cases: list[Case], case: Case, key: Callable[[Case], tuple]) -> int:
    """Delete ``case`` (that object) from ``cases``, sorted by ``key``; its index, or -1."""
    i = bisect.bisect_left(cases, key(case), key=key)
    if not (i < len(cases) and cases[i] is case):
        # Its key moved on since the sort (a clock passed): look for it.
        i = next((j for j, c in enumerate(cases) if c is case), -1)
        if i < 0:
            return -1
    del cases[i]
    return i


def _split_id(cid: str, room: int) -> list[str]:
    """The id on as few lines of ``room`` cells as it needs: whole, else broken after its dash,
    else in pieces of ``room``. Never an ellipsis: an id is the one thing always read whole."""
    room = max(1, room)
    if len(cid) <= room:
        return [cid]
    head, dash, tail = cid.partition("-")
    parts = [head + dash, tail] if dash and len(head) + 1 <= room else [cid]
    out: list[str] = []
    for p in parts:
        out += [p[i:i + room] for i in range(0, len(p), room)] or [""]
    return out


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)
