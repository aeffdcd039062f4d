"""The command line for cron and scripts (issue 9): a mistyped database is an error, the digest is
quiet when there is nothing to do, fits 80 columns, and demo never mixes with real cases."""

from __future__ import annotations

import json

import pytest
from rich.cells import cell_len

from tests.support.cli import ok, run, state

AT = "2026-12-20T00:00Z"  # late enough that the cases below have deadlines passed


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "c.json"
    ok(path, "add", "--order", "A-1", "--supplier", "宁波明光照明电器有限公司 Ningbo Brightway 🔦",
       "--reason", "damaged", "--amount", "1234567.89", "--received", "2026-11-01",
       "--title", "裂开的外壳 cracked LED panel housings on arrival, twelve of forty 📦📦")
    ok(path, "add", "--order", "B-2", "--supplier", "Shenzhen Topfly", "--reason", "quality", "--amount", "40")
    ok(path, "move", "D-0002", "dispute")
    ok(path, "deadline", "D-0002", "--kind", "evidence_due", "--due", "2026-12-01T18:00+08:00",
       "--note", "upload photos")
    ok(path, "add", "--order", "C-3", "--supplier", "Yiwu Crafts", "--reason", "not_received", "--amount", "75")
    return path


# -- a database named but not there --------------------------------------------------------------
@pytest.mark.parametrize("args", [("digest",), ("digest", "--json"), ("list",), ("show", "D-0001"),
                                  ("export",), ("edit", "D-0001", "--title", "x"), ("stats",),
                                  ("undo", "D-0001")])
def test_a_mistyped_db_is_one_line_naming_the_path(tmp_path, args):
    missing = tmp_path / "mistyped" / "path.json"
    r = run(missing, *args)
    assert r.returncode == 1, (args, r.stdout)
    assert r.stderr == f"disputes: {missing}: no database there (named by --db); nothing read\n"
    assert r.stdout == "" and not missing.exists() and not missing.parent.exists()


def test_a_mistyped_disputes_db_in_the_environment_too(tmp_path, monkeypatch):
    missing = tmp_path / "nope.json"
    monkeypatch.setenv("DISPUTES_DB", str(missing))
    from tui.cli import main

    assert main(["digest"]) == 1
    r = run(missing, "digest", real=True, env={"DISPUTES_DB": str(missing)})
    assert r.returncode == 1 and str(missing) in r.stderr and r.stdout == ""


def test_commands_that_create_a_database_still_do(tmp_path):
    made = tmp_path / "new.json"
    ok(made, "add", "--order", "O-1", "--supplier", "S", "--reason", "damaged", "--amount", "5")
    assert made.exists()
    exported = tmp_path / "x.json"
    ok(made, "export", "--output", str(exported))
    fresh = tmp_path / "fresh.json"
    assert ok(fresh, "import", str(exported)).startswith("imported 1 case")
    demo = tmp_path / "demo.json"
    assert ok(demo, "demo", "--cases", "3").startswith("added 3 sample cases")


def test_the_default_database_not_yet_created_is_still_empty_not_an_error(tmp_path):
    from tui.cli import main  # no --db, no $DISPUTES_DB: the XDG default, not created yet

    assert main(["digest"]) == 0


# -- digest for cron -------------------------------------------------------------------------------
def test_quiet_prints_nothing_when_nothing_needs_action(tmp_path, db):
    empty = tmp_path / "empty.json"
    ok(empty, "demo", "--cases", "1")
    calm = tmp_path / "calm.json"
    ok(calm, "add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "5")
    ok(calm, "snooze", "D-0001", "--until", "2027-06-01T00:00Z")
    r = run(calm, "--at", AT, "digest", "--quiet", real=True)
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    assert ok(calm, "--at", AT, "digest", "--quiet", "--json") == ""
    assert ok(calm, "--at", AT, "digest") == "nothing needs you today\n"  # without --quiet it says so
    assert ok(db, "--at", AT, "digest", "--quiet").startswith("3 cases need action")


def test_limit_keeps_the_most_urgent_and_says_how_many_more(db):
    full = json.loads(ok(db, "--at", AT, "digest", "--json"))
    top = json.loads(ok(db, "--at", AT, "digest", "--json", "--limit", "1"))
    assert len(full) == 3 and top == full[:1]
    text = ok(db, "--at", AT, "digest", "--limit", "2")
    lines = text.splitlines()
    assert lines[0].startswith("3 cases need action") and "the 2 most urgent" in lines[0]
    assert lines[-1] == "... and 1 more (disputes digest without --limit)"
    assert sum(1 for line in lines if line.startswith("D-")) == 2
    for bad in ("0", "-1"):
        before = state(db)
        r = run(db, "digest", "--limit", bad)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and state(db) == before


def test_every_digest_line_fits_80_columns(db):
    # long configured reasons too: a deadline kind and three reasons on one case
    ok(db, "deadline", "D-0001", "--kind", "evidence_due_as_set_by_the_platform_team_in_the_case_page",
       "--due", "2026-12-19T00:00Z")
    text = ok(db, "--at", AT, "digest")
    widths = [cell_len(line) for line in text.splitlines()]
    assert max(widths) <= 80, [line for line in text.splitlines() if cell_len(line) > 80]
    assert "D-0001" in text and "宁波" in text  # cut to fit, not dropped
    assert "hard deadline passed" in text


def test_json_next_deadline_is_the_one_the_first_reason_names(db):
    rows = json.loads(ok(db, "--at", AT, "digest", "--json"))
    for row in rows:
        first = row["why"][0]
        nd = row["next_deadline"]
        if first.startswith("hard deadline"):
            assert nd is not None and nd["hard"] and nd["label"] in first, row
    d2 = next(r for r in rows if r["id"] == "D-0002")
    assert d2["why"][0].startswith("hard deadline passed")
    assert d2["next_deadline"]["label"] in d2["why"][0]


# -- demo ------------------------------------------------------------------------------------------
def test_demo_refuses_a_database_that_holds_cases(db):
    before = state(db)
    r = run(db, "demo", "--cases", "5")
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert "already holds 3 cases" in r.stderr
    assert state(db) == before
    assert not db.with_name(db.name + ".demo-evidence").exists()
    assert len(json.loads(ok(db, "list", "--json"))) == 3


def test_the_board_still_creates_a_named_database(tmp_path):
    """The board opens its database through open_db(create=True): a new --db path is made."""
    import argparse

    from store.config import defaults
    from tui.cli.common import open_db

    path = tmp_path / "team" / "new.json"
    path.parent.mkdir()
    store = open_db(argparse.Namespace(db=str(path)), defaults(), create=True)
    try:
        assert path.exists() and store.count() == 0
    finally:
        store.close()
