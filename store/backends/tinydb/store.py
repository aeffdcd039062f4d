"""The case store on TinyDB, over the shared-box storage in ``storage.py``.

Documents: table ``cases`` keyed by the case number (D-0042 is doc 42), table ``meta`` with
one document: schema version, the last id handed out, and who changed what last.
"""

from __future__ import annotations

import errno
import fcntl
import operator
import os
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator

from tinydb import TinyDB
from tinydb.table import Document, Table

from ...validate import case_from_dict, check_case
from ... import clock, paths, validate  # noqa: F401  validate: imported now, before any setuid
from ... import history, light  # light (msgspec): imported now too, before any setuid
from ...summary import SAVE_AFTER, Summary, paused_gc
from ...base import CaseStore, ChangeInfo, FirstLook, key_of
from ...config import Config, load as load_config
from ...errors import ConflictError, DamagedDatabase, NotFound, StoreError, ValidationError
from ...model import Case, HistoryEntry, case_id, case_number, from_iso, iso
from ...users import login_name
from .storage import JournalStorage

SCHEMA_VERSION = 1
META_ID = 1


def _now() -> datetime:
    return clock.now()


def _migrate_0_to_1(doc: dict) -> dict:
    """A plain TinyDB file (no meta): fill every field the model knows with its default."""
    return case_from_dict(doc).to_dict()


MIGRATIONS: dict[int, Callable[[dict], dict]] = {0: _migrate_0_to_1}


