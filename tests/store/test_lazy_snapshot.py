"""The snapshot holds one document per line and is read without parsing the documents; each is
decoded when asked for (issue 11). Still one ordinary TinyDB JSON document: TinyDB's own
JSONStorage reads it, and a file not in that layout (plain TinyDB, hand-made) still opens."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tinydb import TinyDB
from tinydb.storages import JSONStorage

from store import DamagedDatabase, TinyStore, ops
from store.sample import sample_cases
from tests.support import NOW, ROOT



def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def folded(db_path, cfg) -> Path:
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases(sample_cases(6, NOW, messages=2, evidence=1))
    s.close()  # the last one out folds the journal in
    return db_path


def test_a_fold_writes_one_document_per_line_and_tinydb_reads_it(folded):
    lines = folded.read_bytes().split(b"\n")
    assert lines[0].startswith(b'{"_storage":{"1":{') and b'"layout":"lines"' in lines[0]
    at = lines.index(b'"cases":{')
    assert all(lines[at + i].startswith(b'"%d":{' % i) for i in range(1, 7)) and lines[at + 7] in (b"},", b"}}")
    with TinyDB(folded, storage=JSONStorage, access_mode="r") as db:
        assert len(db.table("cases")) == 6
        assert db.table("cases").get(doc_id=4)["id"] == "D-0004"
    assert json.loads(folded.read_text())["cases"]["6"]["id"] == "D-0006"


def test_only_the_asked_case_is_decoded(folded, cfg):
    s = TinyStore(folded, cfg=cfg, user="tester", clock=lambda: NOW)
    assert s.storage._dec.get("cases", {}) == {}
    assert s.get("D-0003").id == "D-0003" and s.count() == 6
    assert list(s.storage._dec["cases"]) == ["3"]
    s.close()


def test_a_damaged_case_line_is_one_clear_error_and_the_file_is_untouched(folded, cfg):
    blob = folded.read_bytes()
    start = blob.index(b'\n"4":{') + 1
    pos = blob.index(b'"supplier":', start)
    folded.write_bytes(blob[:pos] + b'"supplier"::' + blob[pos + len(b'"supplier":'):])  # framing intact
    before = digest(folded)
    s = TinyStore(folded, cfg=cfg, user="tester", clock=lambda: NOW)  # opens: D-0004 not asked for yet
    assert s.get("D-0002").id == "D-0002"
    with pytest.raises(DamagedDatabase, match=r"document 4 of table cases is not valid JSON.*file left untouched"):
        s.get("D-0004")
    with pytest.raises(DamagedDatabase, match="case 4"):
        s.board_cases()
    s.close()
    assert digest(folded) == before
    r = subprocess.run([sys.executable, "-m", "tui.cli", "show", "D-0004", "--db", str(folded)], capture_output=True,
                       text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "TZ": "UTC",
                                                 "DISPUTES_NOW": NOW.isoformat(), "HOME": str(folded.parent)})
    assert r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "document 4 of table cases" in r.stderr
    assert digest(folded) == before


def test_broken_framing_falls_back_to_a_full_parse_that_says_what_is_wrong(folded, cfg):
    blob = folded.read_bytes()
    cut = blob[: blob.index(b'\n"5":{') + 20]  # a copy cut short
    folded.write_bytes(cut)
    with pytest.raises(DamagedDatabase, match="not valid JSON"):
        TinyStore(folded, cfg=cfg, user="tester", clock=lambda: NOW)
    assert folded.read_bytes() == cut


def test_a_plain_tinydb_file_opens_and_the_next_fold_writes_lines(db_path, cfg, tmp_path):
    src = TinyStore(tmp_path / "src.json", cfg=cfg, user="tester", clock=lambda: NOW)
    src.import_cases(sample_cases(4, NOW, messages=1, evidence=0))
    docs = {k: src.storage.doc("cases", k) for k in src.storage.keys("cases")}
    src.close()
    with TinyDB(db_path, storage=JSONStorage, indent=2) as db:  # pretty-printed, no identity, no meta
        for k, d in docs.items():
            db.table("cases").insert({kk: v for kk, v in d.items() if kk != "id"})
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    assert [c.id for c in s.cases()] == ["D-0001", "D-0002", "D-0003", "D-0004"]
    assert [c.id for c in s.board_cases()] == ["D-0001", "D-0002", "D-0003", "D-0004"]
    s.update("D-0002", lambda c: ops.tag(c, ["x"], []))
    s.close()
    assert b'"layout":"lines"' in db_path.read_bytes().split(b"\n")[0]
    again = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    assert again.get("D-0002").tags[-1] == "x" and again.count() == 4
    again.close()


def test_a_backup_copies_the_stored_bytes(folded, cfg):
    s = TinyStore(folded, cfg=cfg, user="tester", clock=lambda: NOW)
    b = s.storage.backup("manual", now=NOW)
    case_lines = [ln for ln in folded.read_bytes().split(b"\n") if ln.startswith(b'"') and b'"id":"D-' in ln]
    assert case_lines and all(ln in b.read_bytes() for ln in case_lines)
    s.close()


def _tables(blob: bytes) -> dict:
    """The file's tables as TinyDB's own parse of it gives them (the identity table left out)."""
    return {t: d for t, d in json.loads(blob).items() if t != "_storage"}


def test_the_line_reader_never_gives_other_documents_than_a_full_parse(folded):
    """Any byte of the file changed, dropped or doubled: the line reader either gives up (the
    file is then parsed whole) or hands out exactly the documents a full parse finds (a document
    damaged inside is refused when it is read: ``decode_doc``)."""
    from store.backends.tinydb.storage import split_snapshot

    blob = folded.read_bytes()
    got = split_snapshot(blob, "x")
    assert got is not None
    assert {t: {k: json.loads(bytes(v)) for k, v in d.items()} for t, d in got[0].items()} == _tables(blob)
    rng = __import__("random").Random(11)
    spots = [blob.index(b"\n", i) for i in range(0, len(blob) - 1, 97) if b"\n" in blob[i:]]
    spots += [rng.randrange(len(blob)) for _ in range(300)]
    handed = 0
    for at in spots:
        for changed in (blob[:at] + blob[at + 1:], blob[:at + 1] + blob[at:at + 1] + blob[at + 1:],
                        blob[:at] + bytes([rng.choice(b'"\\,{}:\n0a')]) + blob[at + 1:]):
            split = split_snapshot(changed, "x")
            if split is None:
                continue
            try:
                whole = _tables(changed)
            except ValueError:
                whole = None
            docs = {}
            for t, d in split[0].items():
                for k, v in d.items():
                    try:
                        docs.setdefault(t, {})[k] = json.loads(bytes(v))
                    except ValueError:
                        docs.setdefault(t, {})[k] = None  # refused when read
            if whole is not None:
                assert all(docs[t][k] is None or docs[t][k] == whole.get(t, {}).get(k) for t in docs for k in docs[t])
                assert {t: set(d) for t, d in docs.items()} == {t: set(d) for t, d in whole.items()}
                handed += 1
    assert handed > 50  # (the changes inside documents' text: read by both alike)
