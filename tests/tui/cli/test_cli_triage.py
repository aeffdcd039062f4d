"""Issue 4's command line: deadline, digest, snooze, assign, tag, list --query/--view."""

from __future__ import annotations

import json
import pwd
import os

import pytest

from tests.support.cli import ok, run, state


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "t.json"
    ok(path, "add", "--order", "A-1", "--supplier", "Ningbo Brightway", "--reason", "damaged", "--amount", "900")
    ok(path, "add", "--order", "B-2", "--supplier", "Shenzhen Topfly", "--reason", "quality", "--amount", "40")
    ok(path, "move", "D-0002", "dispute")
    return path


def test_deadline_keeps_its_offset_and_is_hard_unless_soft(db):
    ok(db, "deadline", "D-0001", "--kind", "evidence_due", "--due", "2026-12-01T18:00+08:00")
    ok(db, "deadline", "D-0001", "--kind", "call_back", "--due", "2026-12-03T09:00-08:00", "--soft")
    c = json.loads(ok(db, "show", "D-0001", "--json"))
    mine = {d["kind"]: d for d in c["deadlines"] if d["source"] == "case"}
    assert mine["evidence_due"] == {**mine["evidence_due"], "due": "2026-12-01T18:00:00+08:00", "hard": True}
    assert mine["call_back"]["due"] == "2026-12-03T09:00:00-08:00" and mine["call_back"]["hard"] is False


def test_digest_orders_by_urgency_and_says_why(db):
    ok(db, "deadline", "D-0002", "--kind", "evidence_due", "--due", "2026-12-01T18:00+08:00")
    rows = json.loads(ok(db, "--at", "2026-12-02T00:00Z", "digest", "--json"))
    assert [r["id"] for r in rows][:1] == ["D-0002"]
    assert any("hard deadline passed" in w for w in rows[0]["why"])
    assert any("escalate" in w for w in rows[0]["why"])  # supplier silent since the dispute opened
    text = ok(db, "--at", "2026-12-02T00:00Z", "digest")
    assert text.splitlines()[0].startswith("2 cases need action")


def test_snooze_hides_from_the_digest_until_it_wakes(db):
    ok(db, "snooze", "D-0001", "--until", "2099-01-01")
    ids = [r["id"] for r in json.loads(ok(db, "digest", "--json"))]
    assert "D-0001" not in ids
    ids = [r["id"] for r in json.loads(ok(db, "--at", "2099-01-02T00:00Z", "digest", "--json"))]
    assert "D-0001" in ids
    ok(db, "snooze", "D-0001", "--wake")
    assert "D-0001" in [r["id"] for r in json.loads(ok(db, "digest", "--json"))]


def test_assign_to_a_box_user_and_mine(db):
    me = pwd.getpwuid(os.geteuid()).pw_name
    ok(db, "assign", "D-0002", me)
    assert [c["id"] for c in json.loads(ok(db, "list", "--query", "owner:me", "--json"))] == ["D-0002"]
    assert [c["id"] for c in json.loads(ok(db, "list", "--view", "Mine", "--json"))] == ["D-0002"]
    assert [r["id"] for r in json.loads(ok(db, "digest", "--mine", "--json"))] in (["D-0002"], [])


def test_tags_and_queries(db):
    ok(db, "tag", "D-0001", "urgent", "VIP")
    rows = json.loads(ok(db, "list", "-q", "tag:vip supplier:ningbo amount>500", "--json"))
    assert [c["id"] for c in rows] == ["D-0001"]
    ok(db, "tag", "D-0001", "vip", "--remove")
    assert json.loads(ok(db, "show", "D-0001", "--json"))["tags"] == ["urgent"]


@pytest.mark.parametrize("args", [
    ("deadline", "D-0001", "--kind", "evidence_due", "--due", "someday"),
    ("deadline", "D-0077", "--kind", "evidence_due", "--due", "2026-12-01"),
    ("snooze", "D-0001", "--until", "2001-01-01"),
    ("snooze", "D-0001", "--wake"),
    ("assign", "D-0001", "no-such-user-here"),
    ("tag", "D-0001", "bad tag!"),
    ("list", "--query", "stag:dispute"),
    ("list", "--view", "Nonexistent view"),
], ids=lambda a: " ".join(a))
def test_refusals_are_one_line_and_change_nothing(db, args):
    before = state(db)
    r = run(db, *args)
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert state(db) == before


