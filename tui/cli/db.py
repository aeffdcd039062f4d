"""`disputes backup | restore | check`: the database files themselves."""

from __future__ import annotations

import sys
from pathlib import Path

from store.backends.tinydb.maintenance import backup_to, check, restore_from

from ..safe import clean
from .common import EXIT_DAMAGED, Refusal, db_path, open_db


def register(cmd) -> None:
    """Add this group's subcommands; ``cmd(name, help, run)`` makes one (see ``registry``)."""
    bk = cmd("backup", "write a whole, consistent copy of the database to DEST (even with boards open)", cmd_backup)
    bk.add_argument("dest", metavar="DEST", help="a new file (an existing one is not overwritten)")
    rs = cmd("restore", "replace the database with BACKUP (the current state is backed up first)", cmd_restore)
    rs.add_argument("backup", metavar="BACKUP")
    cmd("check", "verify the database, its journal, backups and evidence files (exit 3 if damaged)", cmd_check)


def _existing(args, cfg):
    store = open_db(args, cfg, create=False)
    if store is None:
        raise Refusal(f"{db_path(args, cfg)}: no database here")
    return store


def cmd_backup(args, cfg):
    store = _existing(args, cfg)
    dest = Path(args.dest).expanduser()
    if dest.is_dir():
        raise Refusal(f"{args.dest}: is a folder; name the backup file")
    size = backup_to(store, dest)
    print(f"backed up {store.count()} cases to {clean(str(dest))} ({size} bytes)")


def cmd_restore(args, cfg):
    path = db_path(args, cfg)
    if not path.exists():
        raise Refusal(f"{path}: no database here (restore replaces an existing one)")
    keep = cfg.database.get("backups_keep", 7)
    n, before = restore_from(path, Path(args.backup).expanduser(), cfg, keep=keep if type(keep) is int else 7)
    print(f"restored {n} cases from {clean(args.backup)}; what was there is in {clean(str(before))}")


def cmd_check(args, cfg):
    path = db_path(args, cfg)
    problems = check(path, cfg)
    for p in problems:
        print(f"disputes: {clean(p)}", file=sys.stderr)
    if problems:
        return EXIT_DAMAGED
    print(f"{clean(str(path))}: healthy")
    return 0
