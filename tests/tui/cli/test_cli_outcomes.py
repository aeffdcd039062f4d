"""`disputes statement | packet | verify | offer | stats`: real processes on a real database."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from datetime import datetime, timezone
from decimal import Decimal

from store import TinyStore, ops
from store.config import defaults
from store.model import Case
from tests.support import NOW, ROOT



def run_head() -> list[str]:
    return [sys.executable, "-m", "tui.cli"]


def run(db: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    e = {**os.environ, "PYTHONPATH": str(ROOT), "TZ": "UTC", **(env or {})}
    e.pop("VISUAL", None)
    return subprocess.run([*run_head(), *args, "--db", str(db)], capture_output=True, text=True, env=e, timeout=60,
                          stdin=subprocess.DEVNULL)


def ok(db: Path, *args: str, **kw) -> str:
    r = run(db, *args, **kw)
    assert r.returncode == 0, r.stderr
    return r.stdout


def state(db: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
            for p in (db, db.with_name(db.name + ".journal"))}


def show(db: Path, cid: str = "D-0001") -> dict:
    return json.loads(ok(db, "show", cid, "--json"))


@pytest.fixture
def db(tmp_path) -> Path:
    """One case with two evidence files and a supplier message, written by the store itself
    (quicker than four processes; the commands under test still run as processes)."""
    path = tmp_path / "cases.json"
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "crack.jpg").write_bytes(b"\xff\xd8" + os.urandom(4000))
    (ev / "unpacking.mp4").write_bytes(os.urandom(9000))
    now = NOW
    store = TinyStore(path, cfg=defaults(), user="tester", clock=lambda: NOW)
    try:
        store.create(Case(id="D-0001", order="ORD-7781", supplier="Ningbo Brightway", reason="damaged",
                          amount=Decimal("1250.10"), claimed=Decimal("375.03"), want="partial_refund",
                          product="LED panel lights 600x600", description="12 of 40 panels cracked.",
                          created_at=now, stage_entered_at=now,
                          received_at=datetime(2026, 11, 14, 2, 0, tzinfo=timezone.utc)))
        store.update("D-0001", lambda k: ops.attach(k, ev / "crack.jpg", "photo", "carton 3", now, "tester"))
        store.update("D-0001", lambda k: ops.attach(k, ev / "unpacking.mp4", "video", "", now, "tester"))
        store.update("D-0001", lambda k: ops.log(k, "supplier", "We can offer 10% discount.", now, "tester"))
    finally:
        store.close()
    return path


def test_statement_prints_saves_and_shows_in_json(db):
    text = ok(db, "statement", "D-0001")
    assert text.startswith("Order number: ORD-7781\n")
    assert "Resolution sought: A partial refund of 375.03 USD." in text
    assert "1. photo: crack.jpg (carton 3)" in text and "2. video: unpacking.mp4" in text
    assert show(db)["statement"] == ""  # printing saves nothing
    assert re.fullmatch(r"D-0001: statement saved \(\d+ lines\)\n", ok(db, "statement", "D-0001", "--save"))
    c = show(db)
    assert c["statement"] == text and c["history"][-1]["action"] == "statement"
    assert ok(db, "statement", "D-0001", "--save") == "D-0001: statement already saved, unchanged\n"


def test_statement_edit_in_editor_saves_the_result(db, tmp_path):
    editor = tmp_path / "ed.py"
    editor.write_text("import sys\np = sys.argv[1]\ns = open(p).read()\n"
                      "open(p, 'w').write(s.replace('Order number', 'Order no.') + 'Photos taken on arrival.  \\n\\n')\n")
    env = {"EDITOR": f"{sys.executable} {editor}"}
    assert re.fullmatch(r"D-0001: statement saved \(\d+ lines\)\n", ok(db, "statement", "D-0001", "--edit", env=env))
    saved = show(db)["statement"]
    assert saved.startswith("Order no.: ORD-7781\n") and saved.endswith("\nPhotos taken on arrival.\n")
    assert ok(db, "statement", "D-0001") == saved  # the saved text is what is printed (and packed)
    assert ok(db, "statement", "D-0001", "--draft").startswith("Order number:")
    # an editor that fails, or leaves nothing, saves nothing
    before = state(db)
    for script in ("import sys; sys.exit(3)", "import sys; open(sys.argv[1], 'w').write('  \\n')"):
        editor.write_text(script)
        r = run(db, "statement", "D-0001", "--edit", env=env)
        assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "not saved" in r.stderr
        assert state(db) == before


def test_statement_saved_by_someone_else_during_an_edit_is_not_overwritten(db, tmp_path):
    editor = tmp_path / "slow_ed.py"
    # while "editing", a colleague saves the composed statement from another process
    editor.write_text(textwrap.dedent(f"""
        import subprocess, sys
        subprocess.run({[*run_head(), "statement", "D-0001", "--save", "--db", str(db)]!r}, check=True,
                       capture_output=True)
        open(sys.argv[1], "a").write("My addition.\\n")
    """))
    r = run(db, "statement", "D-0001", "--edit", env={"EDITOR": f"{sys.executable} {editor}"})
    assert r.returncode == 4 and "changed by someone else" in r.stderr
    kept = Path(r.stderr.split("your text is kept in ")[1].strip())
    assert kept.read_text().endswith("My addition.\n")
    kept.unlink()
    assert show(db)["statement"] == ok(db, "statement", "D-0001", "--draft")  # the colleague's save stands


def test_packet_is_a_zip_whose_manifest_matches_its_files(db, tmp_path):
    out = tmp_path / "packet.zip"
    text = ok(db, "packet", "D-0001", "--output", str(out))
    assert text.startswith(f"D-0001: wrote {out} (")
    assert "composed statement, transcript, 2 evidence files, manifest.json" in text
    assert "format: unpacking.mp4: .mp4 files are not accepted; put it in a zip" in text
    assert "still missing: invoice or receipt" in text
    with zipfile.ZipFile(out) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    manifest = json.loads(entries.pop("manifest.json"))
    assert sorted(entries) == ["evidence/crack.jpg", "evidence/unpacking.mp4", "statement.txt", "transcript.txt"]
    for f in manifest["files"]:
        data = entries[f["name"]]
        assert (f["size"], f["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert [f["kind"] for f in manifest["files"]] == ["statement", "transcript", "photo", "video"]
    assert entries["statement.txt"].decode() == ok(db, "statement", "D-0001")
    assert b"We can offer 10% discount." in entries["transcript.txt"]


def test_verify_names_changed_and_missing_files_and_packet_refuses_them(db, tmp_path):
    assert ok(db, "verify").endswith("2 evidence files in 1 case: 2 ok, 0 missing or changed\n")
    (tmp_path / "ev" / "crack.jpg").write_bytes(b"edited in an image editor")
    (tmp_path / "ev" / "unpacking.mp4").unlink()
    before = state(db)
    r = run(db, "verify", "D-0001")
    assert r.returncode == 1
    assert r.stderr.strip() == ("disputes: 2 evidence files missing or changed: D-0001 crack.jpg changed, "
                                "D-0001 unpacking.mp4 missing")
    assert "changed    crack.jpg  size 4002 -> 25 bytes, sha256 " in r.stdout
    assert f"missing    unpacking.mp4  no file at {tmp_path / 'ev' / 'unpacking.mp4'}" in r.stdout
    assert "missing: invoice or receipt" in r.stdout
    doc = json.loads(run(db, "verify", "D-0001", "--json").stdout)
    assert [f["state"] for f in doc["files"]] == ["changed", "missing"]
    out = tmp_path / "p.zip"
    r = run(db, "packet", "D-0001", "--output", str(out))
    assert r.returncode == 1 and "unpacking.mp4 missing" in r.stderr and "--force" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not out.exists()
    assert "left out" in ok(db, "packet", "D-0001", "--output", str(out), "--force")
    r = run(db, "packet", "D-0001", "--output", str(db), "--force")
    assert r.returncode == 1 and r.stderr == f"disputes: {db}: is the database; write the packet elsewhere\n"
    assert state(db) == before and out.exists()


def test_offers_through_to_an_accepted_outcome(db):
    ok(db, "move", "D-0001", "dispute")
    assert ok(db, "offer", "D-0001", "--from", "supplier", "--kind", "partial_refund", "--amount", "150") == \
        "D-0001: proposal #1 supplier partial_refund 150.00 USD\n"
    ok(db, "offer", "D-0001", "--from", "me", "--kind", "partial_refund", "--amount", "375.03")
    ok(db, "offer", "D-0001", "--from", "supplier", "--kind", "partial_refund", "--amount", "300")
    listing = ok(db, "offer", "D-0001")
    assert listing.count("countered") == 2 and listing.splitlines()[2].endswith("open")
    assert ok(db, "offer", "D-0001", "--accept") == ("D-0001: accepted #3 supplier partial_refund 300.00 USD: "
                                                     "Dispute opened -> Resolved (partially_refunded, recovered 300.00 USD)\n")
    c = show(db)
    assert c["stage"] == "resolved" and c["outcome"] == "partially_refunded" and c["recovered"] == "300"
    assert [p["status"] for p in c["proposals"]] == ["countered", "countered", "accepted"]
    assert c["proposals"][0]["from"] == "supplier" and c["proposals"][0]["amount"] == "150"
    assert set(c["proposals"][0]) == {"from", "kind", "amount", "status", "at"}
    assert ok(db, "verify").startswith("0 evidence files in 0 cases")  # resolved cases only with --all
    assert "2 evidence files in 1 case" in ok(db, "verify", "--all")
    s = json.loads(ok(db, "stats", "--json"))
    assert s["resolved"]["count"] == 1 and s["resolved"]["recovered"] == {"USD": "300"}
    assert s["resolved"]["recovered_share"] == {"USD": 0.7999}
    assert s["by_supplier"][0]["key"] == "Ningbo Brightway" and s["by_reason"][0]["key"] == "damaged"
    text = ok(db, "stats")
    assert text.startswith("resolved 1 (won 1, 100%); open 0, claimed 0\n")
    assert "claimed 375.03 USD, recovered 300.00 USD (80%)" in text
    assert all(len(line) <= 80 for line in text.splitlines())


REFUSALS = [
    ("statement", "D-0099"),
    # "--edit" with no editor: tests/tui/test_editor.py (the fallback now finds vi/nano)
    ("statement", "D-0001", "--save", "--edit"),
    ("packet", "D-0099", "--output", "/tmp/never-written.zip"),
    ("packet", "D-0001", "--output", "/no/such/folder/p.zip"),
    ("verify", "D-0099"),
    ("offer", "D-0001", "--from", "boss", "--kind", "partial_refund", "--amount", "5"),
    ("offer", "D-0001", "--from", "me", "--kind", "voucher", "--amount", "5"),
    ("offer", "D-0001", "--from", "me", "--kind", "partial_refund", "--amount", "9999"),
    ("offer", "D-0001", "--from", "me", "--kind", "partial_refund"),
    ("offer", "D-0001", "--accept"),  # nothing open
    ("offer", "D-0001", "--accept", "--reject"),
    ("offer", "D-0001", "--accept", "--amount", "5"),
    ("offer", "D-0099", "--from", "me", "--kind", "full_refund"),
]


@pytest.mark.parametrize("args", REFUSALS, ids=lambda a: " ".join(a))
def test_bad_input_says_one_line_and_changes_nothing(db, args):
    before = state(db)
    r = run(db, *args, env={"EDITOR": ""})
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("disputes") and "Traceback" not in r.stderr, r.stderr
    assert state(db) == before
    assert not Path("/tmp/never-written.zip").exists()


def test_reading_commands_on_a_new_path_create_nothing(tmp_path):
    path = tmp_path / "fresh.json"
    # a --db naming no database is refused, naming the path (issue 9), and nothing is created
    for args in (("stats",), ("verify",), ("statement", "D-0001")):
        r = run(path, *args)
        assert r.returncode == 1 and r.stderr == f"disputes: {path}: no database there (named by --db); nothing read\n"
    assert not path.exists()
