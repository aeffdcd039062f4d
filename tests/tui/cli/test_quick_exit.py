"""A command run as the `disputes` process ends without freeing what it read (``_exit_now``):
what a normal exit does that a user would notice must still happen. Each test is a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.cli import ROOT, ok, run


def _db(tmp_path, cases: int = 40):
    db = tmp_path / "d.json"
    ok(db, "demo", "--cases", str(cases))
    return db


def test_every_line_reaches_a_pipe_and_the_exit_code_is_the_commands(tmp_path):
    db = _db(tmp_path)
    inproc = run(db, "--at", "2026-12-02T09:00Z", "digest")
    real = run(db, "--at", "2026-12-02T09:00Z", "digest", real=True)
    assert real.returncode == 0, real.stderr
    assert real.stdout == inproc.stdout and len(real.stdout.splitlines()) > 40
    missing = run(db, "show", "D-9999", real=True)
    assert missing.returncode == 1 and missing.stderr.startswith("disputes: ")


def test_a_write_is_folded_into_the_database_before_the_process_ends(tmp_path):
    db = _db(tmp_path, 5)
    r = run(db, "log", "--from", "me", "D-0002", "sent the photos again", real=True)
    assert r.returncode == 0, r.stderr
    journal = db.with_name(db.name + ".journal")
    assert not journal.exists() or journal.stat().st_size == 0  # the last one out folded it
    stored = json.loads(db.read_bytes())
    texts = [m["text"] for doc in stored["cases"].values() for m in doc.get("messages", [])]
    assert "sent the photos again" in texts


def test_exit_handlers_still_run(tmp_path):
    db = _db(tmp_path, 3)
    mark = tmp_path / "ran"
    code = ("import atexit, os, sys; atexit.register(lambda: open(os.environ['MARK'], 'w').write('ran'));"
            "from tui.cli import main; sys.exit(main())")
    p = subprocess.run([sys.executable, "-c", code, "list", "--db", str(db)], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT), "MARK": str(mark)}, timeout=60)
    assert p.returncode == 0, p.stderr
    assert mark.read_text() == "ran" and "D-0001" in p.stdout


def test_output_that_cannot_be_written_is_one_line_and_a_failure(tmp_path):
    db = _db(tmp_path, 3)
    if not os.path.exists("/dev/full"):
        return
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "tui.cli", "list", "--db", str(db)], stdout=full,
                           stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                           timeout=60)
    assert p.returncode != 0
    assert p.stderr.count("\n") == 1 and p.stderr.startswith("disputes: ") and "Traceback" not in p.stderr


def test_a_thread_still_working_is_waited_for(tmp_path):
    # The thread starts its work as the command's stores close, and needs a while (a sum over a
    # million numbers): an exit that does not wait for it ends the process before it writes.
    db = _db(tmp_path, 3)
    mark = tmp_path / "ran"
    code = ("import os, sys, threading; import tui.cli as cli; ev = threading.Event();"
            "threading.Thread(target=lambda: (ev.wait(), sum(range(3_000_000)),"
            " open(os.environ['MARK'], 'w').write('done'))).start();"
            "close = cli.close_opened; cli.close_opened = lambda *a: (close(*a), ev.set());"
            "sys.exit(cli.main())")
    p = subprocess.run([sys.executable, "-c", code, "list", "--db", str(db)], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT), "MARK": str(mark)}, timeout=60)
    assert p.returncode == 0, p.stderr
    assert mark.read_text() == "done"


def test_the_collector_is_paused_for_a_command_only(tmp_path, monkeypatch):
    # Commands run without the cyclic collector (what they read is kept to the end); a caller of
    # main() in its own process (a test, a script) gets it back as it was, after a failure too.
    import gc

    import tui.cli.cases as cases_cli

    db = _db(tmp_path, 3)
    seen = []
    real_show = cases_cli.cmd_show
    monkeypatch.setattr(cases_cli, "cmd_show", lambda a, c: (seen.append(gc.isenabled()), real_show(a, c))[1])
    from tui.cli.registry import build_parser  # noqa: F401 - the parser reads cmd_show when built
    assert gc.isenabled()
    ok(db, "show", "D-0001")
    assert run(db, "show", "D-9999").returncode == 1
    assert seen == [False, False] and gc.isenabled()


def test_a_command_ending_its_process_runs_no_collection_after_its_work(tmp_path):
    # Turned back on after the command, the collector's first pass walked everything the command
    # read (at 10,000 cases 25 ms of a digest), to free nothing the process's end does not.
    db = _db(tmp_path, 40)
    mark = tmp_path / "passes"
    code = ("import atexit, gc, os, sys; import tui.cli as cli; passes = [];"
            "atexit.register(lambda: open(os.environ['MARK'], 'w').write(repr(passes)));"
            "close = cli.close_opened;"
            "cli.close_opened = lambda *a: (gc.callbacks.append("
            " lambda phase, info: phase == 'start' and passes.append(info['generation'])), close(*a));"
            "sys.exit(cli.main())")
    for argv in (["digest"], ["log", "--from", "me", "D-0002", "sent the photos again"], ["show", "D-9999"]):
        p = subprocess.run([sys.executable, "-c", code, argv[0], "--db", str(db), *argv[1:]], capture_output=True,
                           text=True, env={**os.environ, "PYTHONPATH": str(ROOT), "MARK": str(mark)}, timeout=60)
        assert p.returncode == (1 if argv[0] == "show" else 0), p.stderr
        assert mark.read_text() == "[]", argv
    assert "sent the photos again" in run(db, "show", "D-0002").stdout