def test_undo_several_steps_then_redo(db):
    ok(db, "log", "D-0001", "--from", "me", "first")
    ok(db, "move", "D-0001", "dispute")
    ok(db, "tag", "D-0001", "urgent")
    assert "undid tag" in ok(db, "undo", "D-0001")
    assert "undid move" in ok(db, "undo", "D-0001")
    c = json.loads(ok(db, "show", "D-0001", "--json"))
    assert c["stage"] == "seller" and c["tags"] == [] and [m["text"] for m in c["messages"]] == ["first"]
    assert "redid move" in ok(db, "redo", "D-0001")
    c = json.loads(ok(db, "show", "D-0001", "--json"))
    assert c["stage"] == "dispute" and c["tags"] == []
    assert "undid move" in ok(db, "undo", "D-0001")
    assert "undid message" in ok(db, "undo", "D-0001")
    assert json.loads(ok(db, "show", "D-0001", "--json"))["messages"] == []
    before = state(db)
    r = run(db, "undo", "D-0001")  # back at creation: nothing left
    assert r.returncode == 1 and "nothing to undo" in r.stderr and state(db) == before
    ok(db, "redo", "D-0001")  # the message again
    ok(db, "log", "D-0001", "--from", "me", "new branch")  # a new change ends the redo chain
    r = run(db, "redo", "D-0001")
    assert r.returncode == 1 and "nothing to redo" in r.stderr


def _lines_one_by_one(rows) -> list[str]:
    """The digest's lines as they were made before ``_lines`` (each part fitted and each line
    measured on its own): the bytes ``_lines`` must give."""
    from tui.cli.common import fit
    from tui.cli.triage import WIDTH, _cells, _why_lines
    from tui.safe import crop

    out = []
    for t in rows:
        c = t.case
        head = f"{c.id} {fit(c.supplier, 22)} {c.claim:>12,.2f} {fit(c.currency, 3)}  "
        line = (head + fit(c.title or c.order, max(WIDTH - _cells(head), 0))).rstrip()
        out.append(line if _cells(line) <= WIDTH else crop(line, WIDTH))
        out.extend(_why_lines(t.why))
    return out


def test_digest_lines_are_the_bytes_of_fitting_each_part_alone():
    """``_lines`` fits each repeated text once and adds up widths instead of measuring every
    line: the same lines, for wide, zero-width, joining and control characters, a variation
    selector at a part's start, long ids and amounts, and texts that repeat."""
    from decimal import Decimal
    from types import SimpleNamespace

    from tui.cli.triage import _lines

    texts = ["Ningbo Brightway", "杭州优品贸易有限公司深圳分公司广州办事处", "\ufe0fstarts with a selector",
             "ends with a joiner\u200d", "e\u0301\u0301 combining", "👩\u200d💻 emoji", "tab\there\x1b[31m red",
             "", "   ", "\u3000ideographic\u3000", "x" * 200, "🇨🇳" * 12, "a\u200b" * 30, "trailing \u3000"]
    ids = ["D-0001", "D-" + "9" * 60, "D-杭州"]
    amounts = [Decimal("0"), Decimal("13112.93"), Decimal("123456789012345.5"), Decimal("-1.005")]
    rows = []
    for i in range(len(texts) * 3):
        case = SimpleNamespace(id=ids[i % 3], supplier=texts[i % len(texts)], claim=amounts[i % 4],
                               currency=("USD", "€UR", "\ufe0f", "杭州")[i % 4],
                               title=texts[(i * 5) % len(texts)] if i % 4 else "",
                               order=texts[(i * 3) % len(texts)])
        why = (("waiting on me",), ("hard deadline passed: " + texts[i % len(texts)], "overdue: x" * 9))[i % 2]
        rows.append(SimpleNamespace(case=case, why=why))
    assert list(_lines(rows)) == _lines_one_by_one(rows)


