"""Long text in the user's editor (issue 12): which editor, the private temp file, and the board
writing the description, a message and the statement through it, saved like any other change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from store import TinyStore
from store.editor import EditorError, edit_text, editor_command, message_template, parse_message
from tui.app import DisputeApp
from tui.screens.statement import StatementScreen

from tests.support import ROOT

from tests.support.tools import NOW, editor_log, editor_script, make_case, settle
from tests.support.board import running, press



@pytest.fixture(autouse=True)
def _no_user_editor(monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)


def _exe(folder: Path, name: str) -> Path:
    folder.mkdir(exist_ok=True)
    p = folder / name
    p.write_text("#!/bin/sh\nexit 0\n")
    p.chmod(0o755)
    return p


def test_visual_then_editor_then_an_editor_on_path(tmp_path, monkeypatch):
    bin_ = tmp_path / "bin"
    nano = _exe(bin_, "nano")
    monkeypatch.setenv("PATH", str(bin_))
    assert editor_command() == [str(nano)]
    vi = _exe(bin_, "vi")
    assert editor_command() == [str(nano)]  # nano before vi
    nano.unlink()
    assert editor_command() == [str(vi)]
    monkeypatch.setenv("EDITOR", "emacs -nw")
    assert editor_command() == ["emacs", "-nw"]
    monkeypatch.setenv("VISUAL", "code --wait")
    assert editor_command() == ["code", "--wait"]
    monkeypatch.setenv("VISUAL", "  ")  # blank counts as unset
    assert editor_command() == ["emacs", "-nw"]
    monkeypatch.delenv("EDITOR")
    monkeypatch.delenv("VISUAL")
    vi.unlink()
    assert editor_command() is None


def test_the_temp_file_is_private_and_removed(tmp_path, editor):
    editor("open(p, 'w').write(text.upper())\n")
    out = edit_text("refund please\n", prefix="D-0001-description-")
    assert out.text == "REFUND PLEASE\n" and out.path is None
    [(path, mode, folder_mode)] = editor_log(tmp_path)
    assert mode == "600" and folder_mode == "700"
    assert Path(path).name.startswith("D-0001-description-") and len(Path(path).name) > 30  # random part
    assert not Path(path).exists() and not Path(path).parent.exists()


def test_an_editor_that_fails_or_cannot_start_says_so_and_leaves_nothing(tmp_path, monkeypatch, editor):
    editor("sys.exit(3)\n")
    with pytest.raises(EditorError, match="status 3"):
        edit_text("x")
    [(path, _, _)] = editor_log(tmp_path)
    assert not Path(path).parent.exists()
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    with pytest.raises(EditorError, match="cannot run editor"):
        edit_text("x")


def test_message_template_round_trip():
    t = message_template("D-0001", "Ningbo\nBrightway")
    assert parse_message(t) == ("me", "")
    edited = t.replace("from: me", "from: supplier") + "# order 42 is short\nWe will refund 10%.\n\n"
    assert parse_message(edited) == ("supplier", "# order 42 is short\nWe will refund 10%.")
    with pytest.raises(EditorError, match="from: must be one of"):
        parse_message(t.replace("from: me", "from: boss"))
    assert parse_message("Just text\n") == ("me", "Just text")


def _cli(db: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR")}
    e.update({"PYTHONPATH": str(ROOT), "TZ": "UTC", **env})
    return subprocess.run([sys.executable, "-m", "tui.cli", *args, "--db", str(db)], capture_output=True,
                          text=True, env=e, timeout=60, stdin=subprocess.DEVNULL)


def _db(db_path, cfg) -> Path:
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.create(make_case())
    s.close()
    return db_path


def test_cli_statement_edit_uses_the_same_rule(tmp_path, db_path, cfg):
    db = _db(db_path, cfg)
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    # no $VISUAL/$EDITOR: the "nano" on PATH is run (here a script that appends a line)
    nano = bin_ / "nano"
    nano.write_text(f"#!{sys.executable}\nimport sys\nopen(sys.argv[1], 'a').write('Edited by nano.\\n')\n")
    nano.chmod(0o755)
    r = _cli(db, "statement", "D-0001", "--edit", env={"PATH": str(bin_)})
    assert r.returncode == 0, r.stderr
    assert _cli(db, "statement", "D-0001", env={}).stdout.endswith("Edited by nano.\n")
    # no editor anywhere: one line, exit 1, the database unchanged
    before = db.read_bytes(), db.with_name(db.name + ".journal").read_bytes()
    nano.unlink()
    r = _cli(db, "statement", "D-0001", "--edit", env={"PATH": str(bin_)})
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "no editor found" in r.stderr, r.stderr
    r = _cli(db, "statement", "D-0001", "--edit", env={"EDITOR": str(tmp_path / "nowhere")})
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "cannot run editor" in r.stderr, r.stderr
    assert (db.read_bytes(), db.with_name(db.name + ".journal").read_bytes()) == before


# -- the board -----------------------------------------------------------------------------------
@pytest.fixture
def one(db_path, cfg):
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.create(make_case())
    yield s
    s.close()


@pytest.fixture
def editor(tmp_path, monkeypatch):
    """``editor(body, name="ed.py")``: $EDITOR becomes that script (``editor_script``)."""
    def use(body: str, name: str = "ed.py") -> None:
        monkeypatch.setenv("EDITOR", editor_script(tmp_path, body, name))
    return use


@pytest.fixture
def app(one, cfg):
    """The board on ``one``, its clock at NOW."""
    return DisputeApp(one, cfg, clock=lambda: NOW)


async def test_description_in_editor_saves_and_undoes(app, one, tmp_path, editor):
    editor("assert text == '12 of 40 panels cracked.'\n"
                  "open(p, 'w').write('12 of 40 panels cracked.\\nCarton 3 crushed on one corner.  \\n\\n')\n")
    async with running(app) as pilot:
        await press(pilot, "E")
        case = one.get("D-0001")
        assert case.description == "12 of 40 panels cracked.\nCarton 3 crushed on one corner."
        assert case.history[-1].action == "edit" and "description" in case.history[-1].detail
        [(path, mode, _)] = editor_log(tmp_path)
        assert mode == "600" and not Path(path).exists()
        await pilot.press("u")  # the normal save path: undo restores it
        await settle(pilot)
        assert one.get("D-0001").description == "12 of 40 panels cracked."


async def test_description_changed_meanwhile_is_a_conflict_and_the_text_is_kept(app, one, db_path, editor):
    # While "editing", a colleague changes the case from another process.
    colleague = (f"import subprocess\nsubprocess.run([{sys.executable!r}, '-m', 'tui.cli', 'tag', 'D-0001', "
                 f"'urgent', '--db', {str(db_path)!r}], check=True, capture_output=True, "
                 f"env={{**__import__('os').environ, 'PYTHONPATH': {str(ROOT)!r}}})\n"
                 "open(p, 'w').write('My version.\\n')\n")
    async with running(app) as pilot:
        editor(colleague)
        await press(pilot, "E")
        assert one.get("D-0001").description == "12 of 40 panels cracked."  # refused: not saved over theirs
        assert any("E opens it again" in n.message for n in app._notifications)
        # E again: the kept text is what the editor gets; saved now, over the colleague's revision
        editor("assert text == 'My version.', text\n", "ed2.py")
        await press(pilot, "E")
        assert one.get("D-0001").description == "My version."


async def test_message_in_editor_with_its_sender(app, one, editor):
    editor("assert 'New message on D-0001 (Ningbo Brightway)' in text\n"
                  "open(p, 'w').write(text.replace('from: me', 'from: supplier') + "
                  "'We can refund 10%.\\nSecond line.\\n')\n")
    async with running(app) as pilot:
        await press(pilot, "M")
        m = one.get("D-0001").messages[-1]
        assert (m.sender, m.text, m.by) == ("supplier", "We can refund 10%.\nSecond line.", "tester")
        # an editor that leaves the template as it was saves nothing
        n = len(one.get("D-0001").messages)
        editor("pass\n", "ed2.py")
        await press(pilot, "M")
        assert len(one.get("D-0001").messages) == n


async def test_statement_in_editor_from_the_statement_screen(app, one, editor):
    editor("assert text.startswith('Order number: ORD-7781')\n"
                  "open(p, 'w').write(text + 'Photos taken on arrival.\\n')\n")
    async with running(app) as pilot:
        await press(pilot, "S")
        assert isinstance(app.screen, StatementScreen)
        await press(pilot, "E")
        saved = one.get("D-0001").statement
        assert saved.startswith("Order number: ORD-7781") and saved.endswith("Photos taken on arrival.\n")
        assert app.screen.editor.text.endswith("Photos taken on arrival.\n") and not app.screen.dirty


async def test_the_editor_keys_are_in_the_help(app, cfg):
    async with running(app, (80, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        rows = dict(app.screen.rows) if hasattr(app.screen, "rows") else {}
        text = "\n".join(f"{k} {v}" for k, v in rows.items())
        assert "E Description in $EDITOR" in text and "M Message in $EDITOR" in text
        assert "y Copy case id" in text
