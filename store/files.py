"""The one way the program writes a file the user named (`export --output`, `packet --output`).

The target's folder may be shared with hostile teammates, so nothing there is followed or
guessed:

- the data goes to a temporary file beside the target with an unguessable name
  (``.<target>.<32 hex>.part``), created with ``O_CREAT | O_EXCL | O_NOFOLLOW``: a symlink planted
  at any name is never opened, let alone written through;
- it is fsynced, given its final mode with ``fchmod`` on the descriptor we created (never a chmod
  of a path), renamed over the target (``rename`` replaces a symlink at the target itself, it
  never writes to what the link points at), and the folder is fsynced;
- the final mode is the database's privacy, not the umask's: 0600 for a private database, the
  database's group bits (0640 / 0660) for a group-shared one;
- while a temp is being written its writer holds an exclusive ``flock`` on it. A temp nobody
  holds was left by a killed run: the next write into that folder removes it (``sweep``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO, Iterator

from .errors import ValidationError

_TEMP = re.compile(r"^\..+\.[0-9a-f]{32}\.part$")
PRIVATE, GROUP = 0o600, 0o660


def output_mode(db: Path | None, group_shared: bool) -> int:
    """The mode for a file made from the database: its privacy, never wider than 0660.

    The database file's own group bits win when it exists (a 0640 database gives 0640
    exports); otherwise ``group_shared`` decides, as it does for a new database."""
    if db is not None:
        try:
            st = os.stat(db)
        except OSError:
            st = None
        if st is not None and stat.S_ISREG(st.st_mode):
            return PRIVATE | (st.st_mode & 0o060)
    return GROUP if group_shared else PRIVATE


def open_evidence(path: str | os.PathLike) -> BinaryIO:
    """An evidence file opened for reading as it is recorded: a regular file at that very path.
    A link put there since (on a shared box, by anyone who can write the folder) is not followed
    (OSError ELOOP), nor is a FIFO waited on; anything but a regular file is an OSError too."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def link_instead(path: str | os.PathLike) -> str | None:
    """What to say of a link standing where an attached file was ("now a link to X, not the
    file attached"), or None when there is none: the packet, the check and the preview say it
    alike (and ``open_evidence`` never reads through it)."""
    try:
        target = os.readlink(path)
    except OSError:
        return None  # not a link (or not there)
    shown = "".join(ch if ch.isprintable() else "?" for ch in target)
    return f"now a link to {shown}, not the file attached"


def token(nbytes: int = 8) -> str:
    """Random hex digits for a temporary name: ``secrets.token_hex`` (os.urandom), without
    importing ``secrets``, which imports hmac and with it OpenSSL's libcrypto: 3.6 MB of every
    command's peak memory, for commands that never hash anything."""
    return os.urandom(nbytes).hex()


def temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{token(16)}.part")


def is_temp(name: str) -> bool:
    return bool(_TEMP.match(name))


def sweep(folder: Path) -> int:
    """Remove temps that killed writers left in ``folder``; returns how many.

    A temp is stale when nobody holds its lock. It is opened without following links, locked
    without waiting, and unlinked only if the name still refers to the file we locked."""
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if not is_temp(name):
            continue
        path = folder / name
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue  # a link, gone, or not ours to read: leave it
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live writer holds it
            now = os.stat(path, follow_symlinks=False)
            if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
                os.unlink(path)
                removed += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def check_target(output: str | os.PathLike, example: str = "") -> Path:
    """Where a file will go; refuses a folder or a missing parent folder before any work
    (``example``: a file name the refusal of a folder suggests)."""
    target = Path(output).expanduser()
    if target.is_dir():
        raise ValidationError(f"{output}: is a folder; give a file name" + (f" like {example}" if example else ""))
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise ValidationError(f"{output}: folder {parent} does not exist")
    return target


def _create(target: Path) -> tuple[int, Path]:
    """A fresh temp beside ``target``, locked by us. A sweeper that removed it between the
    create and the lock (it saw it unlocked) is noticed by the link count: make another."""
    for _ in range(10):
        tmp = temp_name(target)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE)
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink > 0:
            return fd, tmp
        os.close(fd)
    raise OSError(errno.EAGAIN, "cannot create a temporary file", str(target.parent))


@contextlib.contextmanager
def atomic_file(output: str | os.PathLike, mode: int = PRIVATE) -> Iterator[BinaryIO]:
    """``with atomic_file(path, mode) as fh: fh.write(...)``: the target appears whole, with
    ``mode``, only when the block finishes; on any error (or interrupt) no temp is left and the
    target is as it was. OSError escapes as OSError (callers word it)."""
    target = check_target(output)
    folder = target.parent if str(target.parent) else Path(".")
    sweep(folder)
    fd, tmp = _create(target)
    done = False
    try:
        with os.fdopen(fd, "wb", closefd=False) as fh:
            yield fh
            fh.flush()
            os.fchmod(fd, mode)
            os.fsync(fd)
        os.rename(tmp, target)
        done = True
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        os.close(fd)  # releases the lock only after the rename (or the unlink)
    _fsync_dir(folder)


def write_file(output: str | os.PathLike, data: bytes, mode: int = PRIVATE) -> Path:
    with atomic_file(output, mode) as fh:
        fh.write(data)
    return Path(output).expanduser()


__all__ = ["atomic_file", "write_file", "sweep", "output_mode", "check_target", "is_temp"]
