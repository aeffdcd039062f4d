"""A TinyDB storage that a team can share on one box.

TinyDB's own JSONStorage rewrites the whole file in place with no lock and re-parses it on
every query. This one keeps the database as two files:

- ``disputes.json``: a snapshot, an ordinary TinyDB JSON document ({table: {id: doc}}),
  only ever replaced atomically (temp file, fsync, rename, fsync of the folder);
- ``disputes.json.journal``: an append-only log of transactions since that snapshot, one
  line each: ``<crc32> <json>``; a line holds whole documents, so replaying it twice is
  harmless.

A process killed at any instant leaves either the old or the new state: a torn last line
(no newline) is ignored by readers and cut off by the next writer; a snapshot is replaced
only whole. Writers hold an exclusive ``flock`` on ``disputes.json.lock`` around the whole
read-modify-write; readers take it shared while they load, so they never see a snapshot and
a journal from two different generations. Another process's write is noticed with two
``stat`` calls; only the new journal lines are parsed. When the journal grows past half the
snapshot (at least 4 MiB) it is folded into a new snapshot.

The cost of a save is one appended line and one fsync: it does not grow with the database.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
import zlib
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import orjson
from tinydb.storages import Storage

from ... import clock, paths
from ...errors import DamagedDatabase, LockTimeout, StoreError

Sig = tuple[int, int, int]  # (inode, size, mtime_ns)


def _sig(path: Path) -> Sig | None:
    try:
        st = os.stat(path)
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


def _fsig(fd: int) -> Sig:
    st = os.fstat(fd)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def encode_line(ops: list) -> bytes:
    body = orjson.dumps({"ops": ops})
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def decode_journal(blob: bytes, name: str, start: int = 0) -> tuple[list[list], int]:
    """Parse journal bytes. Returns (transactions, bytes consumed).

    Stops before a torn last line (no newline). A complete line that fails its checksum is
    damage, not a torn write: raise.
    """
    txs: list[list] = []
    pos = 0
    n = len(blob)
    while pos < n:
        nl = blob.find(b"\n", pos)
        if nl < 0:
            break  # torn tail: a writer was killed mid-append; ignored
        line = blob[pos:nl]
        ok = len(line) > 9 and line[8:9] == b" "
        if ok:
            body = line[9:]
            try:
                ok = int(line[:8], 16) == zlib.crc32(body)
            except ValueError:
                ok = False
        if not ok:
            raise DamagedDatabase(
                f"{name}: damaged journal at byte {start + pos} (checksum mismatch); file left untouched"
            )
        txs.append(orjson.loads(body)["ops"])
        pos = nl + 1
    return txs, pos


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
    ) -> None:
        self.path = Path(path)
        self.journal_path = paths.journal_file(self.path)
        self.lock_path = paths.lock_file(self.path)
        self.mode = mode
        self.fsync = fsync
        self.lock_timeout = lock_timeout
        self.compact_min_bytes = compact_min_bytes

        self._data: dict | None = None
        self._snap_sig: Sig | None = None
        self._jr_ino: int | None = None
        self._jr_offset = 0
        self._jr_sig: Sig | None = None  # the journal as last read or written by us
        self._dirty: set[tuple[str, str]] = set()
        self._full_write = False
        self._touched = False  # TinyDB wrote into the cached data during this transaction
        self._in_tx = False
        self._lock_fd: int | None = None
        self._lock_kind: int | None = None
        self._read_only = False  # the lock file could only be opened for reading: a viewer
        self.last_changed: set[tuple[str, str]] | None = None  # what the last sync brought in; None = all

        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            self._create()

    # -- files -----------------------------------------------------------------------------
    def _file_mode(self) -> int:
        try:
            return os.stat(self.path).st_mode & 0o777
        except FileNotFoundError:
            return self.mode

    def _open_new(self, path: Path, flags: int) -> int:
        """Open (creating with the database's mode, not the umask's) and match owner/mode."""
        mode = self._file_mode()
        fd = os.open(path, flags | os.O_CREAT, mode)
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
            st = os.stat(self.path)
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

    def _create(self) -> None:
        with self.locked():
            if not self.path.exists():
                self._write_snapshot({})

    def _write_snapshot(self, data: dict) -> None:
        """Atomically replace the snapshot: temp file, fsync, rename, fsync folder."""
        self._clear_stale_temps()
        tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}")
        fd = self._open_new(tmp, os.O_WRONLY | os.O_TRUNC)
        try:
            _write_all(fd, orjson.dumps(data), self.fsync)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        if self.fsync:
            _fsync_dir(self.path.parent)

    def _clear_stale_temps(self) -> None:
        # Only called under the exclusive lock: no live writer owns a temp file now.
        prefix = self.path.name + ".tmp-"
        for entry in os.scandir(self.path.parent):
            if entry.name.startswith(prefix):
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    pass

    # -- locking -----------------------------------------------------------------------------
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
            try:
                self._lock_fd = self._open_new(self.lock_path, os.O_RDWR)
            except PermissionError:
                if not self.lock_path.exists():
                    raise StoreError(f"{self.lock_path}: cannot create the lock file (permission denied)") from None
                self._lock_fd = os.open(self.lock_path, os.O_RDONLY)  # flock works on a read-only fd
                self._read_only = True
        if want == fcntl.LOCK_EX and self._read_only:
            raise StoreError(f"{self.path}: you may read this database but not change it "
                             f"(no write permission); nothing saved")
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

    # -- loading ----------------------------------------------------------------------------
    def changed_on_disk(self) -> bool:
        """Two stat calls: has anyone written since we last loaded?"""
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
            self._load_all(snap)
            return True

    def _load_all(self, snap: Sig | None) -> None:
        if snap is None:
            raise DamagedDatabase(f"{self.path}: database file is missing")
        try:
            with open(self.path, "rb") as fh:
                blob = fh.read()
        except OSError as exc:
            raise DamagedDatabase(f"{self.path}: cannot read database: {exc.strerror}") from None
        if blob.strip() == b"":
            data: dict = {}
        else:
            try:
                data = orjson.loads(blob)
            except orjson.JSONDecodeError as exc:
                raise DamagedDatabase(
                    f"{self.path}: damaged database (not valid JSON: {exc}); file left untouched"
                ) from None
            if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
                raise DamagedDatabase(f"{self.path}: not a disputes database (unexpected JSON shape)")
        self._data = data
        self._snap_sig = snap
        self._jr_offset = 0
        self._read_journal_tail()
        self.last_changed = None

    def _read_journal_tail(self) -> bool:
        assert self._data is not None
        try:
            fh = open(self.journal_path, "rb")
        except FileNotFoundError:
            self._jr_offset = 0
            self._jr_sig = None
            self.last_changed = set()
            return False
        with fh:
            self._jr_sig = _fsig(fh.fileno())
            size = self._jr_sig[1]
            if size < self._jr_offset:  # truncated by a compaction we missed: start over
                self._load_all(_sig(self.path))
                return True
            fh.seek(self._jr_offset)
            blob = fh.read()
        txs, used = decode_journal(blob, str(self.journal_path), self._jr_offset)
        changed: set[tuple[str, str]] = set()
        for ops in txs:
            for table, key, doc in ops:
                t = self._data.setdefault(table, {})
                if doc is None:
                    t.pop(key, None)
                else:
                    t[key] = doc
                changed.add((table, key))
        self._jr_offset += used
        self.last_changed = changed
        return bool(changed)

    # -- TinyDB's storage interface -----------------------------------------------------
    def read(self) -> dict | None:
        if self._data is None:
            self.sync()
        return self._data

    def write(self, data: dict) -> None:
        if not self._in_tx:
            raise StoreError("internal: write outside a transaction")
        self._data = data
        self._touched = True
        if not self._dirty:
            self._full_write = True  # a change we were not told about: snapshot it all

    def mark(self, table: str, doc_id: int | str) -> None:
        """Say which document the next TinyDB write changes, so only it is journalled."""
        self._dirty.add((table, str(doc_id)))

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- transactions ------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[dict]:
        """Exclusive lock + fresh data; on success one journal line holds every change."""
        if self._in_tx:
            yield self._data  # nested: the outer transaction commits
            return
        with self.locked(exclusive=True):
            self.sync()
            self._clear_stale_temps()  # a killed writer's snapshot temp: no live writer owns one now
            self._in_tx = True
            self._dirty.clear()
            self._full_write = self._touched = False
            try:
                yield self._data
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

    def _discard(self) -> None:
        # TinyDB mutates our cached documents in place: forget them, re-read on next use.
        self._data = None
        self._snap_sig = None
        self._dirty.clear()
        self._full_write = False

    def _commit(self) -> None:
        assert self._data is not None
        if self._full_write:
            self._write_snapshot(self._data)
            self._truncate_journal()
            self._snap_sig = _sig(self.path)
        elif self._dirty:
            ops = [[t, k, self._data.get(t, {}).get(k)] for t, k in sorted(self._dirty)]
            self._append(encode_line(ops))
        self._dirty.clear()
        self._full_write = False
        self._maybe_compact()

    def _append(self, line: bytes) -> None:
        fd = self._open_new(self.journal_path, os.O_RDWR)
        try:
            size = os.fstat(fd).st_size
            if size != self._jr_offset:
                # Bytes past what we parsed can only be a torn line from a killed writer
                # (sync() just read everything complete): cut them off before appending.
                os.ftruncate(fd, self._jr_offset)
            os.lseek(fd, self._jr_offset, os.SEEK_SET)
            _write_all(fd, line, self.fsync)
            self._jr_sig = _fsig(fd)
        finally:
            os.close(fd)
        self._jr_offset += len(line)

    def _truncate_journal(self) -> None:
        if self.journal_path.exists():
            fd = os.open(self.journal_path, os.O_WRONLY)
            try:
                os.ftruncate(fd, 0)
                _write_all(fd, b"", self.fsync)
                self._jr_sig = _fsig(fd)
            finally:
                os.close(fd)
        self._jr_offset = 0

    def _maybe_compact(self) -> None:
        snap = self._snap_sig[1] if self._snap_sig else 0
        if self._jr_offset > max(self.compact_min_bytes, snap // 2):
            self.compact()

    def compact(self) -> None:
        """Fold the journal into a new snapshot (under the exclusive lock)."""
        with self.locked(exclusive=True):
            self.sync()
            assert self._data is not None
            # Order matters: the new snapshot already holds every journalled change, so a kill
            # between the rename and the truncation only replays whole documents onto it.
            self._write_snapshot(self._data)
            self._truncate_journal()
            self._snap_sig = _sig(self.path)

    # -- backups -------------------------------------------------------------------------------
    def backup(self, label: str, keep: int = 7, now: datetime | None = None) -> Path:
        """Write a consistent copy of the whole database; keep the newest ``keep`` per label."""
        with self.locked(exclusive=False) if self._lock_kind is None else _null():
            self.sync()
            data = self._data
        now = now or clock.now()
        folder = paths.backups_dir(self.path)
        want = 0o700 if self._file_mode() & 0o070 == 0 else 0o770
        try:
            folder.mkdir(mode=want)
            os.chmod(folder, want)  # mkdir's mode is narrowed by the umask
        except FileExistsError:
            pass
        target = folder / f"{self.path.stem}-{now:%Y%m%dT%H%M%SZ}-{label}.json"
        tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
        fd = self._open_new(tmp, os.O_WRONLY | os.O_TRUNC)
        try:
            _write_all(fd, orjson.dumps(data), self.fsync)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        mine = sorted(p for p in folder.glob(f"{self.path.stem}-*-{label}.json"))
        for old in mine[:-keep] if keep > 0 else []:
            old.unlink(missing_ok=True)
        return target

    def has_backup_since(self, label: str, day: str) -> bool:
        folder = paths.backups_dir(self.path)
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return False
        tag = f"{self.path.stem}-{day}"
        return any(n.startswith(tag) and n.endswith(f"-{label}.json") for n in names)


@contextmanager
def _null() -> Iterator[None]:
    yield
