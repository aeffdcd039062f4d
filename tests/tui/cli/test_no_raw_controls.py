"""No control character reaches a terminal from any output, JSON and CSV included, while the
stored data keeps every character exactly.

Hostile text: OSC 52 (sets the viewer's clipboard), OSC 8 (plants a link), ESC [2J (clears the
screen), U+009B (8-bit CSI), U+009D (8-bit OSC) and the bidi override U+202E / isolate U+2066.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata

import pytest

from store.textsafe import UNSAFE_RANGES, json_escape

from tests.support.cli import ROOT, ok, run

EVIL = ("Ningbo\x1b]52;c;aGFja2Vk\x07 \x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\ "
        "\x1b[2J\u009b31m\u009d0;title\u009c \u202eevil\u202c \u2066x\u2069\u200b\r\x08")


def raw_controls(text: str) -> list[str]:
    """Characters that would act on a terminal (newline and tab are the formats' own)."""
    return sorted({f"U+{ord(ch):04X}" for ch in text
                   if (ord(ch) < 0x20 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F
                   or 0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 or ch == "\u200b"})


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "d.json"
    ok(path, "add", "--order", "ORD-\x1b[2J1", "--supplier", EVIL, "--reason", "damaged", "--amount", "10",
       "--title", "Title " + EVIL, "--description", "Desc " + EVIL)
    ok(path, "log", "D-0001", "--from", "supplier", "Message " + EVIL)
    return path


@pytest.mark.parametrize("args", [
    ("list",), ("list", "--json"), ("show", "D-0001"), ("show", "D-0001", "--json"),
    ("digest",), ("digest", "--json"), ("export",), ("export", "--format", "csv"),
    ("statement", "D-0001"), ("undo", "D-0001"), ("assign", "D-0001", "root"),
    ("log", "D-0001", "--from", "me", "hi \x1b]52;c;eA==\x07"),
])
def test_no_output_writes_a_control_character_raw(db, args):
    r = run(db, *args, real=True)
    assert r.returncode == 0, r.stderr
    assert raw_controls(r.stdout) == [], args
    assert raw_controls(r.stderr) == []


@pytest.mark.parametrize("args", [("show", "D-0001", "--json"), ("list", "--json"), ("export",)])
def test_json_escapes_them_and_still_holds_the_exact_text(db, args):
    out = ok(db, *args, real=True)
    assert "\\u009b" in out and "\\u202e" in out and "\\u001b" in out
    doc = json.loads(out)
    case = doc if isinstance(doc, dict) and "supplier" in doc else (doc["cases"] if "cases" in doc else doc)[0]
    assert case["supplier"] == EVIL


def test_csv_to_a_terminal_shows_stand_ins_and_to_a_file_keeps_the_bytes(db, tmp_path):
    shown = ok(db, "export", "--format", "csv", real=True)
    assert "␛]52;c;aGFja2Vk␇" in shown
    out = tmp_path / "cases.csv"
    ok(db, "export", "--format", "csv", "--output", str(out), real=True)
    assert EVIL.replace("\r", "").encode() in out.read_bytes().replace(b"\r", b"")


def test_an_export_file_round_trips_exactly_through_import(db, tmp_path):
    out = tmp_path / "e.json"
    ok(db, "export", "--output", str(out), real=True)
    other = tmp_path / "other.json"
    ok(other, "import", str(out), real=True)
    again = tmp_path / "again.json"
    ok(other, "export", "--output", str(again), real=True)
    first, second = json.loads(out.read_bytes()), json.loads(again.read_bytes())
    (a,), (b,) = first["cases"], second["cases"]
    assert b.pop("history")[:-1] == a.pop("history")  # import adds one history line, nothing else
    assert a == b
    assert second["cases"][0]["supplier"] == EVIL
    assert second["cases"][0]["messages"][0]["text"] == "Message " + EVIL


def test_config_prints_the_database_path_cleaned(tmp_path):
    hostile = str(tmp_path / "db\x1b]52;c;aGk=\x07\u009b2J\u202e.json")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DISPUTES_DB": hostile}
    r = subprocess.run([sys.executable, "-m", "tui.cli", "config"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert raw_controls(r.stdout) == [] and "db␛]52;c;aGk=␇" in r.stdout


def test_an_error_message_holding_user_text_is_one_clean_line(db):
    r = run(db, "show", "D-9\x1b[2J\u009b\u202e\nsecond", real=True)
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1 and raw_controls(r.stderr) == []


def test_the_escape_table_covers_every_control_and_format_character_this_python_knows():
    covered = {c for a, b in UNSAFE_RANGES for c in range(a, b + 1)}
    for code in range(0x110000):
        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            assert code in covered, f"U+{code:04X} ({unicodedata.category(chr(code))}) missing: update UNSAFE_RANGES"


def test_json_escape_is_the_same_json_value():
    text = "a\u009bb\u202ec\U000e0041d\u2028e 中文 émoji 🙂"
    import orjson

    data = orjson.dumps({"k": text})
    safe = json_escape(data)
    assert safe.isascii() is False  # CJK and emoji stay readable
    assert b"\\u009b" in safe and b"\\udb40\\udc41" in safe and b"\\u2028" in safe
    assert json.loads(safe) == {"k": text} and orjson.loads(safe) == {"k": text}


def test_json_escape_keeps_every_value_and_leaves_nothing_raw():
    """Random text mixing unsafe characters with their UTF-8 neighbours (same first bytes)."""
    import random

    import orjson

    rnd = random.Random(8)
    pool = ([chr(c) for a, b in UNSAFE_RANGES for c in range(a, min(b, a + 40) + 1) if not 0xD800 <= c <= 0xDFFF]
            + list("aé·…©\u00a0\u2027\u2030\u2065\ufeff\ufffd中文🙂\U000e0000\U000e0080\u061b\u061d"))
    for _ in range(300):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 40)))
        safe = json_escape(orjson.dumps({"t": text, "k": [text]}))
        assert orjson.loads(safe) == {"t": text, "k": [text]}
        assert raw_controls(safe.decode("utf-8")) == []
