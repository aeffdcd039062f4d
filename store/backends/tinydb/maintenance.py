"""The database as a whole: a consistent copy out, a backup back in, a health check.

What ``disputes backup``, ``restore`` and ``check`` do, as functions over a ``TinyStore``,
so the board could offer them too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ...validate import case_from_dict, check_case
from ... import paths
from ...errors import DamagedDatabase, StoreError, ValidationError
from ...files import token
from ...ops import evidence_verify
from .storage import JournalStorage, _fsync_dir, _write_all, orphan_journal, parse_snapshot, read_file
from .store import SCHEMA_VERSION, TinyStore


def backup_to(store: TinyStore, dest: Path) -> int:
    """Write the whole database, consistent at this instant, to ``dest`` (which must not exist).

    Private (0600) when the database is private, else the database's own mode. Written to a
    temp file beside ``dest`` and linked into place, so ``dest`` is whole or absent and an
    existing file (or a planted symlink) is never overwritten. Returns the bytes written.
    """
    blob = store.storage.snapshot_bytes()
    db_mode = os.lstat(store.path()).st_mode & 0o666
    mode = 0o600 if db_mode & 0o066 == 0 else db_mode
    folder = dest.parent
    if os.path.lexists(dest):
        raise ValidationError(f"{dest}: already exists; not overwritten (choose a new name)")
    tmp = folder / f".{dest.name}.tmp-{token()}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    except OSError as exc:
        raise ValidationError(f"{dest}: cannot write: {exc.strerror}") from None
    try:
        try:
            os.fchmod(fd, mode)  # ours: just created
            _write_all(fd, blob, True)
        finally:
            os.close(fd)
        try:
            os.link(tmp, dest)
        except FileExistsError:
            raise ValidationError(f"{dest}: already exists; not overwritten (choose a new name)") from None
        except OSError as exc:
            raise ValidationError(f"{dest}: cannot write: {exc.strerror}") from None
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    _fsync_dir(folder)
    return len(blob)


def read_backup(src: Path) -> dict:
    """A backup file's TinyDB data, checked: every case in it decodes and validates."""
    try:
        blob, _ = read_file(src)
    except FileNotFoundError:
        raise ValidationError(f"no such file: {src}") from None
    except PermissionError:
        raise ValidationError(f"{src}: cannot read: permission denied") from None
    except OSError as exc:
        raise ValidationError(f"{src}: cannot read: {exc.strerror}") from None
    except DamagedDatabase as exc:
        raise ValidationError(str(exc)) from None
    try:
        data, _ident = parse_snapshot(blob, str(src))
    except DamagedDatabase as exc:
        raise ValidationError(f"{exc}; not a backup to restore") from None
    if "cases" not in data and "meta" not in data:  # another program's TinyDB file (say {"_default": {}})
        raise ValidationError(f"{src}: not a Dispute Board database (no cases, no board state); nothing restored")
    meta = (data.get("meta") or {}).get("1") or {}
    schema = meta.get("schema", 0) if isinstance(meta, dict) else 0
    if type(schema) is not int or schema > SCHEMA_VERSION:
        raise ValidationError(f"{src}: written by a newer Dispute Board (schema {schema}); nothing restored")
    for key, doc in (data.get("cases") or {}).items():
        try:
            check_case(case_from_dict({"id": f"D-{int(key):04d}", **doc}))
        except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError, StoreError) as exc:
            raise ValidationError(f"{src}: case {key} is not valid ({exc}); nothing restored") from None
    return data


def restore_from(path: Path, src: Path, cfg, keep: int = 7) -> tuple[int, Path]:
    """Replace the database at ``path`` with the backup ``src``, after backing up the current
    state (its files as they are, when it cannot be read). Returns (cases restored, that backup).
    Every open board sees a new snapshot and reloads."""
    data = read_backup(src)
    group = cfg.database.get("group_shared", False) is True
    storage = JournalStorage(path, mode=0o660 if group else 0o600)
    try:
        before = storage.restore(data, keep=keep)
    finally:
        storage.close()
    return len(data.get("cases") or {}), before


def check(path: Path, cfg) -> list[str]:
    """Every problem with the database at ``path``, one line each naming the file; [] = healthy."""
    problems: list[str] = []
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        orphan = orphan_journal(path)
        return [orphan] if orphan else [f"{path}: no database here"]
    if not stat.S_ISREG(st.st_mode):
        return [f"{path}: is not a regular file"]
    for p in (paths.journal_file(path), paths.lock_file(path), paths.inuse_file(path)):
        try:
            pst = os.lstat(p)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(pst.st_mode):
            problems.append(f"{p}: is not a regular file (a folder or a symbolic link)")
    if problems:
        return problems
    try:
        store = TinyStore(path, cfg=cfg, create=False)
    except StoreError as exc:
        return [str(exc)]
    try:
        ident = store.storage._ident
        if ident is None:
            problems.append(f"{path}: has no identity yet (written by an older version or plain TinyDB); "
                            f"the next save gives it one")
        for c in store.cases():
            try:
                check_case(c)
            except (ValueError, StoreError) as exc:
                problems.append(f"{path}: {c.id} is not valid: {exc}")
            for e in c.evidence:
                state = evidence_verify(e)
                if state != "ok":
                    problems.append(f"{e.path}: evidence of {c.id} is {state}")
        recorded = store.housekeeping_problem()
        if recorded:
            problems.append(f"{paths.housekeeping_file(path)}: {recorded}")
        problems += _check_backups(path)
    finally:
        store.close()
    return problems


def _check_backups(path: Path) -> list[str]:
    folder = paths.backups_dir(path)
    out = []
    try:
        fst = os.lstat(folder)
    except FileNotFoundError:
        return []
    if not stat.S_ISDIR(fst.st_mode):
        return [f"{folder}: is not a folder (backups cannot be written)"]
    if not os.access(folder, os.W_OK | os.X_OK):
        out.append(f"{folder}: you cannot write there; backups will fail")
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        return out + [f"{folder}: cannot list backups: {exc.strerror}"]
    for name in names:
        if not name.endswith(".json") or ".tmp-" in name:
            continue
        p = folder / name
        try:
            blob, _ = read_file(p)
            parse_snapshot(blob, str(p))
        except (OSError, StoreError) as exc:
            out.append(f"{p}: unusable backup: {getattr(exc, 'strerror', None) or exc}")
    return out


__all__ = ["backup_to", "restore_from", "read_backup", "check"]
