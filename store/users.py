"""Who is at the keyboard: the box user every change is recorded under."""

from __future__ import annotations

import os
import pwd


def login_name() -> str:
    """The box user: the OS account, not an environment variable anyone can set."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return os.environ.get("USER", f"uid{os.geteuid()}")


def user_name(uid: int) -> str:
    """Another account's name, for a line that says who did something ("uid 41007" when the
    account has no name)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"
