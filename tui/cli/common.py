"""What every command module shares: refusals and exit codes, the clock, opening the
database, writing output safely."""

from __future__ import annotations

import argparse
import io
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import orjson

from store import clock, files, paths
from store.backends.tinydb import TinyStore
from store.backends.tinydb.storage import orphan_journal
from store.config import Config
from store.dates import parse_when
from store.textsafe import json_escape

from ..safe import clean
from ..safe import fit as _fit

EXIT_INPUT, EXIT_USAGE, EXIT_DAMAGED, EXIT_CONFLICT = 1, 2, 3, 4


def fit(text: str, width: int) -> str:
    """User text cleaned of control codes, then cut or padded to ``width`` cells."""
    return _fit(clean(text), width)


class Refusal(Exception):
    def __init__(self, message: str, code: int = EXIT_INPUT):
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        # main() says "disputes: " before every line: the command is named after it, once, and
        # the help named is the one for this command ("disputes show --help").
        command = self.prog.partition(" ")[2]
        raise Refusal(f"{command + ': ' if command else ''}{message} (see {self.prog} --help)", EXIT_USAGE)


def text_arg(value: str) -> str:
    """Arguments with undecodable bytes arrive as surrogates: keep them as visible replacements."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def now_for(args) -> datetime:
    at = getattr(args, "at", None)
    return parse_when(at).astimezone(timezone.utc) if at else clock.now()


def db_path(args, cfg: Config) -> Path:
    return paths.database(getattr(args, "db", None), cfg.database.get("path") or None)


def open_db(args, cfg: Config, create: bool, *, missing_ok: bool = False) -> TinyStore | None:
    """The database, or None when it does not exist and ``create`` is false. A database named by
    --db or $DISPUTES_DB that is missing is refused, unless ``missing_ok``: a command that will
    create it later (an import looking for what is already there first)."""
    path = db_path(args, cfg)
    if not create and not os.path.lexists(path):
        orphan = orphan_journal(path)
        if orphan:  # its journal is there: the database was moved or deleted, not never made
            raise Refusal(orphan, EXIT_DAMAGED)
        named = getattr(args, "db", None) or os.environ.get("DISPUTES_DB")
        if named and not missing_ok:  # a typo in a cron line must not read as "nothing to do"
            source = "--db" if getattr(args, "db", None) else "$DISPUTES_DB"
            raise Refusal(f"{path}: no database there (named by {source}); nothing read")
        return None  # the default database, not created yet: nothing in it, nothing created
    if path.exists() and path.is_dir():
        raise Refusal(f"{path}: is a folder, not a database file")
    store = TinyStore(path, cfg=cfg)
    _OPENED.append(store)
    return store


_OPENED: list[TinyStore] = []


def close_opened(keep: list | None = None) -> None:
    """Let go of every database this command opened (the last to let go folds the journal in).
    ``keep``: where to put the closed stores instead of freeing them (the process is ending:
    freeing 10,000 cases one by one was 40-50 ms)."""
    while _OPENED:
        store = _OPENED.pop()
        if keep is not None:
            keep.append(store)
        store.close()


def need(store: TinyStore | None, args) -> TinyStore:
    if store is None:
        raise Refusal(f"no case {args.id.strip()} (there is no database yet)")
    return store


def local_time(dt: datetime | None) -> str:
    return "" if dt is None else dt.astimezone().strftime("%Y-%m-%d %H:%M")


def output_mode(args, cfg: Config) -> int:
    """The mode of a file written from the database (export, packet): the database's privacy."""
    return files.output_mode(db_path(args, cfg), cfg.database.get("group_shared") is True)


def write_out(data: bytes, output: str | None, *, kind: str = "text", mode: int = files.PRIVATE) -> None:
    """``data`` (UTF-8) to stdout (no ``output``, or ``-``), or to the file ``output`` through the
    one safe writer.

    JSON (``kind="json"``) has every control and bidi character written as a ``\\u`` escape,
    to a terminal and to a file alike: the same JSON value, so an export file round-trips
    exactly. Anything else on stdout has them replaced by visible stand-ins (stdout may be a
    terminal); written to a file it is kept byte-exact (a CSV file holds the data as stored)."""
    if kind == "json":
        data = json_escape(data)
    if not output or output == "-":  # "-": standard output, as everywhere
        if kind != "json":
            data = clean(data.decode("utf-8"), multiline=True).encode("utf-8")
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        files.write_file(output, data, mode)
    except OSError as exc:
        raise Refusal(f"{output}: cannot write: {exc.strerror or exc}") from None


def print_json(obj) -> None:
    """JSON on stdout: control and bidi characters as ``\\u`` escapes (see ``write_out``)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(json_escape(orjson.dumps(obj, option=orjson.OPT_INDENT_2) + b"\n"))
    sys.stdout.buffer.flush()


class CleanStdout(io.TextIOBase):
    """What commands print goes through ``clean`` (newlines kept): whatever a command prints,
    user text in it cannot drive the terminal. Bytes written to ``.buffer`` are the caller's
    to make safe (``print_json``, ``write_out``)."""

    def __init__(self, raw):
        self._raw = raw

    def write(self, s: str) -> int:
        self._raw.write(clean(s, multiline=True))
        return len(s)

    def flush(self) -> None:
        self._raw.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._raw.isatty()

    def fileno(self) -> int:
        return self._raw.fileno()

    @property
    def buffer(self):
        return self._raw.buffer

    @property
    def encoding(self):
        return getattr(self._raw, "encoding", "utf-8")
