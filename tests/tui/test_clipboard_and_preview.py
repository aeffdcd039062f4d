"""Copy keys (OSC 52, as gh-dash's y) and the evidence preview in the case detail (issue 12)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from store import TinyStore, statement
from store.config import Config, defaults
from tui.app import DisputeApp
from tui.screens.detail import DetailScreen
from tui.thumbnail import THUMB_PX, load_preview

from tests.support.tools import NOW, DriverTap, attach, jpeg, make_case, osc52, screen_text, settle
from tests.support.board import running, press


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    ev = tmp_path / "ev"
    ev.mkdir()
    return {"photo": jpeg(ev / "crack.jpg", (400, 300)), "pdf": ev / "invoice.pdf",
            "gone": jpeg(ev / "gone.jpg", (64, 48))}


@pytest.fixture
def one(db_path, cfg, files):
    files["pdf"].write_bytes(b"%PDF-1.4\n" + os.urandom(3000))
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.create(make_case(order="ORD-7781/B"))
    attach(s, "D-0001", files["photo"], "photo", "carton 3")
    attach(s, "D-0001", files["pdf"], "invoice")
    attach(s, "D-0001", files["gone"], "photo")
    files["gone"].unlink()
    yield s
    s.close()


async def _detail(app, pilot):
    await settle(pilot)
    await press(pilot, "enter")
    assert isinstance(app.screen, DetailScreen)
    return app.screen.preview


async def test_y_copies_the_case_id_as_osc52(one, cfg):
    app = DisputeApp(one, cfg, clock=lambda: NOW)
    async with running(app) as pilot:
        tap = DriverTap(app)
        await pilot.press("y")
        assert "\x1b]52;c;RC0wMDAx\a" in tap.writes  # base64 of "D-0001"
        assert osc52("D-0001") == "\x1b]52;c;RC0wMDAx\a"
        assert any("Copied D-0001" in n.message for n in app._notifications)
        # the detail: the order number, the statement, the shown evidence file's path
        await press(pilot, "enter")
        tap.writes.clear()
        await pilot.press("Y")
        assert tap.writes == [osc52("ORD-7781/B")] and tap.writes[0] == "\x1b]52;c;T1JELTc3ODEvQg==\a"
        await pilot.press("c")
        text = statement.plain(statement.current(one.get("D-0001")))
        assert text.startswith("Order number: ORD-7781/B") and tap.writes[-1] == osc52(text)
        await pilot.press("p")
        assert tap.writes[-1] == osc52(one.get("D-0001").evidence[0].path)


async def test_photo_thumbnail_then_a_pdf_then_a_missing_file(one, cfg, files):
    app = DisputeApp(one, cfg, clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        preview = await _detail(app, pilot)
        p = preview.preview
        assert p is not None and p.state == "image" and p.source_px == (400, 300)
        widget = preview.query_one("#ev-image")
        assert widget.image is p.image and p.image.size == (400, 300)  # already within THUMB_PX
        assert widget.display and widget.region.height > 0  # drawn on screen
        await pilot.press("v")  # scrolls to the preview
        await pilot.pause()
        assert preview.index == 0
        text = screen_text(app)
        assert "Evidence 1/3" in text and "400x300 px" in text and "crack.jpg" in text
        # v: the invoice (not an image): its details and the key that copies its path
        await pilot.press("v")  # in view: the next file
        await settle(pilot)
        assert preview.index == 1 and preview.preview.state == "not_image" and widget.image is None and not widget.display
        text = screen_text(app)
        assert "application/pdf" in text and "p copy path" in text and "invoice.pdf" in text
        tap = DriverTap(app)
        await pilot.press("p")
        assert tap.writes == [osc52(str(files["pdf"].resolve()))]
        # v: the deleted photo: MISSING, no picture
        await press(pilot, "v")
        assert preview.preview.state == "missing" and widget.image is None
        assert "MISSING" in screen_text(app)


async def test_a_changed_photo_is_never_shown(one, cfg, files):
    # same size, other bytes: only the SHA-256 tells
    data = bytearray(files["photo"].read_bytes())
    data[len(data) // 2] ^= 0xFF
    files["photo"].write_bytes(bytes(data))
    app = DisputeApp(one, cfg, clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        preview = await _detail(app, pilot)
        assert preview.preview.state == "changed" and preview.image is None
        await pilot.press("v")
        await pilot.pause()
        assert "CHANGED" in screen_text(app) and "SHA-256 differs" in screen_text(app)


async def test_a_photo_that_goes_missing_loses_its_picture(one, cfg, files):
    app = DisputeApp(one, cfg, clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        preview = await _detail(app, pilot)
        assert preview.preview.state == "image"
        files["photo"].unlink()
        # the case changes (a colleague's message): the detail is redrawn and the file looked at again
        one.update("D-0001", lambda k: __import__("store").ops.log(k, "note", "x", NOW, "colleague"))
        app.loader.load(select="D-0001", refresh=True)
        await settle(pilot)
        assert preview.preview.state == "missing" and preview.image is None


async def test_thumbnails_off_in_the_config(one, files):
    data = defaults().data
    data["board"]["thumbnails"] = False
    cfg = Config(data, None)
    app = DisputeApp(one, cfg, clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        preview = await _detail(app, pilot)
        assert preview.preview is None and preview.image is None
        await pilot.press("v")
        await pilot.pause()
        assert "thumbnails off" in screen_text(app)


def test_a_big_jpeg_is_decoded_at_thumbnail_size(tmp_path):
    """A 4032x3024 phone photo comes out at most THUMB_PX, decoded through draft() (a timing is
    measured by hand, see the report; a test must not depend on the machine's speed)."""
    from store import ops
    path = jpeg(tmp_path / "big.jpg", (4032, 3024))
    case = make_case()
    ops.attach(case, path, "photo", "", NOW, "t")
    p = load_preview(case.evidence[0], 0)
    assert p.state == "image" and p.source_px == (4032, 3024)
    assert p.image.width <= THUMB_PX[0] and p.image.height <= THUMB_PX[1] and p.image.width >= 360
    with Image.open(path) as im:
        im.draft("RGB", THUMB_PX)
        assert im.size == (504, 378)  # libjpeg scales 1/8 while decoding


def test_a_photo_that_is_no_picture_says_so_in_words(tmp_path):
    """A .jpg that is not an image (seen in a trial: the demo's placeholders) says what is wrong,
    not the decoder's repr of an in-memory buffer ("<_io.BytesIO object at 0x7f...>")."""
    from store import ops
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"not a jpeg, a text saved with the wrong name\n")
    case = make_case()
    ops.attach(case, path, "photo", "", NOW, "t")
    p = load_preview(case.evidence[0], 0)
    assert (p.state, p.detail) == ("undecodable", "cannot decode it: not a picture format this can read")


