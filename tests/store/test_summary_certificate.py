"""The summary cache's certificate (``Summary.certify``, issue 11): an open of a snapshot whose
bytes hash to what the cache was certified against reads its entries without hashing each case;
anything else (a byte changed in the file, a case in the journal, a journal gone) is checked
against the case's bytes, so the board still shows only what the database says."""

from __future__ import annotations

import os
import subprocess
import sys

from store import TinyStore
from store.summary import cache_file
from tests.store.test_summary_cache import _open, _same, _warm


def _counted(store: TinyStore) -> list:
    """Count the cases whose bytes the summary hashes (its per-case check)."""
    summary = store.summary()
    seen: list = []
    real = summary._sha1

    def sha1(raw):
        seen.append(bytes(raw))
        return real(raw)

    summary._sha1 = sha1
    return seen


def _certified(db, cfg) -> None:
    """A cache certified for the database file as it is now (and the journal empty)."""
    _warm(db, cfg)  # made from the cases (a first open), then folded at close: a new snapshot
    s = _open(db, cfg)
    try:
        s.board_cases()  # every case checked against its bytes, and the snapshot hashed whole
        assert s.summary().cert
    finally:
        s.close()  # writes the certificate


def _li_changes(db, title: str) -> None:
    code = ("import sys; from store import TinyStore, ops; from store.config import defaults;"
            "s = TinyStore(sys.argv[1], cfg=defaults(), user='li');"
            "s.update('D-0004', lambda c: ops.edit_fields(c, {'title': sys.argv[2]}));"
            "s.close()")
    subprocess.run([sys.executable, "-c", code, str(db), title], check=True,
                   env=os.environ | {"PYTHONPATH": os.getcwd()})


def test_an_open_of_the_certified_snapshot_hashes_no_case_and_shows_what_it_says(db_path, cfg):
    _certified(db_path, cfg)
    s = _open(db_path, cfg)
    try:
        hashed = _counted(s)
        cases = s.board_cases()
        assert hashed == [] and s.summary().hits == 30
        _same(s, cases)
    finally:
        s.close()
    assert cache_file(db_path).is_file()


def test_a_byte_changed_in_the_database_file_is_read_from_the_file(db_path, cfg):
    """Someone edits disputes.json by hand (same layout, same identity): the file no longer
    hashes to the certificate, so every case is checked and the edited one read from its bytes."""
    _certified(db_path, cfg)
    before = TinyStore(db_path, cfg=cfg)
    title = before.get("D-0005").title
    before.close()
    blob = db_path.read_bytes()
    old = f'"title":"{title}"'.encode()
    assert blob.count(old) == 1
    new = b'"title":"' + bytes([old[9] ^ 0x20]) + old[10:]  # one letter's case, the same length
    db_path.write_bytes(blob.replace(old, new))
    s = _open(db_path, cfg)
    try:
        hashed = _counted(s)
        cases = {c.id: c for c in s.board_cases()}
        assert cases["D-0005"].title == new[9:-1].decode() != title
        assert len(hashed) == 30 and s.summary().hits == 29
        _same(s, list(cases.values()))
    finally:
        s.close()


def test_a_cache_unopened_for_weeks_keeps_its_certificate_through_the_open_that_touches_it(db_path, cfg):
    """An open sets an old cache's time again (so it is not pruned); the save at close then read
    the file again, found its time changed, took that for another process's write and dropped
    the certificate: the next open hashed every case again. (Seen with the calendar 40 days on.)"""
    _warm(db_path, cfg)  # a cache made, and the journal folded since (a snapshot to certify)
    weeks_ago = os.stat(cache_file(db_path)).st_mtime - 21 * 86400
    os.utime(cache_file(db_path), (weeks_ago, weeks_ago))
    s = _open(db_path, cfg)
    try:
        s.board_cases()
        assert s.summary().cert and os.stat(cache_file(db_path)).st_mtime > weeks_ago  # touched: kept
    finally:
        s.close()  # writes the certificate
    s = _open(db_path, cfg)
    try:
        hashed = _counted(s)
        s.board_cases()
        assert hashed == [] and s.summary().hits == 30
    finally:
        s.close()


def test_a_case_in_the_journal_is_checked_against_its_bytes(db_path, cfg):
    _certified(db_path, cfg)
    holder = _open(db_path, cfg)  # a board left open: Li's save stays in the journal
    try:
        holder.board_cases()
        _li_changes(db_path, "Changed by Li")
        s = _open(db_path, cfg)
        try:
            hashed = _counted(s)
            cases = {c.id: c for c in s.board_cases()}
            assert cases["D-0004"].title == "Changed by Li"
            assert len(hashed) == 1 and s.summary().stale == {"4"}  # D-0004 only: the rest as certified
            _same(s, list(cases.values()))
        finally:
            s.close()  # writes D-0004's new entry, as not certified
    finally:
        holder.storage.discard()  # without folding: the journal stays


def test_an_entry_made_from_the_journal_is_not_trusted_once_the_journal_is_gone(db_path, cfg):
    """The entry for Li's change is cached; then the journal is deleted (by hand, by a colleague):
    the database is the snapshot again, with its old title. The snapshot still hashes to the
    certificate, but that entry was not made from it: the case is read from the snapshot."""
    _certified(db_path, cfg)
    before = TinyStore(db_path, cfg=cfg)
    title = before.get("D-0004").title
    before.close()
    holder = _open(db_path, cfg)
    try:
        holder.board_cases()
        _li_changes(db_path, "Changed by Li")
        s = _open(db_path, cfg)
        try:
            s.board_cases()
        finally:
            s.close()  # the cache now holds D-0004 as Li left it
    finally:
        holder.storage.discard()
    os.unlink(str(db_path) + ".journal")
    s = _open(db_path, cfg)
    try:
        hashed = _counted(s)
        cases = {c.id: c for c in s.board_cases()}
        assert cases["D-0004"].title == title != "Changed by Li"
        assert len(hashed) == 1
        _same(s, list(cases.values()))
    finally:
        s.close()


def test_after_a_fold_a_digest_hashes_nothing_and_a_board_certifies_the_new_file(db_path, cfg):
    """A fold writes a snapshot with a new identity token: no certificate can match it. The
    digest (``defer_few``: it would not write the cache) does not hash the file for nothing; a
    board's pass hashes it beside the reading and certifies it for the next open."""
    _certified(db_path, cfg)
    _li_changes(db_path, "Changed by Li")  # Li's process is the last out: the journal folded in
    s = _open(db_path, cfg)
    try:
        s.summary().defer_few()
        assert not s.summary().might_match(s.storage.snapshot_token())
        cases = {c.id: c for c in s.board_cases()}
        assert s._whole is None and cases["D-0004"].title == "Changed by Li"
    finally:
        s.close()
    s = _open(db_path, cfg)
    try:
        s.board_cases()
        assert s._whole is not None and s.summary().cert_snap == s.storage.snapshot_token()
    finally:
        s.close()
    s = _open(db_path, cfg)
    try:
        hashed = _counted(s)
        s.board_cases()
        assert hashed == [] and s.summary().hits == 30
    finally:
        s.close()
