"""Two `disputes notify` runs at once (cron overlapping a slow mail server): only one sends."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from aiosmtpd.controller import Controller

from tests.support.cli import ROOT, _argv, run


class SlowInbox:
    """Holds the first message's DATA until the test says so: the first run is mid-delivery."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        self.arrived.set()
        # aiosmtpd runs handlers on its own loop thread: blocking it holds this one client.
        self.release.wait(60)
        return "250 OK"


def test_a_second_run_while_one_is_sending_says_so_and_sends_nothing(db, conf, port, tmp_path):
    inbox = SlowInbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TZ": "UTC", **conf}
        first = subprocess.Popen([sys.executable, "-m", "tui.cli", *_argv(db, ("notify",))], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert inbox.arrived.wait(60), "the first run never reached the mail server"
            second = run(db, "notify", real=True, env=conf)  # a real second process, while the first waits
            assert second.returncode == 0, second.stderr
            assert second.stderr.strip().splitlines() == [
                "disputes: another notify run is in progress; nothing sent"]
            assert second.stdout == ""
            assert len(inbox.messages) == 1
        finally:
            inbox.release.set()
            out, err = first.communicate(timeout=60)
        assert first.returncode == 0, err
        assert out.startswith("D-0001: 48 h warning")
        third = run(db, "notify", real=True, env=conf)  # the lock is free again; nothing new to send
        assert (third.returncode, third.stdout, third.stderr) == (0, "", "")
        assert len(inbox.messages) == 1
    finally:
        inbox.release.set()
        ctl.stop()
    lock = db.with_name(db.name + ".notify.lock")
    assert lock.is_file() and not lock.is_symlink()


def test_a_planted_symlink_for_the_run_lock_is_refused_not_followed(db, conf, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    os.chmod(victim, 0o644)
    (db.with_name(db.name + ".notify.lock")).symlink_to(victim)
    r = run(db, "notify", real=True, env=conf)
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1
    assert "symbolic link" in r.stderr
    assert victim.read_text(encoding="utf-8") == "keep me" and victim.stat().st_mode & 0o777 == 0o644
