"""`disputes notify` against a real SMTP server on 127.0.0.1 (aiosmtpd), in real processes."""

from __future__ import annotations

import json
from datetime import timedelta

from aiosmtpd.controller import Controller

from tests.support.cli import ok, run, state
from tests.support.smtp import Inbox
from tests.support import NOW


def at(hours: float) -> dict:
    return {"DISPUTES_NOW": (NOW + timedelta(hours=hours)).isoformat()}


def test_warning_arrives_once_then_again_at_the_next_threshold(db, smtp, conf):
    r = run(db, "notify", real=True, env=conf)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert len(smtp.messages) == 1
    m = smtp.messages[0]
    assert "D-0001" in m["Subject"] and "evidence_due" in m["Subject"] and "48 h" in m["Subject"]
    text = m.get_content()
    assert "D-0001" in text and "evidence_due" in text and "Ningbo Brightway" in text
    assert "2026-11-27 23:00 +08:00" in text and "2026-11-27 15:00 UTC" in text  # due, with its zone
    assert sorted(smtp.envelopes[0].rcpt_tos) == ["buyer@example.com", "lead@example.com"]
    assert r.stdout.startswith("D-0001: 48 h warning")
    assert m["Date"].startswith("Thu, 26 Nov 2026 09:00:00")  # the one clock, not the wall clock
    # the soft deadline on D-0002 never warns
    assert "D-0002" not in r.stdout

    # recorded on the case, journalled with a history entry
    shown = json.loads(ok(db, "show", "D-0001", "--json"))
    assert [(n["kind"], n["threshold"]) for n in shown["notified"]] == [("evidence_due", 48)]
    assert shown["history"][-1]["action"] == "notify"

    before = state(db)
    again = run(db, "notify", real=True, env=conf)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert len(smtp.messages) == 1
    assert state(db) == before  # nothing new: nothing written either

    # 7 h later: 23 h left, past the 24 h threshold: one more, the 24 h one
    r = run(db, "notify", real=True, env={**conf, **at(7)})
    assert r.returncode == 0, r.stderr
    assert len(smtp.messages) == 2 and "24 h" in smtp.messages[1]["Subject"]
    assert run(db, "notify", real=True, env={**conf, **at(8)}).stdout == ""

    # past due: the "passed" message, once
    r = run(db, "notify", real=True, env={**conf, **at(31)})
    assert r.returncode == 0, r.stderr
    assert len(smtp.messages) == 3 and "PASSED" in smtp.messages[2]["Subject"]
    assert "passed 1h 0m ago" in smtp.messages[2].get_content()
    assert run(db, "notify", real=True, env={**conf, **at(40)}).stdout == ""
    assert len(smtp.messages) == 3


def test_first_seen_close_to_due_sends_only_the_most_urgent(db, smtp, conf):
    r = run(db, "notify", real=True, env={**conf, **at(28)})  # 2 h left
    assert r.returncode == 0, r.stderr
    assert len(smtp.messages) == 1 and "3 h" in smtp.messages[0]["Subject"]
    assert run(db, "notify", real=True, env={**conf, **at(29)}).stdout == ""


def test_server_down_is_one_line_then_delivered_next_run(db, conf, port):
    before = state(db)
    r = run(db, "notify", real=True, env=conf)
    assert r.returncode == 5
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1
    assert f"127.0.0.1:{port}" in r.stderr and "tried again next run" in r.stderr
    assert state(db) == before  # nothing recorded: nothing was delivered

    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        r = run(db, "notify", real=True, env=conf)
        assert r.returncode == 0, r.stderr
        assert len(inbox.messages) == 1 and "D-0001" in inbox.messages[0]["Subject"]
        assert run(db, "notify", real=True, env=conf).stdout == ""
        assert len(inbox.messages) == 1
    finally:
        ctl.stop()


def test_unconfigured_refuses_in_one_line(db):
    r = run(db, "notify", real=True)
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1 and "smtp_host" in r.stderr


def test_password_in_the_file_is_refused(db, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[notify]\nsmtp_host = "127.0.0.1"\nsender = "a@b"\nrecipients = ["c@d"]\n'
                    'password = "hunter2"\n', encoding="utf-8")
    r = run(db, "notify", real=True, env={"DISPUTES_CONFIG": str(path)})
    assert r.returncode == 1 and "password_env" in r.stderr and "hunter2" not in r.stderr


def test_dry_run_lists_and_sends_nothing(db, conf, port):
    before = state(db)
    r = run(db, "notify", "--dry-run", real=True, env=conf)  # no server listening: nothing is sent
    assert r.returncode == 0, r.stderr
    assert "D-0001: 48 h warning: evidence_due due 2026-11-27 23:00 +08:00" in r.stdout
    assert "dry run" in r.stdout
    assert state(db) == before


def test_hostile_case_text_reaches_the_mail_inert(tmp_path, smtp, conf):
    path = tmp_path / "cases.json"
    ok(path, "add", "--order", "ORD-9", "--supplier", "Evil\x1b]0;pwn\x07 Co", "--reason", "damaged",
       "--amount", "1", "--title", "line1\r\nBcc: victim@example.com")
    ok(path, "deadline", "D-0001", "--kind", "evidence_due", "--due", "2026-11-26T10:00Z")
    r = run(path, "notify", real=True, env=conf)
    assert r.returncode == 0, r.stderr
    m = smtp.messages[0]
    assert m["Bcc"] is None
    assert "\x1b" not in m.get_content() and "\x07" not in m.get_content()
    assert sorted(smtp.envelopes[0].rcpt_tos) == ["buyer@example.com", "lead@example.com"]
