"""A TinyDB storage that a team can share on one box.

(Over 500 lines on purpose: the file format, its identity, the locks, the fold, backups and the
sweeping of debris are one crash-safety argument, and each part relies on the others' invariants;
split, the invariants would be spread over files that cannot be read alone.)

TinyDB's own JSONStorage rewrites the whole file in place with no lock and re-parses it on
every query. This one keeps the database as a snapshot and a journal, as SQLite keeps a main
file and a WAL:

- ``disputes.json``: a snapshot, an ordinary TinyDB JSON document ({table: {id: doc}}),
  only ever replaced atomically (temp file, fsync, rename, fsync of the folder). Its table
  ``_storage`` (one document) is its identity: ``db`` (random, fixed for the life of the
  database), ``gen`` (counts snapshots) and ``snap`` (random, new for every snapshot and every
  backup). TinyDB's JSONStorage sees it as one more table; this storage keeps it out of the
  data it hands TinyDB.
- ``disputes.json.journal``: an append-only log of transactions since that snapshot, one
  line each: ``<crc32> <json>``; a line holds whole documents, so replaying it twice is
  harmless, and names the snapshot it extends (``at: [db, gen, snap]``). A journal whose
  lines name another snapshot is never applied: another database's (``db`` differs) or a
  snapshot it does not extend (an older snapshot, a backup copied over the file) is refused;
  one that names an older generation of this database was already folded in by a compaction
  killed before it emptied the journal: ignored, and emptied by the next writer.

A process killed at any instant leaves either the old or the new state: a torn last line
(no newline) is ignored by readers and cut off by the next writer; a snapshot is replaced
only whole. Writers hold an exclusive ``flock`` on ``disputes.json.lock`` around the whole
read-modify-write; readers take it shared while they load, so they never see a snapshot and
a journal from two different generations. Another process's write is noticed with two
``lstat`` calls; only the new journal lines are parsed. When the journal grows past half the
snapshot (at least 4 MiB) it is folded into a new snapshot.

Every process that has the database open holds a shared ``flock`` on ``disputes.json.inuse``.
At close, a process that can take it exclusively (without waiting) is the last one: it folds
the journal into the snapshot, so with nothing running the snapshot alone is the whole
database (``cp disputes.json`` is a backup; TinyDB's JSONStorage sees every case).

Nothing in the folder is followed: every file is opened with ``O_NOFOLLOW`` and must be a
regular file; files this storage creates are created with ``O_EXCL`` (temps under random
names), and only a file it has just created is given the database's mode and owner.

The cost of a save is one appended line and one fsync: it does not grow with the database.
"""

from __future__ import annotations

import atexit
import errno
import fcntl
import os
import re
import stat
import sys
import time
import weakref
import zlib
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import orjson
from tinydb.storages import Storage

from ... import clock, paths
from ...errors import DamagedDatabase, LockTimeout, StoreError
from ...files import token

Sig = tuple[int, int, int]  # (inode, size, mtime_ns)
IDENT = "_storage"  # the snapshot's identity table
STALE_TEMP_SECONDS = 60.0  # an unlocked temp this old is a killed writer's


def _sig(path: Path) -> Sig | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, blob: bytes, fsync: bool) -> None:
    """Write every byte (os.write may write fewer), then fsync if asked."""
    view = memoryview(blob)
    while view:
        view = view[os.write(fd, view):]
    if fsync:
        os.fsync(fd)


_IOV = 1024  # buffers per writev (Linux's IOV_MAX)


def _write_parts(fd: int, parts: Iterator[bytes], fsync: bool) -> None:
    """Write a snapshot straight from the stored bytes, _IOV pieces a writev: nothing copied (a
    4 MiB buffer filled and copied again cost ~55 ms vs ~18 ms for a 40 MB fold)."""
    batch: list = []
    for part in parts:
        batch.append(part)
        if len(batch) >= _IOV:
            _writev_all(fd, batch)
            batch = []
    _writev_all(fd, batch)
    if fsync:
        os.fsync(fd)


def _writev_all(fd: int, batch: list) -> None:
    """Every byte of ``batch`` (writev may write fewer: go on from where it stopped)."""
    i = 0
    while i < len(batch):
        n = os.writev(fd, batch[i:])
        while i < len(batch) and n >= len(batch[i]):
            n -= len(batch[i])
            i += 1
        if n:
            batch[i] = memoryview(batch[i])[n:]


def _fsig(fd: int) -> Sig:
    st = os.fstat(fd)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _refuse_os(path: Path | str, exc: OSError, what: str = "open") -> DamagedDatabase:
    """One line for a file in the database folder that cannot be used."""
    if exc.errno == errno.ELOOP:
        why = "is a symbolic link (or a loop of them); refusing to follow it"
    elif exc.errno == errno.EISDIR:
        why = "is a folder, not a file"
    elif exc.errno == errno.ENOTDIR:
        why = "a part of its path is not a folder"
    else:
        why = f"cannot {what}: {exc.strerror or exc}"
    return DamagedDatabase(f"{path}: {why}")


