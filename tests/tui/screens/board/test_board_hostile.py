"""Other people's text is shown literally and never reaches the terminal as control codes."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from decimal import Decimal

from tests.support.board import NOW, board, press, running, screen_text, settle, submit
from rich.cells import cell_len

from store import Case, Message, TinyStore
from tui.app import DisputeApp
from tui.safe import clean

HOSTILE_SUPPLIER = "[b]x[/b] Shenzhen\x1b[2J\x07"
HOSTILE_TITLE = "[@click=app.quit]x[/] \x1b]0;pwned\x07 \u202eevil\u202c"
HOSTILE_MESSAGE = "[link=file:///etc/passwd]x[/link] \x1b]52;c;ZXZpbA==\x07 Refund [/] please [URGENT]"


def hostile_store(db_path, cfg) -> TinyStore:
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([
        Case(id="D-0001", order="[REF-42]", supplier=HOSTILE_SUPPLIER, reason="damaged", amount=Decimal("10.00"),
             created_at=NOW - timedelta(days=2), stage_entered_at=NOW - timedelta(days=2), title=HOSTILE_TITLE,
             messages=[Message(NOW - timedelta(days=1), "supplier", HOSTILE_MESSAGE, "x")], rev=1),
        Case(id="D-0002", order="2", supplier="杭州优品贸易有限公司 🚚📦 Hangzhou", reason="quality",
             amount=Decimal("20.00"), created_at=NOW - timedelta(days=2), stage_entered_at=NOW - timedelta(days=2),
             title="表情 😀 wide 全角テキスト", rev=1),
    ])
    return s


def assert_no_controls(app) -> None:
    for strip in app.screen._compositor.render_strips():
        for seg in strip:
            bad = [ch for ch in seg.text if unicodedata.category(ch).startswith("C")]
            assert not bad, (seg.text, bad)


def test_clean_replaces_every_category_c_character():
    s = clean("a\x1b[2Jb\x07c\u202ed\u200de\x00\n\t")
    assert s == "a␛[2Jb␇c\ufffdd\ufffde␀  "
    assert clean("line1\nline2", multiline=True) == "line1\nline2"
    assert clean("[b]x[/b]") == "[b]x[/b]"


async def test_markup_and_escapes_show_literally_on_the_board_and_detail(db_path, cfg):
    store = hostile_store(db_path, cfg)
    app = DisputeApp(store, cfg, clock=lambda: NOW)
    async with app.run_test(size=(160, 40)) as pilot:  # wide: board and detail side by side
        await settle(pilot)
        assert "[b]x[/b] Shenzhe" in screen_text(app)  # on the card, cropped to the column
        board(app).select_case("D-0001")
        await settle(pilot)
        text = screen_text(app)  # the detail pane beside the board
        assert "[b]x[/b] Shenzhen␛[2J␇" in text
        assert "[@click=app.quit]x[/] ␛]0;pwned␇ \ufffdevil\ufffd" in text
        assert "[REF-42]" in text
        assert_no_controls(app)
        await press(pilot, "enter")
        text = screen_text(app)
        assert "[link=file:///etc/passwd]x[/link]" in text
        assert "Refund [/] please [URGENT]" in text
        assert "␛]52;c;ZXZpbA==␇" in text
        assert_no_controls(app)
        # Clicking the "link" does nothing: nothing in the detail carries an action or a link.
        for strip in app.screen._compositor.render_strips():
            for seg in strip:
                assert not (seg.style and (seg.style.link or (seg.style.meta or {}).get("@click"))), seg
        assert app.is_running
    store.close()


async def test_hostile_text_in_forms_and_notices(db_path, cfg):
    store = hostile_store(db_path, cfg)
    app = DisputeApp(store, cfg, clock=lambda: NOW)
    async with running(app) as pilot:
        board(app).select_case("D-0001")
        await pilot.press("e")
        await pilot.pause()
        assert_no_controls(app)
        await submit(pilot, title="[bold]still literal[/bold] \x1b[31m")
        saved = store.get("D-0001")
        assert saved.title == "[bold]still literal[/bold] ␛[31m"  # controls never enter through a form
        assert saved.supplier == HOSTILE_SUPPLIER  # untouched fields keep what was stored
        text = screen_text(app)
        assert "[bold]still" in text
        assert_no_controls(app)
    store.close()


async def test_wide_characters_keep_the_columns_aligned(db_path, cfg):
    store = hostile_store(db_path, cfg)
    app = DisputeApp(store, cfg, clock=lambda: NOW)
    async with running(app) as pilot:
        assert "杭州" in screen_text(app)
        for size in ((80, 24), (97, 30), (123, 30)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            lines = screen_text(app).splitlines()
            board_lines = [ln for ln in lines[:size[1] - 3] if "▕" in ln]
            positions = {tuple(cell_len(ln[:i]) for i, ch in enumerate(ln) if ch == "▕") for ln in board_lines}
            assert len(positions) == 1, positions
    store.close()

