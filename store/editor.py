"""Long text in the user's own editor: which editor, the private temp file, and the message
template. The board (``tui/editor.py``, with the app suspended) and the CLI
(``disputes statement --edit``) both call this, so they pick the same editor the same way.

Which editor: ``$VISUAL``, then ``$EDITOR`` (either may hold arguments: ``"code -w"``), then
the first of ``sensible-editor``, ``editor``, ``nano``, ``vi`` found on ``PATH``.

The text goes to a file made with ``tempfile.mkstemp`` (``O_EXCL``, mode 0600, an unguessable
name) in a private directory of its own (``mkdtemp``, 0700), so nobody else on the box can read
or swap it; both are removed afterwards unless the caller keeps the file (``keep_on_error``).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import threading
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from .errors import StoreError

FALLBACKS = ("sensible-editor", "editor", "nano", "vi")
SENDERS = ("me", "supplier", "platform", "note")


class EditorError(StoreError):
    """The editor could not be run, or it failed: nothing is saved. ``kept`` names the temp file
    when the text was kept for the user."""

    def __init__(self, message: str, kept: str | None = None) -> None:
        super().__init__(message)
        self.kept = kept


def editor_command(env: Mapping[str, str] | None = None,
                   which: Callable[[str], str | None] = shutil.which) -> list[str] | None:
    """The editor to run, as an argv list; None when there is none at all."""
    env = os.environ if env is None else env
    for var in ("VISUAL", "EDITOR"):
        value = (env.get(var) or "").strip()
        if value:
            try:
                argv = shlex.split(value)
            except ValueError:
                argv = [value]
            if argv:
                return argv
    for name in FALLBACKS:
        found = which(name)
        if found:
            return [found]
    return None


@dataclass
class Edited:
    text: str  # what the file held after the editor closed (decoded, "replace" on bad UTF-8)
    path: str | None  # the temp file, when kept


def run_editor(argv: list[str]) -> subprocess.CompletedProcess:
    """Run the editor and wait for it; Ctrl-C (SIGINT) stops it and raises KeyboardInterrupt.
    ``subprocess.run`` lost the editor when the interrupt landed while the child was being
    started (inside ``Popen()``, before there was a handle to kill): the editor ran on, holding
    the terminal and the command's output open (seen: a test's editor that signals disputes and
    then sleeps kept it 60 s). Here, in the main thread, SIGINT only sets a flag until the child
    is ours, and the wait polls the flag."""
    if threading.current_thread() is not threading.main_thread():
        return subprocess.run(argv)
    hit: list[int] = []
    old = signal.signal(signal.SIGINT, lambda *_: hit.append(1))
    try:
        with subprocess.Popen(argv) as proc:
            while True:
                try:
                    rc = proc.wait(timeout=0.05)
                    break
                except subprocess.TimeoutExpired:
                    if hit:
                        proc.kill()  # (Popen's exit waits for it)
                        break
    finally:
        signal.signal(signal.SIGINT, old)
    if hit:
        raise KeyboardInterrupt
    return subprocess.CompletedProcess(argv, rc)


def edit_text(text: str, prefix: str = "disputes-", suffix: str = ".txt", editor: list[str] | None = None,
              keep: bool = False, run: Callable = run_editor) -> Edited:
    """Writes ``text`` to a private temp file, runs the editor on it, reads it back.

    Raises ``EditorError`` when no editor is found, it cannot be started or it exits non-zero
    (the file is removed then). ``keep=True`` leaves the file for the caller to remove (the
    CLI keeps it when the save afterwards fails, so the edit is not lost)."""
    editor = editor or editor_command()
    if not editor:
        raise EditorError("no editor: set $VISUAL or $EDITOR (e.g. EDITOR=nano)")
    safe_prefix = re.sub(r"[^A-Za-z0-9_-]", "_", prefix)[:40]
    folder = tempfile.mkdtemp(prefix="disputes-edit-")  # 0700, ours alone
    fd, tmp = tempfile.mkstemp(prefix=safe_prefix, suffix=suffix, dir=folder)  # 0600, O_EXCL

    def cleanup() -> None:
        for path in (tmp,):
            try:
                os.unlink(path)
            except OSError:
                pass
        try:
            os.rmdir(folder)
        except OSError:
            pass

    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        cleanup()
        raise EditorError(f"cannot write the temp file: {exc.strerror or exc}") from None
    try:
        rc = run([*editor, tmp]).returncode
    except OSError as exc:
        cleanup()
        raise EditorError(f"cannot run editor {editor[0]!r}: {exc.strerror or exc}") from None
    except BaseException:  # Ctrl-C while editing: the edit is abandoned, its file too
        cleanup()
        raise
    if rc != 0:
        cleanup()
        raise EditorError(f"editor exited with status {rc}; nothing saved")
    try:
        fd2 = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd2, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        cleanup()
        raise EditorError(f"cannot read the edited text back: {exc.strerror or exc}") from None
    out = data.decode("utf-8", "replace").replace("\r\n", "\n")
    if keep:
        return Edited(out, tmp)
    cleanup()
    return Edited(out, None)


def discard(path: str | None) -> None:
    """Removes a file ``edit_text(keep=True)`` left, and its private folder."""
    if not path:
        return
    try:
        os.unlink(path)
    except OSError:
        pass
    try:
        os.rmdir(Path(path).parent)
    except OSError:
        pass


# -- a new message ---------------------------------------------------------------------------
def message_template(case_id: str, supplier: str, sender: str = "me") -> str:
    """The file a new message is written in. The leading ``#`` lines are dropped; the ``from:``
    line says who it is from (me, supplier, platform, note)."""
    who = " ".join(supplier.split())[:60]
    return (f"# New message on {case_id} ({who}).\n"
            f"# Write it below the from: line. These leading '#' lines are dropped;\n"
            f"# an empty message saves nothing. from: is one of {', '.join(SENDERS)}.\n"
            f"from: {sender}\n\n")


def parse_message(text: str, default_sender: str = "me") -> tuple[str, str]:
    """``(sender, body)`` from an edited message template; body "" means nothing to save.
    Only the leading comment block is dropped, so a message may itself hold '#' lines."""
    lines = text.split("\n")
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        i += 1
    sender = default_sender
    if i < len(lines):
        m = re.fullmatch(r"\s*from:\s*(\S*)\s*", lines[i], flags=re.IGNORECASE)
        if m:
            value = m.group(1).lower()
            if value not in SENDERS:
                raise EditorError(f"from: must be one of {', '.join(SENDERS)}, not {value!r}")
            sender = value
            i += 1
    body = "\n".join(lines[i:]).strip("\n")
    return sender, body.rstrip()


__all__ = ["EditorError", "Edited", "editor_command", "edit_text", "discard", "message_template",
           "parse_message", "FALLBACKS", "SENDERS"]
