"""Fixtures of the ``disputes notify`` tests: a real SMTP server on 127.0.0.1 (aiosmtpd), the
config that points at it, and a database with one case close to a hard deadline."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.support.cli import ok
from tests.support.smtp import Inbox, free_port


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def smtp(port):
    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    yield inbox
    ctl.stop()


@pytest.fixture
def conf(tmp_path, port) -> dict:
    path = tmp_path / "config.toml"
    path.write_text(f'[notify]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsender = "board@example.com"\n'
                    f'recipients = ["buyer@example.com", "lead@example.com"]\nthresholds_hours = [48, 24, 3]\n'
                    f'timeout_seconds = 5\n', encoding="utf-8")
    return {"DISPUTES_CONFIG": str(path)}


@pytest.fixture
def db(tmp_path) -> Path:
    """One case with a hard evidence deadline 30 h after NOW, typed in UTC+8; one without any."""
    path = tmp_path / "cases.json"
    ok(path, "add", "--order", "ORD-77", "--supplier", "Ningbo Brightway", "--reason", "damaged",
       "--amount", "1250.10", "--title", "Cracked housings")
    ok(path, "deadline", "D-0001", "--kind", "evidence_due", "--due", "2026-11-27T23:00+08:00")
    ok(path, "add", "--order", "ORD-78", "--supplier", "Quiet Co", "--reason", "quality", "--amount", "5")
    ok(path, "deadline", "D-0002", "--kind", "reply_by", "--due", "2026-11-27T23:00+08:00", "--soft")
    return path