def open_regular(path: Path | str, flags: int = os.O_RDONLY, *, dir_fd: int | None = None,
                 shown: Path | str | None = None) -> int:
    """Open an existing file without following a symlink; refuse anything but a regular file."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        raise _refuse_os(shown or path, exc) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise DamagedDatabase(f"{shown or path}: is not a regular file; refusing to use it")
    return fd


def read_file(path: Path | str) -> tuple[bytes, Sig]:
    fd = open_regular(path)
    try:
        sig = _fsig(fd)
        # The size it has now in one read (one allocation; join hands a lone chunk back uncopied):
        # 4 MiB reads then a join copied a 40 MB file twice, ~30 ms of every command at 10k.
        # Then on to the end, in case it grew or a read came back short.
        chunks = []
        want = max(sig[1] + 1, 1 << 16)
        while True:
            b = os.read(fd, want)
            if not b:
                break
            chunks.append(b)
            want = 1 << 22
        return b"".join(chunks), sig
    finally:
        os.close(fd)


def encode_line(ops: list, at: list | None = None) -> bytes:
    body = orjson.dumps({"at": at, "ops": ops} if at is not None else {"ops": ops})
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def decode_lines(blob: bytes, name: str, start: int = 0) -> tuple[list[tuple[list | None, list]], int]:
    """Parse journal bytes into (at, ops) pairs. Returns (lines, bytes consumed).

    Stops before a torn last line (no newline). A complete line that fails its checksum is
    damage, not a torn write: raise.
    """
    out: list[tuple[list | None, list]] = []
    pos = 0
    n = len(blob)
    while pos < n:
        nl = blob.find(b"\n", pos)
        if nl < 0:
            break  # torn tail: a writer was killed mid-append; ignored
        line = blob[pos:nl]
        ok = len(line) > 9 and line[8:9] == b" "
        body = line[9:]
        if ok:
            try:
                ok = int(line[:8], 16) == zlib.crc32(body)
            except ValueError:
                ok = False
        rec = None
        if ok:
            try:
                rec = orjson.loads(body)
                ok = isinstance(rec, dict) and isinstance(rec.get("ops"), list)
            except orjson.JSONDecodeError:
                ok = False
        if not ok:
            raise DamagedDatabase(
                f"{name}: damaged journal at byte {start + pos} (checksum mismatch); file left untouched"
            )
        out.append((rec.get("at"), rec["ops"]))
        pos = nl + 1
    return out, pos


def decode_journal(blob: bytes, name: str, start: int = 0) -> tuple[list[list], int]:
    """Parse journal bytes. Returns (transactions, bytes consumed); see ``decode_lines``."""
    lines, used = decode_lines(blob, name, start)
    return [ops for _at, ops in lines], used


def parse_snapshot(blob: bytes, name: str) -> tuple[dict, dict | None]:
    """A snapshot's bytes -> (TinyDB data without the identity table, identity or None)."""
    if blob.strip() == b"":
        raise DamagedDatabase(f"{name}: the database file is empty (not even {{}}); refusing to "
                              f"read it as an empty database; file left untouched")
    try:
        data = orjson.loads(blob)
    except orjson.JSONDecodeError as exc:
        raise DamagedDatabase(f"{name}: damaged database (not valid JSON: {exc}); file left untouched") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise DamagedDatabase(f"{name}: not a disputes database (unexpected JSON shape)")
    ident = None
    if IDENT in data:
        doc = data.pop(IDENT).get("1")
        if not (isinstance(doc, dict) and isinstance(doc.get("db"), str) and type(doc.get("gen")) is int
                and isinstance(doc.get("snap"), str)):
            raise DamagedDatabase(f"{name}: damaged database (its identity is unreadable); file left untouched")
        ident = {"db": doc["db"], "gen": doc["gen"], "snap": doc["snap"]}
        if "seq" in doc and type(doc["seq"]) is int:
            ident["seq"] = doc["seq"]
    return data, ident


LAYOUT = "lines"  # the identity's ``layout``: one document per line (see ``split_snapshot``)
_HEAD = b'{"' + IDENT.encode() + b'":{"1":'


def _key_ok(key: bytes) -> bool:
    return b'"' not in key and b"\\" not in key and b"\n" not in key


def dump_snapshot(data: dict, ident: dict | None) -> bytes:
    """The snapshot document of ``dump_parts`` in one piece."""
    return b"".join(dump_parts(data, ident))


def dump_parts(data: dict, ident: dict | None) -> Iterator[bytes]:
    """A snapshot document, one document per line (still one ordinary TinyDB JSON document).

    ``data`` is {table: {id: doc}}, each doc its raw JSON bytes (copied as they are: a fold or a
    backup never re-serialises a case) or a dict. With an identity, it says ``layout: lines``,
    which is what lets ``split_snapshot`` read the file without parsing it.
    """
    sep = b"{"
    if ident is not None:
        count = {str(t): len(docs) for t, docs in data.items()}  # (``split_snapshot`` checks the lines against it)
        yield sep + _HEAD[1:] + orjson.dumps({**ident, "layout": LAYOUT, "count": count}) + b"}"
        sep = b",\n"
    for table, docs in data.items():
        yield sep + orjson.dumps(table) + b":{"
        sep = b",\n"
        between = b"\n"
        for k, v in docs.items():
            yield between + orjson.dumps(str(k)) + b":"
            yield v if isinstance(v, (bytes, memoryview)) else orjson.dumps(v)
            between = b",\n"
        yield b"\n}" if docs else b"}"
    yield (b"{" if sep == b"{" else b"") + b"}\n"


def split_snapshot(blob: bytes, name: str) -> tuple[dict[str, dict[str, bytes]], dict] | None:
    """A snapshot in the line layout -> ({table: {id: raw JSON bytes}}, identity), without
    parsing any document: only the identity line is parsed, and every line's framing is checked
    (its key, its braces, its comma, the table's close, the document's end), and the number of
    lines against the count the identity line gives. None when the file is not in that layout
    (hand-made, plain TinyDB, older, reformatted, two lines joined): read it whole instead.

    A document's own bytes are parsed only when it is asked for (``JournalStorage.doc``); one
    that is not valid JSON is then a DamagedDatabase naming it."""
    if not blob.startswith(_HEAD):
        return None
    end = blob.find(b"\n")
    if end < 0:
        return None
    head = blob[:end]
    if head.endswith(b"}},"):
        body, more = head[len(_HEAD):-2], True
    elif head.endswith(b"}}}"):
        body, more = head[len(_HEAD):-2], False
    else:
        return None
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or doc.get("layout") != LAYOUT:
        return None
    count = doc.get("count")  # documents per table as written (files folded before it say nothing)
    try:
        _d, ident = parse_snapshot(b'{"_storage":{"1":' + body + b"}}", name)
    except DamagedDatabase:
        return None
    tables: dict[str, dict[str, bytes]] = {}
    pos = end + 1
    n = len(blob)
    # Each document a view of the file's bytes, not a copy: a copy held the file twice at the
    # peak of every open (10k cases: 39 MB more for every command and the board).
    view = memoryview(blob)
    while more:
        end = blob.find(b"\n", pos)
        if end < 0:
            return None
        line = blob[pos:end]
        pos = end + 1
        colon = line.find(b'":{')
        if not line.startswith(b'"') or colon < 1 or not _key_ok(line[1:colon]):
            return None
        table = line[1:colon].decode("utf-8", "replace")
        docs: dict[str, bytes] = {}
        tables[table] = docs
        rest = line[colon + 3:]
        if rest in (b"},", b"}}"):  # an empty table
            more = rest == b"},"
            continue
        if rest:
            return None
        find = blob.find
        while True:
            end = find(b"\n", pos)
            if end < 0:
                return None
            if blob[pos] == 0x22:  # '"'
                colon = find(b'":', pos, end)
                if colon < 0:
                    return None
                close = blob[end - 1]
                if close == 0x2C:  # ",": another document follows
                    last, stop = False, end - 1
                elif close == 0x7D:  # "}": no comma, the table's last document
                    last, stop = True, end
                else:
                    return None
                if blob[colon + 2] != 0x7B or blob[stop - 1] != 0x7D:
                    return None
                key = blob[pos + 1:colon]
                if not key.isdigit() and not _key_ok(key):  # (a TinyDB id: digits, nothing to look for)
                    return None
                docs[key.decode("utf-8", "replace")] = view[colon + 2:stop]  # type: ignore[assignment]
                pos = end + 1
                if last:
                    close = blob[pos:pos + 3]
                    if close == b"},\n":
                        more = True
                    elif close == b"}}\n":
                        more = False
                    else:
                        return None
                    pos += 3
                    break
            else:
                return None
    if pos != n:
        return None
    if count is not None and count != {t: len(docs) for t, docs in tables.items()}:
        return None  # two documents on one line (a line break lost in a hand edit): each is in the file
    return tables, ident


