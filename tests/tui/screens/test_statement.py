"""The statement screen: edit and save (conflicts refused, text kept), copy, packet, hostile text."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from decimal import Decimal

from tests.support.outcome_cases import HOSTILE
from tests.support.host import NOW, Host, assert_no_controls, screen_text, settle

from store import Case, Message, TinyStore, ops
from store import statement as st
from tui.screens.statement import StatementScreen


def make(store, cfg, case_id):
    return Host(lambda: StatementScreen(store, cfg, lambda: NOW, "tester", case_id))


async def test_shows_the_composition_and_the_checklist(seeded, cfg):
    case = seeded.get("D-0003")
    app = make(seeded, cfg, "D-0003")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.text == st.compose(case)
        text = screen_text(app)
        assert "composed" in text.splitlines()[0]
        assert f"Order number: {case.order}" in text
        missing = st.missing(case)
        assert missing and f"✗ {missing[0].label}" in text  # what is missing for this reason


async def test_edit_is_saved_into_the_case(seeded, cfg):
    rev = seeded.get("D-0003").rev
    app = make(seeded, cfg, "D-0003")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        for ch in "Urgent. ":
            await pilot.press(ch)
        assert "edited, not saved" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = seeded.get("D-0003")
        assert saved.statement.startswith("Urgent. Order number:")
        assert saved.rev == rev + 1
        assert saved.history[-1].action == "statement"
        assert app.changed == [("D-0003",)]
        assert "saved" in screen_text(app).splitlines()[0]


async def test_conflict_is_refused_and_the_text_kept(seeded, db_path, cfg):
    app = make(seeded, cfg, "D-0003")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        other = TinyStore(db_path, cfg=cfg, user="colleague", clock=lambda: NOW)
        other.update("D-0003", lambda c: ops.tag(c, ["theirs"]))  # someone else, first
        await pilot.press("e")
        for ch in "Mine ":
            await pilot.press(ch)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert seeded.get("D-0003").statement == ""  # refused
        assert seeded.get("D-0003").tags == ["theirs"]
        assert app.screen.text.startswith("Mine Order number:")  # nothing typed is lost
        text = screen_text(app)
        assert "Changed by colleague" in text
        assert any("changed by colleague" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")  # again: saved over their (tag) change, which stays
        await settle(pilot)
        saved = seeded.get("D-0003")
        assert saved.statement.startswith("Mine Order number:")
        assert saved.tags == ["theirs"]
        other.close()


async def test_copy_puts_the_text_on_the_clipboard(seeded, cfg):
    app = make(seeded, cfg, "D-0003")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert app.clipboard == st.compose(seeded.get("D-0003"))
        await pilot.press("e")
        for ch in "Hi ":
            await pilot.press(ch)
        await pilot.press("ctrl+y")  # works while editing too
        assert app.clipboard.startswith("Hi Order number:")


async def test_packet_is_written_and_readable(db_path, tmp_path, cfg):
    photo = tmp_path / "damage photo.jpg"
    photo.write_bytes(b"\xff\xd8jpeg" * 100)
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([Case(id="D-0001", order="123", supplier="Ningbo", reason="damaged", amount=Decimal("10.00"),
                         created_at=NOW - timedelta(days=3), stage_entered_at=NOW - timedelta(days=3), rev=1)])
    s.update("D-0001", lambda c: ops.attach(c, photo, "photo", "crushed", NOW, "tester"))
    app = make(s, cfg, "D-0001")
    out = tmp_path / "out" / "packet.zip"
    out.parent.mkdir()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        assert app.screen.query_one("#st-path").value == "~/dispute-D-0001.zip"
        app.screen.query_one("#st-path").value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        with zipfile.ZipFile(out) as zf:
            names = zf.namelist()
            assert "statement.txt" in names and "manifest.json" in names
            assert "evidence/damage photo.jpg" in names
            assert zf.read("evidence/damage photo.jpg") == photo.read_bytes()
            assert zf.read("statement.txt").decode() == st.normalise(app.screen.text)
            manifest = json.loads(zf.read("manifest.json"))
            assert manifest["case"] == "D-0001"
        assert any("Packet written" in n.message for n in app._notifications)
    s.close()


async def test_packet_with_missing_files_names_them_then_writes_on_enter_again(seeded, tmp_path, cfg):
    app = make(seeded, cfg, "D-0003")
    out = tmp_path / "p.zip"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        app.screen.query_one("#st-path").value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        assert not out.exists()
        text = screen_text(app)
        assert "invoice-1.pdf missing" in text and "receipt-2.pdf missing" in text
        await pilot.press("enter")
        await settle(pilot)
        with zipfile.ZipFile(out) as zf:
            manifest = json.loads(zf.read("manifest.json"))
        assert [x["name"] for x in manifest["not_included"]] == ["invoice-1.pdf", "receipt-2.pdf"]
        assert any("left out: invoice-1.pdf (missing), receipt-2.pdf (missing)" in n.message
                   for n in app._notifications)


async def test_hostile_text_is_literal_and_harmless(db_path, cfg):
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([Case(id="D-0001", order="[REF-42]", supplier=HOSTILE, reason="damaged",
                         amount=Decimal("10.00"), created_at=NOW - timedelta(days=3),
                         stage_entered_at=NOW - timedelta(days=3),
                         messages=[Message(NOW - timedelta(days=1), "me", "hi", "tester")],
                         description="Refund [/] please \x1b]52;c;ZXZpbA==\x07", rev=1)])
    app = make(s, cfg, "D-0001")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[b]x[/b] ␛[2J" in text  # the title line: literal, escape shown as a symbol
        assert "Supplier: [b]x[/b] [2J" in text  # the statement: plain text for a web form
        assert "Refund [/] please ]52;c;ZXZpbA==" in text
        assert_no_controls(app)
        await pilot.press("e")
        app.screen.editor.insert("pasted \x1b[31m red")
        await pilot.pause()
        assert "\x1b" not in app.screen.text
        assert_no_controls(app)
    s.close()


async def test_format_flags_name_the_files_the_platform_refuses(db_path, cfg):
    from store import Evidence

    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    photo = db_path.parent / "crushed box.png"  # on disk: a missing file would fulfil nothing
    photo.write_bytes(b"0123456789")
    s.import_cases([Case(id="D-0001", order="1", supplier="Ningbo", reason="damaged", amount=Decimal("10.00"),
                         created_at=NOW - timedelta(days=3), stage_entered_at=NOW - timedelta(days=3),
                         evidence=[Evidence(str(photo), "photo", "", NOW, 10, "0" * 64, "t")],
                         rev=1)])
    app = make(s, cfg, "D-0001")
    async with app.run_test(size=(120, 30)) as pilot:  # wide: the checklist beside the text
        await settle(pilot)
        text = screen_text(app)
        assert "✓ photos of the damage: crushed box.png" in text
        assert "⚠ crushed box.png: .png files are not" in text
    s.close()