def test_a_digest_after_an_edit_does_not_write_the_summary_cache_again(tmp_path, cfg):
    """The first digest writes the cache; one after a case or two changed decodes those again
    and leaves the file as it is (rewriting it whole, with an fsync, was most of a digest's
    time after an edit), saying what the database says all the same."""
    from store.summary import SAVE_AFTER, cache_file
    from tests.support.cases import seeded_store

    db = tmp_path / "d.json"
    seeded_store(db, cfg, n=SAVE_AFTER + 6).close()
    f = cache_file(db)
    if f.exists():
        f.unlink()
    first = ok(db, "digest", "--json")
    assert f.is_file()
    # The file as written: its inode (a write replaces it) and its bytes. Not its mtime: a read
    # keeps an old cache's mtime fresh (``TOUCH_DAYS``), and a moved calendar makes any file old.
    written = lambda: (f.stat().st_ino, f.read_bytes())  # noqa: E731
    before = written()
    ok(db, "edit", "D-0003", "--title", "changed since the last digest")
    again = json.loads(ok(db, "digest", "--json"))
    assert written() == before
    assert [r["id"] for r in again] == [r["id"] for r in json.loads(first)]
    assert [r["title"] for r in again if r["id"] == "D-0003"] in ([], ["changed since the last digest"])
    for n in range(SAVE_AFTER):  # many changed: written again
        ok(db, "tag", f"D-{n + 1:04d}", "many")
    ok(db, "digest", "--json")
    assert written() != before


def test_undo_reverts_only_my_own_change_unless_told_any(db):
    """Tried as two buyers on one database: I edited D-0001's title, a colleague then changed its
    supplier, and my `disputes undo D-0001` reverted the colleague's change (the board's `u`
    refuses that). Undo now reverts only a change of mine, also when going further back, and
    says whose it would be; --any reverts it whoever made it, as before."""
    from store import TinyStore, ops
    from store.config import defaults

    ok(db, "edit", "D-0001", "--title", "mine")
    bob = TinyStore(db, cfg=defaults(), user="bob")
    bob.update("D-0001", lambda c: ops.edit_fields(c, {"supplier": "Bob's pick"}))
    bob.close()
    before = state(db)
    r = run(db, "undo", "D-0001")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "bob" in r.stderr, r.stderr
    assert r.stderr.rstrip().endswith("not yours; nothing undone (--any undoes it)"), r.stderr
    assert state(db) == before
    assert "undid edit: changed supplier" in ok(db, "undo", "D-0001", "--any")
    assert "undid edit: changed title" in ok(db, "undo", "D-0001")  # mine, under it
    # further back: my undo is the newest entry, the change under it is bob's again
    bob = TinyStore(db, cfg=defaults(), user="bob")
    bob.update("D-0001", lambda c: ops.tag(c, ["bobs"], []))
    bob.close()
    ok(db, "tag", "D-0001", "mine")
    assert "undid tag" in ok(db, "undo", "D-0001")
    r = run(db, "undo", "D-0001")
    assert r.returncode == 1 and "bob" in r.stderr
    assert "bobs" in json.loads(ok(db, "show", "D-0001", "--json"))["tags"]


@pytest.mark.parametrize("bad", ["bad\ttag", "x" * 200, "a/b"])
def test_a_bad_tag_says_the_one_rule_in_one_line_wherever_it_is_typed(db, bad):
    """Seen: a 200-letter tag said "D-0002: tags tag 'xxx...': letters, digits, - _ . only, at
    most 40" (the validator's words, after the save was tried) and a tab said the same without
    the length: the CLI, Today's bulk tag and the validator each had the rule."""
    from store import ValidationError, ops
    from tui.screens.today_bulk import tag_change

    before = state(db)
    r = run(db, "tag", "D-0001", bad)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and state(db) == before
    said = r.stderr.removeprefix("disputes: ").strip()
    assert said.endswith("letters, digits, - _ . only, at most 40 characters") and "D-0001" not in said
    typed = [lambda: ops.tag_words([bad])]
    if not any(ch.isspace() for ch in bad):  # (Today's field splits words at spaces and tabs)
        typed.append(lambda: tag_change(bad))
    for attempt in typed:
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert str(exc.value) == said
