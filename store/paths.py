"""Every path the project uses, in one place (XDG base directories).

Each has one environment variable that overrides it, for tests and for teams that keep
the database on a shared path:

- database: ``--db PATH``, else ``$DISPUTES_DB``, else ``$XDG_DATA_HOME/disputes/disputes.json``
- config:   ``$DISPUTES_CONFIG``, else ``$XDG_CONFIG_HOME/disputes/config.toml``
- user themes: ``themes/`` beside the config file
- state (remembered choices such as the theme): ``$XDG_STATE_HOME/disputes/state.json``
- cache (the board's summary of each database, derived and private to the user; safe to
  delete): ``$XDG_CACHE_HOME/disputes/``
- backups: ``<database>.backups/`` beside the database, so they move with it
- beside the database too: ``.journal`` (changes since the snapshot), ``.lock`` (the write
  lock), ``.inuse`` (every process with it open holds a shared lock: the last one folds the
  journal in), ``.housekeeping`` (a backup or compaction that keeps failing, for ``check``)
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "disputes"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var, "")
    # The XDG spec says relative paths are invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


def data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / APP


def config_dir() -> Path:
    explicit = os.environ.get("DISPUTES_CONFIG")
    if explicit:
        return Path(explicit).expanduser().parent
    return _xdg("XDG_CONFIG_HOME", ".config") / APP


def state_dir() -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state") / APP


def cache_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache") / APP


def config_file() -> Path:
    explicit = os.environ.get("DISPUTES_CONFIG")
    return Path(explicit).expanduser() if explicit else config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def state_file() -> Path:
    return state_dir() / "state.json"


def database(cli_value: str | os.PathLike | None = None, configured: str | None = None) -> Path:
    """The database path: --db, else $DISPUTES_DB, else the config file's, else XDG data."""
    for candidate in (cli_value, os.environ.get("DISPUTES_DB"), configured):
        if candidate:
            return Path(candidate).expanduser()
    return data_dir() / "disputes.json"


def backups_dir(db: Path) -> Path:
    return db.with_name(db.name + ".backups")


def journal_file(db: Path) -> Path:
    return db.with_name(db.name + ".journal")


def lock_file(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def run_lock_file(db: Path, name: str) -> Path:
    """Held while one run of a command (``notify``) works on the database: one at a time."""
    return db.with_name(f"{db.name}.{name}.lock")


def inuse_file(db: Path) -> Path:
    return db.with_name(db.name + ".inuse")


def housekeeping_file(db: Path) -> Path:
    return db.with_name(db.name + ".housekeeping")
