"""Errors the store raises. Each message is one line a person can act on."""


class StoreError(Exception):
    """Base class: anything the store refuses or cannot do."""


class ValidationError(StoreError, ValueError):
    """Bad input: an unknown id, stage, reason; a malformed amount or date.

    ``field`` names what was wrong (``amount``, ``deadlines[0].due``) and ``case_id`` the case,
    when known, so a screen can point at the field instead of parsing the sentence."""

    def __init__(self, message: str = "", *, field: str | None = None, case_id: str | None = None):
        super().__init__(message)
        self.field = field
        self.case_id = case_id


class ConfigError(StoreError):
    """The config file (or a value in it) is wrong: one line naming the file, key and why."""


class NotFound(StoreError, KeyError):
    def __str__(self) -> str:  # KeyError would add quotes
        return str(self.args[0]) if self.args else "not found"


class ConflictError(StoreError):
    """A save from a stale copy of a case: somebody else changed it in the meantime."""

    def __init__(self, message: str, *, user: str = "", at=None, rev: int | None = None,
                 since: int | None = None, changes: list | None = None, fields: list | None = None,
                 both: list | None = None):
        super().__init__(message)
        self.user = user  # who made the latest change
        self.at = at
        self.rev = rev  # the revision that is there now: saving again against it is a deliberate overwrite
        self.since = since  # the revision the refused save started from
        # (user, at, [field names]) for each change since ``since``, oldest first
        self.changes = changes or []
        self.fields = fields or []  # every field the colleagues changed since ``since``
        self.both = both or []  # of those, the ones the refused save changed too


class DamagedDatabase(StoreError):
    """The database file cannot be read; it is left exactly as it is."""


class LockTimeout(StoreError):
    """Another process held the database lock for too long."""