def decode_doc(raw: bytes, table: str, key: str, name: str) -> dict:
    """One stored document's bytes -> its dict; damage is one line naming it, nothing changed."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise DamagedDatabase(f"{name}: damaged database (document {key} of table {table} is not valid JSON: "
                              f"{exc}); file left untouched") from None
    if not isinstance(doc, dict):
        raise DamagedDatabase(f"{name}: damaged database (document {key} of table {table} is not an object); "
                              f"file left untouched")
    return doc


def raw_tables(data: dict) -> dict[str, dict[str, bytes]]:
    """Decoded TinyDB data -> the raw map the storage keeps (each document as its JSON bytes)."""
    return {t: {str(k): orjson.dumps(d) for k, d in docs.items()} for t, docs in data.items()}


def encode_raw_line(ops: list[tuple[str, str, bytes | None]], at: list | None) -> bytes:
    """A journal line from documents already serialised: the same bytes ``encode_line`` would
    write for their dicts, without serialising them again."""
    body = (b'{"at":' + orjson.dumps(at) + b',"ops":['
            + b",".join(b"[" + orjson.dumps(t) + b"," + orjson.dumps(k) + b"," + (raw if raw is not None else b"null")
                        + b"]" for t, k, raw in ops) + b"]}")
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def _at(ident: dict | None) -> list | None:
    return None if ident is None else [ident["db"], ident["gen"], ident["snap"]]


def _new_ident(db: str | None = None, gen: int = 0) -> dict:
    return {"db": db or token(), "gen": gen, "snap": token()}


def binding(ident: dict | None, at, snapshot: Path, journal: Path) -> str:
    """Does a journal whose first line names ``at`` extend this snapshot?

    "apply" it does; "folded" it names an older generation of this database (a compaction was
    killed before it emptied the journal): nothing to apply. Anything else is refused.
    """
    if ident is None and at is None:
        return "apply"  # a database from before snapshots had an identity
    if at == _at(ident):
        return "apply"
    why = "the database file has no identity"
    if isinstance(at, list) and len(at) == 3 and ident is not None:
        db, gen, _snap = at
        if db != ident["db"]:
            why = "it belongs to another database"
        elif type(gen) is int and gen < ident["gen"]:
            return "folded"
        else:
            why = "it extends a different or newer state of this database: was a backup copied over it?"
    elif ident is not None:
        why = "its lines name no database"
    raise DamagedDatabase(
        f"{journal}: journal does not belong to {snapshot} ({why}); neither file changed. "
        f"Move the journal away to use the file as it is, or use `disputes restore`"
    )


def orphan_journal(path: Path) -> str | None:
    """A journal with content beside a missing database file: the one line that says so."""
    j = paths.journal_file(path)
    try:
        st = os.lstat(j)
    except FileNotFoundError:
        return None
    if stat.S_ISREG(st.st_mode) and st.st_size == 0:
        return None
    return (f"{path}: the database file is missing but its journal {j} is there; not starting a "
            f"new database over it (nothing written). Put the database file back, or move the journal away")


# -- every storage open in this process, closed (and folded) at exit ---------------------------
_OPEN: "weakref.WeakSet[JournalStorage]" = weakref.WeakSet()


def _close_all() -> None:
    for s in list(_OPEN):
        try:
            s.close()
        except Exception:  # noqa: BLE001 - exiting: never a traceback for housekeeping
            pass


atexit.register(_close_all)


def warn_stderr(message: str) -> None:
    try:
        print(f"disputes: warning: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


class JournalStorage(Storage):
    """Snapshot + journal storage with cross-process locking. See the module docstring."""

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        mode: int = 0o600,
        fsync: bool = True,
        lock_timeout: float = 15.0,
        compact_min_bytes: int = 4 * 1024 * 1024,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.journal_path = paths.journal_file(self.path)
        self.lock_path = paths.lock_file(self.path)
        self.inuse_path = paths.inuse_file(self.path)
        self.mode = mode
        self.fsync = fsync
        self.lock_timeout = lock_timeout
        self.compact_min_bytes = compact_min_bytes
        self.warn = warn or warn_stderr

        # {table: {id: the document's JSON bytes}}: documents stay bytes until asked for; a fold,
        # a compaction and a backup copy these bytes. ``_dec`` holds the ones decoded so far.
        self._data: dict[str, dict[str, bytes]] | None = None
        self._dec: dict[str, dict[str, dict]] = {}
        self._dec_all = False  # every document is in _dec (TinyDB's read() asked for them all)
        # The snapshot file's bytes as last read, when its documents are views of them (the line
        # layout): ``snapshot_blob``.
        self._blob: bytes | None = None
        self._ident: dict | None = None
        self._snap_sig: Sig | None = None
        self._jr_offset = 0
        self._jr_stale = False  # the journal holds only lines a compaction already folded in
        self._jr_sig: Sig | None = None  # the journal as last read or written by us
        # The journal as this process last appended to it, kept open for the next save: (fd, inode)
        self._jr_fd: tuple[int, int] | None = None
        self._dirty: set[tuple[str, str]] = set()
        self._full_write = False
        self._touched = False  # TinyDB wrote into the cached data during this transaction
        self._in_tx = False
        self._lock_fd: int | None = None
        self._lock_kind: int | None = None
        self._inuse_fd: int | None = None
        self._read_only = False  # the lock file could only be opened for reading: a viewer
        self._closed = False
        self.problem: str | None = None  # the last housekeeping failure of this process
        self.last_changed: set[tuple[str, str]] | None = None  # what the last sync brought in; None = all

        if not self.path.parent.is_dir():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{self.path.parent}: cannot create the database folder: {exc.strerror}") from None
        if _sig(self.path) is None:
            orphan = orphan_journal(self.path)
            if orphan:
                raise DamagedDatabase(orphan)
            self._create()
        self._enter()
        _OPEN.add(self)

    # -- files -----------------------------------------------------------------------------
    def _file_mode(self) -> int:
        try:
            return os.lstat(self.path).st_mode & 0o777
        except FileNotFoundError:
            return self.mode

    def _open_new(self, path: Path, flags: int, *, dir_fd: int | None = None, shown: Path | None = None) -> int:
        """Open ``path`` for writing, creating it if it is not there.

        Created here (O_EXCL): given the database's mode (not the umask's) and owner. Already
        there: opened without following a symlink, must be a regular file, never chmod'ed.
        """
        mode = self._file_mode()
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)
        except FileExistsError:
            return open_regular(path, flags, dir_fd=dir_fd, shown=shown)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            raise _refuse_os(shown or path, exc, "create") from None
        try:
            st = os.fstat(fd)
            if st.st_mode & 0o777 != mode:
                os.fchmod(fd, mode)
            self._match_owner(fd)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _match_owner(self, fd: int) -> None:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return
        mine = os.fstat(fd)
        if (mine.st_uid, mine.st_gid) != (st.st_uid, st.st_gid):
            try:
                os.fchown(fd, st.st_uid, st.st_gid)
            except PermissionError:
                # Another user may not give the file away, but may keep its group (one they belong
                # to): that is what lets the rest of the team read it.
                try:
                    os.fchown(fd, -1, st.st_gid)
                except PermissionError:
                    pass

    def _temp(self, folder: Path, name: str, dir_fd: int | None = None) -> tuple[str, int]:
        """A new temp file under an unguessable name, created exclusively and flock'ed (so a
        sweeper knows it is alive)."""
        while True:
            tmp = f"{name}.tmp-{token()}"
            fd = self._open_new(Path(tmp) if dir_fd is not None else folder / tmp, os.O_WRONLY, dir_fd=dir_fd,
                                shown=folder / tmp)
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_nlink:
                return tmp, fd
            # A sweeper took it for a killed writer's between our create and our lock, and
            # unlinked it while holding the lock: start again under a new name.
            os.close(fd)

    def _create(self) -> None:
        with self.locked():
            if _sig(self.path) is None:
                orphan = orphan_journal(self.path)
                if orphan:
                    raise DamagedDatabase(orphan)
                self._ident = _new_ident()
                self._write_snapshot({})

    def _write_snapshot(self, data: dict) -> None:
        """Atomically replace the snapshot: temp file, fsync, rename, fsync folder."""
        self._clear_stale_temps(self.path.parent, self.path.name)
        tmp, fd = self._temp(self.path.parent, self.path.name)
        try:
            try:
                _write_parts(fd, dump_parts(data, self._ident), self.fsync)
                os.replace(self.path.parent / tmp, self.path)  # renamed while its lock is held: no sweeper takes it
            finally:
                os.close(fd)
        except BaseException:
            try:
                os.unlink(self.path.parent / tmp)
            except OSError:
                pass
            raise
        if self.fsync:
            _fsync_dir(self.path.parent)

    def _clear_stale_temps(self, folder: Path, name: str, dir_fd: int | None = None, min_age: float = 0.0) -> None:
        """Remove temps a killed writer left: a live writer holds an flock on its temp."""
        try:
            entries = [e.name for e in os.scandir(dir_fd if dir_fd is not None else folder)]
        except OSError:
            return
        now = time.time()
        for entry in entries:
            if not ((entry.startswith(name + ".") if name else True) and ".tmp-" in entry):
                continue
            where = entry if dir_fd is not None else folder / entry
            try:
                st = os.lstat(where, dir_fd=dir_fd)
                if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
                    os.unlink(where, dir_fd=dir_fd)  # planted: unlink removes the link, not its target
                    continue
                if now - st.st_mtime < min_age:
                    continue
                fd = os.open(where, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=dir_fd)
                try:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # a live writer's
                    # Unlinked while we hold its lock: a writer that created it a moment ago and
                    # locks it after us sees it has no name left (see _temp) and makes another.
                    if os.fstat(fd).st_ino == st.st_ino:
                        os.unlink(where, dir_fd=dir_fd)
                finally:
                    os.close(fd)
            except OSError:
                pass

    # -- locking -----------------------------------------------------------------------------
    def _open_lock(self) -> None:
        try:
            self._lock_fd = self._open_new(self.lock_path, os.O_RDWR)
        except FileNotFoundError:
            raise StoreError(f"{self.lock_path}: cannot create the lock file (its folder is gone)") from None
        except (PermissionError, OSError) as exc:
            if not isinstance(exc, PermissionError) and exc.errno != errno.EROFS:
                raise
            try:
                self._lock_fd = open_regular(self.lock_path, os.O_RDONLY)  # flock works on a read-only fd
            except FileNotFoundError:
                # A read-only folder or file system: nobody can write here, so reading needs no lock.
                self._lock_fd = -1
            except PermissionError:
                raise StoreError(f"{self.lock_path}: cannot open the lock file (permission denied)") from None
            self._read_only = True

    def _deny_write(self) -> StoreError:
        return StoreError(f"{self.path}: you may read this database but not change it "
                          f"(no write permission or a read-only file system); nothing saved")

    @contextmanager
    def locked(self, exclusive: bool = True) -> Iterator[None]:
        """Hold the database lock. Re-entrant; a shared holder may not upgrade."""
        want = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        if self._lock_kind is not None:
            if want == fcntl.LOCK_EX and self._lock_kind != fcntl.LOCK_EX:
                raise StoreError("internal: cannot upgrade a shared database lock")
            yield
            return
        if self._lock_fd is None:
            self._open_lock()
        if want == fcntl.LOCK_EX and self._read_only:
            raise self._deny_write()
        if self._lock_fd == -1:
            self._lock_kind = want
            try:
                yield
            finally:
                self._lock_kind = None
            return
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(self._lock_fd, want | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise LockTimeout(
                        f"{self.path}: another process has held the database lock for over "
                        f"{self.lock_timeout:.0f} s; try again"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        self._lock_kind = want
        try:
            yield
        finally:
            self._lock_kind = None
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _enter(self) -> None:
        """Say this process has the database open: a shared flock on the in-use file."""
        try:
            fd = self._open_new(self.inuse_path, os.O_RDWR)
        except (PermissionError, FileNotFoundError):
            return  # a viewer in a folder it cannot write: it never folds, and nobody waits for it
        except OSError as exc:
            if exc.errno == errno.EROFS:
                return
            raise
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:  # someone folding for a long time: read anyway
                    os.close(fd)
                    return
                time.sleep(0.005)
        self._inuse_fd = fd

    # -- loading ----------------------------------------------------------------------------
    def changed_on_disk(self) -> bool:
        """Two lstat calls: has anyone written since we last loaded?"""
        if self._data is None:
            return True
        return _sig(self.path) != self._snap_sig or _sig(self.journal_path) != self._jr_sig

    def sync(self) -> bool:
        """Bring the in-memory copy up to date. Returns True if anything changed.

        ``last_changed`` then names the (table, doc id) pairs that changed, or is None
        when everything was reloaded.
        """
        if not self.changed_on_disk():
            self.last_changed = set()
            return False
        with self.locked(exclusive=False) if self._lock_kind is None else _null():
            snap = _sig(self.path)
            if self._data is not None and snap == self._snap_sig:
                return self._read_journal_tail()
            self._load_all()
            return True

    def _load_all(self) -> None:
        try:
            blob, snap = read_file(self.path)
        except FileNotFoundError:
            self._data = None
            self._blob = None
            raise DamagedDatabase(f"{self.path}: database file is missing") from None
        except PermissionError:
            raise DamagedDatabase(f"{self.path}: cannot read database: permission denied") from None
        except OSError as exc:
            raise DamagedDatabase(f"{self.path}: cannot read database: {exc.strerror}") from None
        split = split_snapshot(blob, str(self.path))
        if split is not None:
            data, ident = split
            dec: dict[str, dict[str, dict]] = {}
        else:  # not in the line layout (hand-made, plain TinyDB, older): parsed whole, checked whole
            dec, ident = parse_snapshot(blob, str(self.path))
            data = raw_tables(dec)
        self._blob = blob if split is not None else None
        del blob
        self._data = data
        self._dec = dec
        self._dec_all = split is None
        self._ident = ident
        self._snap_sig = snap
        self._jr_offset = 0
        self._jr_stale = False
        self._jr_sig = None
        try:
            self._read_journal_tail()
        except BaseException:
            self._data = None
            self._blob = None
            self._dec, self._dec_all = {}, False
            self._snap_sig = None
            raise
        self.last_changed = None

    def _read_journal_tail(self) -> bool:
        assert self._data is not None
        try:
            fd = open_regular(self.journal_path)
        except FileNotFoundError:
            self._jr_offset = 0
            self._jr_sig = None
            self._jr_stale = False
            self.last_changed = set()
            return False
        except PermissionError:
            raise DamagedDatabase(f"{self.journal_path}: cannot read the journal: permission denied") from None
        try:
            sig = _fsig(fd)
            if self._jr_sig is not None and (sig[0] != self._jr_sig[0] or sig[1] < self._jr_offset):
                os.close(fd)
                fd = -1
                self._load_all()  # replaced or emptied by a compaction we missed: start over
                return True
            os.lseek(fd, self._jr_offset, os.SEEK_SET)
            chunks = []
            while True:
                b = os.read(fd, 1 << 22)
                if not b:
                    break
                chunks.append(b)
            blob = b"".join(chunks)
        finally:
            if fd >= 0:
                os.close(fd)
        lines, used = decode_lines(blob, str(self.journal_path), self._jr_offset)
        self._jr_sig = sig
        self._jr_stale = False  # re-judged from the first line: a writer may have replaced the folded lines
        if lines and self._jr_offset == 0:
            if binding(self._ident, lines[0][0], self.path, self.journal_path) == "folded":
                self._jr_stale = True
                self.last_changed = set()
                return False
        want = _at(self._ident)
        changed: set[tuple[str, str]] = set()
        for at, ops in lines:
            if at != want:
                raise DamagedDatabase(f"{self.journal_path}: damaged journal (a line names another database "
                                      f"state than {self.path}); file left untouched")
            for table, key, doc in ops:
                self._set(table, key, doc)
                changed.add((table, key))
        self._jr_offset += used
        self.last_changed = changed
        return bool(changed)

    def _set(self, table: str, key: str, doc: dict | None) -> None:
        """One document into the raw map (and the decoded cache), or out of both."""
        assert self._data is not None
        if doc is None:
            self._data.get(table, {}).pop(key, None)
            self._dec.get(table, {}).pop(key, None)
        else:
            self._data.setdefault(table, {})[key] = orjson.dumps(doc)
            self._dec.setdefault(table, {})[key] = doc

    # -- reading documents (what the store uses: nothing decoded that is not asked for) ----
    def _ready(self) -> dict[str, dict[str, bytes]]:
        if self._data is None:
            self.sync()
        assert self._data is not None
        return self._data

    def keys(self, table: str) -> list[str]:
        """The ids of a table's documents (nothing decoded)."""
        return list(self._ready().get(table, {}))

    def raws(self, table: str) -> dict[str, bytes]:
        """Every document's stored JSON bytes by key (the map itself: read it, never change it)."""
        return self._ready().get(table, {})

    def raw(self, table: str, key: int | str) -> bytes | None:
        """A document's stored JSON bytes, or None."""
        return self._ready().get(table, {}).get(str(key))

    def snapshot_blob(self) -> bytes | None:
        """The snapshot file's bytes as last read, when the documents read from it are views of
        them (the line layout; None otherwise): a document ``raw`` is still the snapshot's own
        exactly when ``type(raw) is memoryview and raw.obj is snapshot_blob()`` (one the journal
        or a save replaced is bytes of its own). What ``store.summary`` certifies its entries
        against: the same bytes split the same way give the same documents."""
        self._ready()
        return self._blob

    def snapshot_token(self) -> str | None:
        """The snapshot's identity token (``snap``: new for every snapshot written), or None."""
        self._ready()
        return None if self._ident is None else self._ident.get("snap")

    def doc(self, table: str, key: int | str, *, keep: bool = True) -> dict | None:
        """One document, decoded now (and kept, unless ``keep=False``), or None. Shared: do not
        change it. A document whose bytes are damaged is a DamagedDatabase naming it."""
        key = str(key)
        got = self._dec.get(table, {}).get(key)
        if got is not None:
            return got
        raw = self._ready().get(table, {}).get(key)
        if raw is None:
            return None
        got = decode_doc(raw, table, key, str(self.path))
        if keep:
            self._dec.setdefault(table, {})[key] = got
        return got

    # -- TinyDB's storage interface -----------------------------------------------------
    def read(self) -> dict | None:
        """Every table decoded, for TinyDB's own Table API (the meta table, tools, tests): the
        store reads cases through ``keys``/``doc``/``raw``, which decode only what is asked."""
        data = self._ready()
        if not self._dec_all:
            for table, docs in data.items():
                dec = self._dec.setdefault(table, {})
                for key, raw in docs.items():
                    if key not in dec:
                        dec[key] = decode_doc(raw, table, key, str(self.path))
            for table in list(self._dec):
                if table not in data:
                    del self._dec[table]
            self._dec_all = True
        return self._dec

    def write(self, data: dict) -> None:
        """TinyDB's write of every table (after its Table API changed some): the documents it
        was told about (``mark``) are re-serialised, or, told nothing, all of them."""
        if not self._in_tx:
            raise StoreError("internal: write outside a transaction")
        assert self._data is not None
        self._touched = True
        if not self._dirty:
            self._full_write = True  # a change we were not told about: snapshot it all
        if self._full_write:
            self._data = raw_tables(data)
            self._blob = None
        else:
            for table, key in self._dirty:
                doc = data.get(table, {}).get(key)
                if doc is None:
                    self._data.get(table, {}).pop(key, None)
                else:
                    self._data.setdefault(table, {})[key] = orjson.dumps(doc)
            for table in data:
                self._data.setdefault(table, {})
        self._dec = data
        self._dec_all = True

    def mark(self, table: str, doc_id: int | str) -> None:
        """Say which document the next TinyDB write changes, so only it is journalled."""
        self._dirty.add((table, str(doc_id)))

    def put(self, table: str, doc_id: int | str, doc: dict | None) -> None:
        """Write one document (None: remove it) into the data, journalled at commit.

        Inside a transaction only. Unlike TinyDB's ``Table.update``/``insert`` (which rebuild the
        whole table dict and hand it back through ``write``), this touches one key: a save costs
        the same at 1,000 cases and at 30,000. The stored form is TinyDB's (string ids, plain
        dicts), so TinyDB's own reads and a plain JSONStorage see it unchanged.
        """
        if not self._in_tx:
            raise StoreError("internal: write outside a transaction")
        assert self._data is not None
        key = str(doc_id)
        self._touched = True  # a failure from here on forgets the cached data (re-read on next use)
        self._dirty.add((table, key))
        self._set(table, key, doc)

    def close(self) -> None:
        """Let go of the database; the last process to let go folds the journal in."""
        if self._closed:
            return
        self._closed = True
        _OPEN.discard(self)
        try:
            if self._inuse_fd is not None and not self._read_only:
                try:
                    fcntl.flock(self._inuse_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    last = True
                except OSError:
                    last = False
                if last:
                    self.fold()
        finally:
            self._close_journal_fd()
            for fd in (self._inuse_fd, self._lock_fd):
                if fd is not None and fd >= 0:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._inuse_fd = self._lock_fd = None

    def fold(self) -> bool:
        """Fold a non-empty journal into the snapshot (a failure is a warning: nothing is lost)."""
        try:
            if _sig(self.journal_path) is None or (_sig(self.journal_path) or (0, 0, 0))[1] == 0:
                return False
            with self.locked(exclusive=True):
                self.sync()
                js = _sig(self.journal_path)
                if js is None or js[1] == 0:
                    return False
                self._compact_locked()
            return True
        except DamagedDatabase:
            return False  # nothing safe to fold; the command that opened it said why (and `check` does)
        except (OSError, StoreError) as exc:
            self._housekeeping_failed("folding the journal into the database file", exc)
            return False

    def discard(self) -> None:
        """Let go without folding (an open that failed half-way)."""
        self._inuse_fd, fd = None, self._inuse_fd
        if fd is not None:
            os.close(fd)
        self.close()

    def _housekeeping_failed(self, what: str, exc: BaseException) -> None:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        where = getattr(exc, "filename", None)
        self.problem = f"{what} failed{f' ({where})' if where else ''}: {why}; saved changes are safe, will retry"
        self.warn(self.problem)

    # -- transactions ------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[dict]:
        """Exclusive lock + fresh data; on success one journal line holds every change."""
        if self._in_tx:
            yield _Tables(self)  # nested: the outer transaction commits
            return
        with self.locked(exclusive=True):
            self.sync()
            self._in_tx = True
            self._dirty.clear()
            self._full_write = self._touched = False
            try:
                yield _Tables(self)
            except BaseException:
                if self._touched:  # refused before anything was written: the cache is intact
                    self._discard()
                self._dirty.clear()
                raise
            finally:
                self._in_tx = False
            try:
                self._commit()
            except BaseException:
                self._discard()
                raise
            # Durable from here on: housekeeping that fails is a warning, retried next time.
            try:
                self._clear_stale_temps(self.path.parent, self.path.name)
                self._maybe_compact()
            except (OSError, StoreError) as exc:
                self._housekeeping_failed("compacting the journal", exc)

    def _discard(self) -> None:
        # TinyDB mutates our cached documents in place: forget them, re-read on next use.
        self._data = None
        self._blob = None
        self._dec = {}
        self._dec_all = False
        self._snap_sig = None
        self._dirty.clear()
        self._full_write = False

    def _commit(self) -> None:
        assert self._data is not None
        if self._full_write or (self._ident is None and self._dirty):
            # A full write, or the first write to a file with no identity: bind it now.
            self._replace_snapshot(self._data)
        elif self._dirty:
            ops = [(t, k, self._data.get(t, {}).get(k)) for t, k in sorted(self._dirty)]
            self._append(encode_raw_line(ops, _at(self._ident)))
        self._dirty.clear()
        self._full_write = False

    def _replace_snapshot(self, data: dict, db: str | None = None) -> None:
        """A new generation: snapshot first, then the journal emptied (a kill between leaves a
        journal of the older generation, recognised as folded)."""
        old = self._ident
        self._ident = _new_ident(db or (old["db"] if old else None), (old["gen"] + 1) if old else 1)
        try:
            self._write_snapshot(data)
        except BaseException:
            self._ident = old
            raise
        self._snap_sig = _sig(self.path)
        self._truncate_journal()

    def _append(self, line: bytes) -> None:
        fd, st = self._journal_fd()
        try:
            if st.st_size != self._jr_offset:
                # Bytes past what we parsed can only be a torn line from a killed writer, or lines
                # a compaction already folded in (sync() just read everything): cut them off.
                os.ftruncate(fd, self._jr_offset)
            os.lseek(fd, self._jr_offset, os.SEEK_SET)
            try:
                _write_all(fd, line, self.fsync)
            except OSError as exc:  # a full disk, a quota: what was written is a torn line, cut next time
                raise StoreError(f"{self.journal_path}: cannot save ({exc.strerror or exc}); "
                                 "nothing was saved") from None
            self._jr_sig = _fsig(fd)
        except BaseException:
            self._close_journal_fd()
            raise
        self._jr_offset += len(line)
        self._jr_stale = False

    def _journal_fd(self) -> tuple[int, os.stat_result]:
        """The journal open for appending (and its fstat): the one the last save appended to when
        it is still the file at the journal's name, else opened now (``_open_new``: no symlink
        followed, a regular file, created with the database's mode and owner). Under the lock,
        after ``sync()``: an lstat of the name just matched ``_jr_sig``, or the journal was
        opened by name and read, so its inode is the file the name holds now; an inode this fd
        holds open cannot be freed and handed to another file, and a journal renamed over or
        removed has no link left. Kept open, a save spares an open, a failed O_EXCL create, an
        lstat and a close."""
        kept = self._jr_fd
        if kept is not None:
            if self._jr_sig is not None and kept[1] == self._jr_sig[0]:
                st = os.fstat(kept[0])
                if st.st_nlink > 0:
                    return kept[0], st
            self._close_journal_fd()
        fd = self._open_new(self.journal_path, os.O_RDWR)
        try:
            st = os.fstat(fd)
        except BaseException:
            os.close(fd)
            raise
        self._jr_fd = (fd, st.st_ino)
        return fd, st

    def _close_journal_fd(self) -> None:
        kept, self._jr_fd = self._jr_fd, None
        if kept is not None:
            try:
                os.close(kept[0])
            except OSError:
                pass

    def _truncate_journal(self) -> None:
        """Empty the journal: a new empty file renamed over it (so it takes the database's mode
        and owner now, and readers see a new inode), never a chmod of the old one."""
        if _sig(self.journal_path) is not None:
            tmp, fd = self._temp(self.path.parent, self.journal_path.name)
            try:
                if self.fsync:
                    os.fsync(fd)
                sig = _fsig(fd)
                os.replace(self.path.parent / tmp, self.journal_path)  # while its lock is held
            finally:
                os.close(fd)
            if self.fsync:
                _fsync_dir(self.path.parent)
            self._jr_sig = sig
        else:
            self._jr_sig = None
        self._jr_offset = 0
        self._jr_stale = False

    def _maybe_compact(self) -> None:
        snap = self._snap_sig[1] if self._snap_sig else 0
        if self._jr_offset > max(self.compact_min_bytes, snap // 2):
            self.compact()

    def compact(self) -> None:
        """Fold the journal into a new snapshot (under the exclusive lock)."""
        with self.locked(exclusive=True):
            self.sync()
            self._compact_locked()

    def _compact_locked(self) -> None:
        assert self._data is not None
        self._replace_snapshot(self._data)

    def restore(self, data: dict, keep: int = 7, now: datetime | None = None) -> Path:
        """Replace the whole database with ``data`` (a backup's), as a new generation, after
        backing up what is there. Works on a damaged database too: then its files are kept as
        they are (``-pre-restore.json`` and ``-pre-restore.journal``). Returns that backup."""
        with self.locked(exclusive=True):
            try:
                self.sync()
                before = self.backup("pre-restore", keep=keep, now=now)
            except DamagedDatabase:
                before = self._keep_damaged(now or clock.now())
                self._data = {}
                self._blob = None
            raw = raw_tables(data)
            self._replace_snapshot(raw)
            self._data, self._dec, self._dec_all = raw, data, True
            self._blob = None
            self.last_changed = None
        return before

    def _keep_damaged(self, now: datetime) -> Path:
        folder = paths.backups_dir(self.path)
        dfd = self._backups_dir_fd()
        try:
            name = f"{self.path.stem}-{now:%Y%m%dT%H%M%SZ}-pre-restore"
            for src, ext in ((self.path, ".json"), (self.journal_path, ".journal")):
                try:
                    blob, _ = read_file(src)
                except FileNotFoundError:
                    continue
                tmp, fd = self._temp(folder, name + ext, dir_fd=dfd)
                try:
                    _write_all(fd, blob, self.fsync)
                    os.replace(tmp, name + ext, src_dir_fd=dfd, dst_dir_fd=dfd)  # while its lock is held
                finally:
                    os.close(fd)
            if self.fsync:
                os.fsync(dfd)
        finally:
            os.close(dfd)
        # the old identity is unknown: a new one, so the old journal can never apply to it
        self._ident = None
        return folder / (name + ".json")

    # -- backups -------------------------------------------------------------------------------
    def snapshot_bytes(self, seq: int | None = None) -> bytes:
        """The whole database as one consistent snapshot document (under the shared lock),
        with an identity of its own: copied over the file, it is never extended by this journal."""
        with self.locked(exclusive=False) if self._lock_kind is None else _null():
            return b"".join(self._snapshot_parts(seq))

    def _snapshot_parts(self, seq: int | None) -> Iterator[bytes]:
        """``snapshot_bytes`` in pieces (the caller holds a lock while it writes them)."""
        self.sync()
        ident = None
        if self._ident is not None:
            ident = {"db": self._ident["db"], "gen": self._ident["gen"], "snap": token()}
            if seq is not None:
                ident = {"seq": seq, **ident}
        return dump_parts(self._data or {}, ident)

    def _backups_dir_fd(self) -> int:
        folder = paths.backups_dir(self.path)
        want = 0o700 if self._file_mode() & 0o070 == 0 else 0o770
        created = False
        try:
            os.mkdir(folder, want)
            created = True
        except FileExistsError:
            pass
        try:
            dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            raise _refuse_os(folder, exc) from None
        if created:
            try:
                os.fchmod(dfd, want)  # mkdir's mode is narrowed by the umask; this folder is ours
            except OSError:
                pass
        return dfd

    def backup(self, label: str, keep: int = 7, now: datetime | None = None) -> Path:
        """Write a consistent copy of the whole database; keep the newest ``keep`` per label.

        "Newest" is by the sequence number each backup carries inside (one more than the
        highest there), not by its name or mtime: a clock that was wrong never decides.
        """
        now = now or clock.now()
        folder = paths.backups_dir(self.path)
        dfd = self._backups_dir_fd()
        try:
            self._clear_stale_temps(folder, "", dir_fd=dfd, min_age=STALE_TEMP_SECONDS)
            existing = self._backups(dfd)
            seq = max((s for s, _m, _n in existing), default=0) + 1
            name = f"{self.path.stem}-{now:%Y%m%dT%H%M%SZ}-{label}.json"
            tmp, fd = self._temp(folder, name, dir_fd=dfd)
            try:
                try:
                    # the stored bytes copied in pieces under the shared lock: one consistent state
                    with self.locked(exclusive=False) if self._lock_kind is None else _null():
                        _write_parts(fd, self._snapshot_parts(seq if self._ident is not None else None),
                                     self.fsync)
                    os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)  # while its lock is held
                finally:
                    os.close(fd)
            except BaseException:
                try:
                    os.unlink(tmp, dir_fd=dfd)
                except OSError:
                    pass
                raise
            if self.fsync:
                os.fsync(dfd)
            mine = sorted((b for b in self._backups(dfd) if b[2].endswith(f"-{label}.json")))
            for _s, _m, old in mine[:-keep] if keep > 0 else []:
                if old != name:
                    try:
                        os.unlink(old, dir_fd=dfd)
                    except FileNotFoundError:
                        pass
        finally:
            os.close(dfd)
        return folder / name

    def _backups(self, dfd: int) -> list[tuple[int, int, str]]:
        """(sequence, mtime_ns, name) of every backup of this database, oldest first."""
        out = []
        prefix = f"{self.path.stem}-"
        for name in os.listdir(dfd):
            if not (name.startswith(prefix) and name.endswith(".json")):
                continue
            try:
                fd = open_regular(name, dir_fd=dfd, shown=paths.backups_dir(self.path) / name)
            except (OSError, StoreError):
                continue
            try:
                head = os.read(fd, 128)
                mtime = os.fstat(fd).st_mtime_ns
            finally:
                os.close(fd)
            m = _SEQ.match(head)
            out.append((int(m.group(1)) if m else 0, mtime, name))
        return sorted(out)

    # -- a housekeeping failure that outlives the process (for `check` and the board) ------
    def recorded_problem(self) -> str | None:
        try:
            blob, _ = read_file(paths.housekeeping_file(self.path))
        except (OSError, StoreError):
            return None
        return blob.decode("utf-8", "replace").strip() or None

    def record_problem(self, text: str | None) -> None:
        """Remember (or forget, with None) a failure, so every process and `check` can see it."""
        target = paths.housekeeping_file(self.path)
        if text is None:
            if _sig(target) is not None:
                try:
                    os.unlink(target)
                except OSError:
                    pass
            return
        if self.recorded_problem() == text:
            return
        try:
            tmp, fd = self._temp(self.path.parent, target.name)
            try:
                _write_all(fd, text.encode("utf-8") + b"\n", False)
                os.replace(self.path.parent / tmp, target)  # while its lock is held
            finally:
                os.close(fd)
        except (OSError, StoreError):
            pass  # already warned on stderr; the folder may be the problem

    def has_backup_since(self, label: str, day: str) -> bool:
        folder = paths.backups_dir(self.path)
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return False
        tag = f"{self.path.stem}-{day}"
        return any(n.startswith(tag) and n.endswith(f"-{label}.json") for n in names)


class _Tables:
    """What a transaction hands its block: ``tables[name][id]`` decodes that one document."""

    def __init__(self, storage: JournalStorage) -> None:
        self._s = storage

    def __getitem__(self, table: str) -> "_Docs":
        if table not in self._s._ready():
            raise KeyError(table)
        return _Docs(self._s, table)

    def get(self, table: str, default=None):
        try:
            return self[table]
        except KeyError:
            return default

    def __contains__(self, table: object) -> bool:
        return table in self._s._ready()

    def __iter__(self):
        return iter(list(self._s._ready()))


class _Docs:
    def __init__(self, storage: JournalStorage, table: str) -> None:
        self._s, self._t = storage, table

    def __getitem__(self, key: str) -> dict:
        got = self._s.doc(self._t, key)
        if got is None:
            raise KeyError(key)
        return got

    def get(self, key: str, default=None):
        got = self._s.doc(self._t, key)
        return default if got is None else got

    def __contains__(self, key: object) -> bool:
        return str(key) in self._s._ready().get(self._t, {})

    def __iter__(self):
        return iter(self._s.keys(self._t))

    def __len__(self) -> int:
        return len(self._s._ready().get(self._t, {}))


_SEQ = re.compile(rb'\{"_storage":\{"1":\{"seq":(\d+),')


@contextmanager
def _null() -> Iterator[None]:
    yield
