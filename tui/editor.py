"""The board's side of "edit in $EDITOR": the app suspended, the editor run, the app restored.

Which editor and the private temp file are ``store.editor``'s (the CLI uses the same rule).
The editor runs on the UI thread inside ``App.suspend()``: the terminal belongs to the editor
until it exits, and nothing of the board is drawn meanwhile. Where the driver cannot suspend
(Pilot's headless driver has no terminal to hand over) the editor runs without it; elsewhere
(Textual web) the user is told and nothing runs.
"""

from __future__ import annotations

from textual.app import App, SuspendNotSupported

from store.editor import EditorError, edit_text

from .safe import clean


def _edit(text: str, prefix: str) -> tuple[str | None, str]:
    # Never raises: an exception out of the ``with app.suspend()`` block would skip Textual's
    # resume (its context manager has no ``finally``) and leave the terminal to nobody.
    try:
        return edit_text(text, prefix=prefix).text, ""
    except EditorError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - same reason: report, and let the board resume
        return None, f"editor failed: {exc}"


def run_editor(app: App, text: str, prefix: str) -> str | None:
    """The text after the user's editor, or None (no editor, it failed: the user is told)."""
    try:
        with app.suspend():
            result, error = _edit(text, prefix)
    except SuspendNotSupported:
        if not app.is_headless:
            app.notify("This terminal cannot hand over to an editor; edit in the form instead.",
                       title="No external editor", severity="warning")
            return None
        result, error = _edit(text, prefix)
    if error:
        app.notify(clean(error), title="Editor", severity="error", markup=False, timeout=8)
    return result


__all__ = ["run_editor"]