def test_a_symlink_planted_over_evidence_is_not_followed(tmp_path):
    from store import ops
    path = jpeg(tmp_path / "a.jpg", (40, 30))
    case = make_case()
    ops.attach(case, path, "photo", "", NOW, "t")
    other = jpeg(tmp_path / "b.jpg", (40, 30))
    path.unlink()
    path.symlink_to(other)
    assert load_preview(case.evidence[0], 0).state in ("changed", "missing")


def test_the_preview_of_a_file_swapped_for_a_link_says_so_and_reads_nothing(tmp_path):
    """Tried on the board: the preview of an attached photo a colleague then replaced with a link
    said "size is 13 bytes, 74 when attached" (the link's own size); it now says what the packet
    and `verify` say, and never reads what the link points at."""
    from datetime import datetime, timezone

    from store import ops
    from store.sample import sample_cases
    from tui.thumbnail import load_preview

    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 the damaged carton")
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"\xff\xd8 private")
    case = sample_cases(1, datetime(2026, 11, 26, tzinfo=timezone.utc))[0]
    case.evidence = []
    ops.attach(case, photo, "photo", "", datetime(2026, 11, 26, 9, tzinfo=timezone.utc), "me")
    photo.unlink()
    photo.symlink_to(secret)
    got = load_preview(case.evidence[0], 0)
    assert got.state == "changed" and got.image is None
    assert got.detail == f"now a link to {secret}, not the file attached"


async def test_the_first_picture_is_drawn_with_the_half_block_widget_a_terminal_gets(db_path, cfg, files, monkeypatch):
    """In a terminal (xterm, VTE, tmux) the picture widget is textual-image's half-block one,
    mounted with the first picture: given the picture at construction it took no height at its
    first layout, and nothing was drawn until the next picture (seen in tmux at 80x24, on a case
    whose photo came after its PDFs)."""
    import tui.thumbnail as thumbnail
    from textual_image.widget import HalfcellImage

    files["pdf"].write_bytes(b"%PDF-1.4\n" + os.urandom(3000))
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.create(make_case())
    attach(s, "D-0001", files["pdf"], "invoice")
    attach(s, "D-0001", files["photo"], "photo")
    monkeypatch.setattr(thumbnail, "_IMAGE", [HalfcellImage])
    app = DisputeApp(s, cfg, clock=lambda: NOW)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            preview = await _detail(app, pilot)
            assert preview.preview is not None and preview.preview.state == "not_image"
            assert not preview.query("#ev-image")  # no picture yet: no picture widget
            for _ in range(2):  # the first v brings the preview into view, the second steps
                await press(pilot, "v")
                await settle(pilot)
            assert preview.index == 1 and preview.preview.state == "image"
            widget = preview.query_one("#ev-image")
            assert isinstance(widget, HalfcellImage) and widget.image is preview.preview.image
            assert widget.display and widget.region.height > 0 and widget.region.width == 36
    finally:
        s.close()