class TinyStore(CaseStore):
    def __init__(self, path: str | os.PathLike, *, cfg: Config | None = None, user: str | None = None,
                 clock: Callable[[], datetime] = _now, fsync: bool = True, create: bool = True) -> None:
        self.cfg = cfg or load_config()
        self.user = user or login_name()
        self.clock = clock
        self._path = Path(path).expanduser()
        self.location = str(self._path)
        if not create and not self._path.exists():
            raise NotFound(f"{self._path}: no database here")
        group = bool(self.cfg.database.get("group_shared", False))
        self.storage = JournalStorage(self._path, mode=0o660 if group else 0o600, fsync=fsync)
        self.db = TinyDB(storage=lambda: self.storage)
        # cache_size=0: another process may change the table under us; the storage is the cache.
        self.meta_table = self.db.table("meta", cache_size=0)
        # case number -> (the stored bytes it was decoded from, the Case): current while the
        # storage still holds those very bytes (it replaces them when the case changes)
        self._decoded: dict[int, tuple[bytes | None, Case]] = {}
        self._light: dict[int, tuple[bytes | None, Case]] = {}
        self._whole: tuple[bytes, _Digest] | None = None  # the snapshot last hashed whole (board_cases)
        # The last board_cases() of every case: (keys, the bytes each case was read from, cases).
        self._board: tuple[list[str], list, list[Case]] | None = None
        self._summary: Summary | None = None  # the board's summary cache, read at first use
        try:
            self.storage.sync()
            self._check_schema()
        except BaseException:
            self.storage.discard()
            raise

    @property
    def table(self) -> Table:
        """The cases as a TinyDB Table, for tools and tests (a new one each time, so no guess it
        keeps can go stale). It decodes every case: the store itself reads cases through the
        storage (``doc``/``raw``/``keys``), which decodes only the ones asked for."""
        return Table(self.storage, "cases", cache_size=0)

    def _keys(self) -> list[str]:
        return self.storage.keys("cases")

    # -- schema ---------------------------------------------------------------------------
    def _meta(self) -> dict:
        doc = self.storage.doc("meta", META_ID)
        return dict(doc) if doc else {}

    def _check_schema(self) -> None:
        meta = self._meta()
        has_cases = bool(self._keys())
        version = meta.get("schema", 0 if has_cases else None)
        if version is None:  # a new, empty database
            with self.storage.transaction():
                if not self._meta():
                    self.storage.mark("meta", META_ID)
                    self.meta_table.insert(Document({"schema": SCHEMA_VERSION, "last_id": 0}, doc_id=META_ID))
            return
        if version > SCHEMA_VERSION:
            raise DamagedDatabase(
                f"{self._path}: written by a newer Dispute Board (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade before opening it"
            )
        if version < SCHEMA_VERSION:
            self.storage.backup(f"pre-migration-v{version}", keep=int(self.cfg.database.get("backups_keep", 7)))
            with self.storage.transaction():
                data = self.storage.read()  # a migration rewrites every case: all of them decoded
                cases = data.get("cases", {})
                for v in range(version, SCHEMA_VERSION):
                    try:
                        cases = {k: MIGRATIONS[v]({"id": case_id(int(k)), **doc}) for k, doc in cases.items()}
                    except (TypeError, ValueError, KeyError, ArithmeticError) as exc:
                        raise DamagedDatabase(f"{self._path}: cannot upgrade a case from schema {v}: {exc}; "
                                              f"file left untouched") from None
                last = max((int(k) for k in cases), default=0)
                data["cases"] = cases
                data["meta"] = {str(META_ID): {**self._meta(), "schema": SCHEMA_VERSION,
                                              "last_id": max(last, self._meta().get("last_id", 0))}}
                self.storage.write(data)  # unmarked: a full snapshot, as a migration should be

    # -- reading --------------------------------------------------------------------------
    def path(self) -> Path:
        return self._path

    def refresh(self) -> set[str] | None:
        if not self.storage.sync():
            return set()
        changed = self.storage.last_changed
        if changed is None:
            self._decoded.clear()
            self._light.clear()
            self._board = None
            return None
        ids = {int(k) for t, k in changed if t == "cases"}
        if ids:
            self._board = None
        for n in ids:
            self._decoded.pop(n, None)
            self._light.pop(n, None)
        return {case_id(n) for n in ids}

    def changed_on_disk(self) -> bool:
        return self.storage.changed_on_disk()

    def _raw(self, n: int) -> dict | None:
        return self.storage.doc("cases", n)

    def get(self, cid: str) -> Case:
        n = case_number(cid)
        raw = self._raw(n)
        if raw is None:
            raise NotFound(f"no case {case_id(n)}")
        return self._decode(raw)

    def cases(self, stage: str | None = None) -> list[Case]:
        out = []
        for k in sorted(self._keys(), key=int):
            n = int(k)
            raw = self.storage.raw("cases", k)
            got = self._decoded.get(n)
            if got is None or got[0] is not raw:  # decoded from these very bytes, or again
                doc = self.storage.doc("cases", k, keep=False)  # the Case is kept, not its dict too
                if doc is None:
                    continue
                got = self._decoded[n] = (raw, self._decode(doc))
            if stage is None or got[1].stage == stage:
                out.append(got[1])
        return out

    def board_cases(self, stage: str | None = None) -> list[Case]:
        """Every case, light (``store.light``): from the summary cache (``store.summary``) when it
        was made from the case's very bytes, else decoded from them without the heavy fields,
        checked by the same validator. Kept until the case changes (``refresh``, a save here).

        Asked again with nothing changed (the board's first load, after ``tui.cli`` read them
        ahead beside its imports), the same cases come back from the last answer: checked in C,
        case by case, to be from the very bytes the storage holds now (30,000 cases: 1-2 ms
        instead of the 22 ms of walking them again)."""
        docs = self.storage.raws("cases")
        last = self._board
        if stage is None and last is not None and len(docs) == len(last[0]) \
                and all(map(operator.is_, last[1], map(docs.get, last[0]))):
            return list(last[2])
        out = []
        summary = self.summary()
        known = self._light
        # A pass over every case also hashes the snapshot whole, in a thread beside it (hashlib
        # lets go of the GIL): an entry certified for these bytes (``Summary.certify``) is read
        # without hashing its case, then kept only if the digest matches; the pass certifies them.
        blob = self.storage.snapshot_blob() if stage is None and summary.usable else None
        token = self.storage.snapshot_token() or ""
        maybe = summary.might_match(token)
        if not maybe and summary.save_from > 1:
            blob = None  # (a digest after an edit: nothing to compare with, and nothing it would save)
        whole = None
        if blob is not None:
            if self._whole is None or self._whole[0] is not blob:  # (once for each snapshot read)
                self._whole = (blob, _Digest(blob))
            whole = self._whole[1]
        unchecked: list[tuple[int, str, int]] = []  # (index in out, key, number): from trusted entries
        read = 0  # cases read now (the rest were kept from an earlier pass: certified by it already)
        keys = sorted(docs, key=int)
        with paused_gc():
            for k in keys:
                n = int(k)
                raw = docs.get(k)
                got = known.get(n)
                if got is None or got[0] is not raw:
                    if raw is None:
                        continue
                    if stage is not None and light.totals(raw, self._path, k).get("stage") != stage:
                        continue  # another stage's: not decoded (as cases(stage) skips it)
                    sc = None
                    if maybe and whole is not None and type(raw) is memoryview and raw.obj is blob:
                        sc = summary.trusted(k, raw)
                    if sc is not None:
                        unchecked.append((len(out), k, n))
                    else:
                        sc = summary.case(k, raw, self._path)
                    got = self._light[n] = (raw, sc)
                    read += 1
                if stage is None or got[1].stage == stage:
                    out.append(got[1])
            if whole is not None and read:
                snapshot = whole.result()
                if not summary.certified(snapshot):  # not these bytes: every such entry checked after all
                    for i, k, n in unchecked:
                        raw = docs[k]
                        out[i] = summary.case(k, raw, self._path)
                        self._light[n] = (raw, out[i])
                else:
                    summary.hits += len(unchecked)
                if snapshot is not None:
                    summary.certify(snapshot, token, {k for k, raw in docs.items()
                                               if type(raw) is not memoryview or raw.obj is not blob})
        if stage is None:
            summary.release()  # every case holds its own entry now (decoded, or its bytes until read)
            self._board = (keys, [docs[k] for k in keys], list(out))
        return out

    def summary(self) -> Summary:
        if self._summary is None:
            self._summary = Summary(self._path, self.cfg)
        return self._summary

    def save_summary(self, soon: bool = True) -> None:
        """Write the summary cache when it has enough news (``soon``), or any (at close). Never
        raises: the cache is housekeeping, and the database never depends on it."""
        s = self._summary
        if s is not None and s.fresh + s.cert_new and (not soon or s.fresh >= SAVE_AFTER):
            s.save(set(self._keys()))

    def _decode(self, doc: dict) -> Case:
        """A stored case, every field checked: one that is wrong inside is a damaged database."""
        try:
            return case_from_dict(doc)
        except ValidationError as exc:
            raise DamagedDatabase(f"{self._path}: a stored case is wrong inside: {exc}; file left untouched") from None

    def count(self) -> int:
        return len(self._keys())

    def last_change(self) -> ChangeInfo:
        m = self._meta()
        return ChangeInfo(from_iso(m.get("changed_at")), m.get("changed_by", ""), m.get("changed_case", ""))

    # -- writing --------------------------------------------------------------------------
    def _write_doc(self, table: str, n: int, doc: dict) -> None:
        """One document into the storage (inside a transaction): no table rebuild, one journal op.
        The meta Table is built with cache_size=0 and is never inserted into after the first
        document, so a write that bypasses it leaves nothing of it stale."""
        self.storage.put(table, n, doc)
        if table == "cases":
            self._decoded.pop(n, None)
            self._light.pop(n, None)
            self._board = None

    def _set_meta(self, **fields) -> None:
        self._write_doc("meta", META_ID, {**self._meta(), **fields})

    def _stamp(self, cid: str, now: datetime) -> None:
        self._set_meta(changed_at=iso(now), changed_by=self.user, changed_case=cid)

    def _after_write(self, now: datetime) -> None:
        """The save is durable: a daily backup that fails is one warning, recorded, retried next save."""
        day = f"{now:%Y%m%d}"
        try:
            if self.storage.has_backup_since("daily", day):
                return
            keep = self.cfg.database.get("backups_keep", 7)
            self.storage.backup("daily", keep=keep if type(keep) is int else 7, now=now)
        except (OSError, StoreError) as exc:
            self.storage._housekeeping_failed("the daily backup", exc)
            self.storage.record_problem(f"{now:%Y-%m-%d}: {self.storage.problem}")
            return
        self.storage.problem = None
        self.storage.record_problem(None)

    def housekeeping_problem(self) -> str | None:
        """A backup or compaction that failed (here, or recorded by another process), or None."""
        return self.storage.problem or self.storage.recorded_problem()

    def create(self, case: Case) -> Case:
        """Store a new case. Its id is allocated here, under the lock."""
        now = self.clock()
        case.created_at = case.created_at or now
        case.created_by = self.user
        with self.storage.transaction():
            meta = self._meta()
            raw = set(self._keys())
            n = max(meta.get("last_id", 0), max((int(k) for k in raw), default=0)) + 1
            case.id = case_id(n)
            check_case(case, now=now)
            case.rev = 1
            case.history = [HistoryEntry(now, self.user, "create", f"{case.supplier}: {case.title or case.order}")]
            if str(n) in raw:  # as TinyDB's insert would: never over an existing document
                raise StoreError(f"internal: {case.id} is already stored")
            self._write_doc("cases", n, case.to_dict())
            self._set_meta(last_id=n)
            self._stamp(case.id, now)
        self._after_write(now)
        return case

    def update(self, cid: str, change: Callable[[Case], tuple[str, str]], *,
               expected_rev: int | None = None, fields: Iterable[str] = ()) -> Case:
        """``fields``: the fields ``change`` writes (``ops.EDITABLE`` names or attributes); a
        refusal for a stale ``expected_rev`` says which of them the colleague changed too."""
        now = self.clock()
        n = case_number(cid)
        with self.storage.transaction():
            raw = self._raw(n)
            if raw is None:
                raise NotFound(f"no case {case_id(n)}")
            if expected_rev is not None and raw.get("rev") != expected_rev:
                raise self._conflict(raw, expected_rev, fields)
            case = self._decode(raw)
            # (action, detail), or (action, detail, ref) from undo/redo: the entry they revert
            action, detail, *ref = change(case)
            # every field checked, as check_case does, but the records still as stored (the
            # head of the messages, the history...) not again: _decode checked them just now
            new = validate.check_changed(case, raw, now=now)
            undo = history.diff(raw, new)
            if not undo:
                raise ValidationError(f"nothing changed in {case.id}")
            case.rev = new["rev"] = raw.get("rev", 0) + 1
            entry = HistoryEntry(now, self.user, action, detail, undo, ref[0] if ref else None)
            case.history.append(entry)
            new["history"].append(entry.to_dict())  # what a second to_dict would write, for one entry
            # as TinyDB's Table.update did: the new fields over the stored ones (a field this
            # version does not know is kept), but one document written, not the table rebuilt
            self._write_doc("cases", n, {**raw, **new})
            self._stamp(case.id, now)
        self._after_write(now)
        return case

    def _conflict(self, raw: dict, expected_rev: int, fields: Iterable[str] = ()) -> ConflictError:
        return history.conflict(raw, expected_rev, fields)

    def _revert(self, cid: str, which: str, expected_rev: int | None, by: str | None) -> Case:
        return self.update(cid, history.reverter(which, by), expected_rev=expected_rev)

    def undo(self, cid: str, *, expected_rev: int | None = None, by: str | None = None) -> Case:
        """Revert the case's last effective change; again and again, back to its creation
        (with ``by``: only that user's changes, ``history.reverter``)."""
        return self._revert(cid, "undo", expected_rev, by)

    def redo(self, cid: str, *, expected_rev: int | None = None, by: str | None = None) -> Case:
        """Re-apply what the last undo reverted (until a new change is made)."""
        return self._revert(cid, "redo", expected_rev, by)

    def import_cases(self, cases: Iterable[Case]) -> int:
        incoming = list(cases)
        seen = history.check_import(incoming, self.clock())
        if not incoming:
            return 0
        self.storage.sync()
        # refused before the pre-import backup: a refusal leaves nothing behind
        history.refuse_taken(seen, {int(k) for k in self._keys()})
        self.storage.backup("pre-import", keep=int(self.cfg.database.get("backups_keep", 7)))
        now = self.clock()
        with self.storage.transaction():
            history.refuse_taken(seen, {int(k) for k in self._keys()})  # again, under the lock
            docs = []
            for c in incoming:
                n = case_number(c.id)
                c.id = case_id(n)
                c.rev = max(c.rev, 1)
                c.history.append(HistoryEntry(now, self.user, "import", ""))
                docs.append((n, c.to_dict()))  # a light case refuses here, before anything is written
            for n, doc in docs:
                self._write_doc("cases", n, doc)  # one document each: no table rebuilt
            meta = self._meta()
            self._set_meta(last_id=max([meta.get("last_id", 0), *seen]))
            self._stamp(f"{len(incoming)} cases", now)
        self._after_write(now)
        return len(incoming)

    def close(self) -> None:
        try:
            self.save_summary(soon=False)
        finally:
            self.storage.close()

    def last_id(self) -> int:
        raw = self._keys()
        return max(self._meta().get("last_id", 0), max((int(k) for k in raw), default=0))

    @contextmanager
    def exclusive_run(self, name: str) -> Iterator[bool]:
        """A non-blocking flock on ``paths.run_lock_file`` beside the database, opened as the
        database's own lock is (O_NOFOLLOW, a regular file only, mode and owner set only when
        created just now); then the latest changes are read, so a run that just finished is seen."""
        where = paths.run_lock_file(self._path, name)
        try:
            fd = self.storage._open_new(where, os.O_RDWR)
        except PermissionError:
            raise StoreError(f"{where}: cannot open the run lock (permission denied)") from None
        except OSError as exc:
            raise StoreError(f"{where}: cannot open the run lock: {exc.strerror or exc}") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    yield False
                    return
                raise StoreError(f"{where}: cannot lock: {exc.strerror or exc}") from None
            self.refresh()
            yield True
        finally:
            os.close(fd)  # releases the flock

    def order_keys(self) -> list[tuple[str, str, str, str]]:
        """From the stored bytes (in memory already): four fields each, no Case decoding."""
        keys = sorted(self._keys(), key=int)
        return [key_of({**light.fields(self.storage.raw("cases", k) or b"{}", self._path, k), "id": case_id(int(k))})
                for k in keys]

    def board_cases_quick(self, threshold: int = 2000) -> bool:
        n = len(self._keys())  # in memory already: no file access
        return n < threshold or self.summary().covers(n)

    def first_look(self, per_stage: int, threshold: int) -> FirstLook | None:
        keys = self._keys()  # in memory already: no file access
        if self.board_cases_quick(threshold):
            return None  # few cases, or the summary cache has them: every case is quick
        def part(k: str):
            raw = self.storage.raw("cases", k) or b"{}"
            return light.totals(raw, self._path, k), lambda: self.storage.doc("cases", k, keep=False) or {}

        return FirstLook.of_parts((part(k) for k in sorted(keys, key=int)), per_stage)


class _Digest:
    """The sha256 of ``blob``, made in a thread of its own (None if it could not be made)."""

    def __init__(self, blob: bytes) -> None:
        self._blob, self._got = blob, None
        self._thread = threading.Thread(target=self._run, name="snapshot-digest", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import hashlib  # (loaded with the summary already)

        try:
            self._got = hashlib.sha256(self._blob).digest()
        except Exception:  # noqa: BLE001 - (memory): no certificate, every case checked as before
            self._got = None

    def result(self) -> bytes | None:
        self._thread.join()
        return self._got


def open_store(db: str | os.PathLike | None = None, **kw) -> TinyStore:
    cfg = kw.pop("cfg", None) or load_config()
    path = paths.database(db, cfg.database.get("path") or None)
    return TinyStore(path, cfg=cfg, **kw)


__all__ = ["TinyStore", "open_store", "login_name", "SCHEMA_VERSION", "StoreError"]
