"""`disputes`: the command line. With no subcommand it opens the board.

A contract scripts rely on: success exits 0; bad input exits non-zero with one line on
stderr and leaves the database byte-for-byte as it was. Exit codes: 1 refused input or
unknown case, 2 usage, 3 damaged or unreadable database, 4 conflict or lock timeout.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager

from store.config import ConfigError
from store.config import load as load_config
from store.summary import paused_gc
from store.errors import (
    ConflictError,
    DamagedDatabase,
    LockTimeout,
    NotFound,
    StoreError,
    ValidationError,
)

from ..safe import clean
from .common import EXIT_CONFLICT, EXIT_DAMAGED, EXIT_INPUT, CleanStdout, Refusal, close_opened, open_db
from .registry import build_parser

__all__ = ["main", "build_parser"]


def board(args, cfg):
    """No subcommand: open the board (Textual is imported only here, never on a command's path)."""
    with _long_lived():
        from ..terminal_question import ask_terminal

        # The terminal is asked what pictures it can draw, and the database is read, while the
        # board imports (Textual first of all: ~150 ms the read ahead waited for when the
        # question's module imported it); answered() waits for the terminal's answer before the
        # app takes the terminal.
        answered = ask_terminal()
        ahead = _Ahead(args, cfg)
        try:
            from ..app import run_board

            store = ahead.store()
        finally:
            answered()
    return run_board(store, cfg)


class _Ahead:
    """The database opened, and the board's cases read, in a thread while the main thread
    imports Textual and the app: reading the file, hashing each case against the summary
    cache and the rest of the file work let go of the GIL, so that much of the load is done
    beside the imports (the board's first load then finds every case read, ``board_cases``).
    Only when the read is quick (``board_cases_quick``: the summary cache has the cases, or
    there are few): a first open of 10,000 cases without it takes seconds, and the board
    shows its first cards meanwhile. An error opening the database is raised by ``store()``,
    in the main thread, as before; one reading the cases is left to the board's own load,
    which reads them again and says what is wrong."""

    def __init__(self, args, cfg) -> None:
        import threading

        import hashlib  # noqa: F401 - the thread's summary digests cases: imported here, not in it

        self._args, self._cfg = args, cfg
        self._store = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="board-ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._store = open_db(self._args, self._cfg, create=True)
        except BaseException as exc:  # noqa: BLE001 - raised again in the main thread by store()
            self._error = exc
            return
        try:
            if self._store.board_cases_quick():
                self._store.board_cases()
        except (StoreError, OSError, ValueError, ArithmeticError):
            pass  # the board's load reads them again, and shows the error

    def store(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._store


@contextmanager
def _long_lived():
    """Almost all that is made inside (the app's modules and classes, the database read) lives as
    long as the process: no collection runs meanwhile (none would free anything, each walks it
    all: 40-90 ms of collections before the first frame at 10,000 cases), and none walks it
    afterwards (``gc.freeze``)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.freeze()


def _os_line(exc: OSError) -> str:
    what = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is not None:
        name = os.fsdecode(exc.filename) if isinstance(exc.filename, bytes) else str(exc.filename)
        return f"{name}: {what[:1].lower() + what[1:]}"
    return what


def main(argv: list[str] | None = None) -> int:
    """Run one command. Every failure is one line on stderr and an exit code, never a traceback
    ($DISPUTES_DEBUG=1 re-raises an unexpected error, for a bug report)."""
    ending = [] if argv is None else None  # the process ends after this: see _exit_now
    try:
        rc = _main(argv, ending)
    finally:
        try:
            close_opened(ending)  # after a failure (already reported in its one line): let go, quietly
        except Exception:  # noqa: BLE001 - the command's own line is the one that matters
            pass
    if ending is not None:
        _exit_now(rc)
    return rc


# _commands_collect_nothing: a command runs without the cyclic garbage collector (reference
# counting frees as usual). What it reads, it keeps until it ends, and almost none of it is in a
# cycle, yet each collection walked all of it: at 10,000 cases the collections were 200 ms of a
# 1 s digest (triage 330 -> 190 ms, the read 50 ms). Its cyclic garbage (a traceback or two) is
# freed at exit.


@contextmanager
def _collect_nothing(ending: list | None):
    """A command runs without the cyclic collector (``_commands_collect_nothing``). When the
    process ends after it (``ending``, see ``_exit_now``), the collector stays off: turned back on,
    the first allocation after started a pass over everything the command made (more than the
    threshold of young objects since the last pass), to free nothing that ``os._exit`` would not;
    at 10,000 cases 25 of a digest's ~330 ms on the main thread (py-spy, 6 runs). Called in-process
    (``main(argv)``), it is turned back on as it was."""
    if ending is not None:
        gc.disable()
        yield
        return
    with paused_gc():
        yield


def _exit_now(rc: int) -> None:
    """End the process without freeing what it read, object by object: at 10,000 cases that
    was 70-100 ms of every command's wall time after its work was done and written, and 45 ms
    of quitting the board (318 -> 271 ms from q to the prompt). Only for `disputes` run as a
    process (``main()`` with no argv; tests calling ``main(argv)``
    return), after its stores are closed (the fold at close is done and fsync'd). What a normal
    exit does that matters still happens, in its order: other threads are waited for (a cache
    write in the board's load worker ends whole), the exit handlers run, and stdout and stderr
    are flushed; an output that cannot be written is reported as Python would (exit 120)."""
    import atexit

    threading = sys.modules.get("threading")
    shutdown = getattr(threading, "_shutdown", None)  # what the interpreter's own exit calls first
    if shutdown is not None:
        shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass  # the reader left (`disputes list | head`): not an error, as in _main
        except (OSError, ValueError):
            rc = rc or 120
    os._exit(rc)


def _main(argv: list[str] | None, ending: list | None = None) -> int:
    saved = sys.stdout
    try:
        args = build_parser().parse_args(argv)
        cfg = load_config()
        run = getattr(args, "run", None)
        if run is None:
            return board(args, cfg) or 0
        sys.stdout = CleanStdout(saved)  # whatever a command prints, user text is made harmless
        with _collect_nothing(ending):
            rc = run(args, cfg)
            sys.stdout.flush()
            close_opened(ending)  # the fold at close: a fault in it is this command's one line
        return rc or 0
    except Refusal as exc:
        code, msg = exc.code, str(exc)
    except NotFound as exc:
        code, msg = EXIT_INPUT, str(exc)
    except (ValidationError, ConfigError) as exc:
        code, msg = EXIT_INPUT, str(exc)
    except DamagedDatabase as exc:
        code, msg = EXIT_DAMAGED, str(exc)
    except (ConflictError, LockTimeout) as exc:
        code, msg = EXIT_CONFLICT, str(exc)
    except StoreError as exc:
        code, msg = EXIT_INPUT, str(exc)
    except BrokenPipeError:
        # `disputes list | head`: the reader left; not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), saved.fileno())
        return 0
    except OSError as exc:
        # The database (or a file beside it) cannot be read or written: read-only file system,
        # a lock or journal that is a folder or a link loop, a full disk, permission denied.
        code, msg = EXIT_DAMAGED, _os_line(exc)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a value nothing above foresaw: still one line, not a traceback
        if os.environ.get("DISPUTES_DEBUG"):
            raise
        code, msg = EXIT_INPUT, f"cannot do that: {type(exc).__name__}: {exc} (DISPUTES_DEBUG=1 shows where)"
    finally:
        sys.stdout = saved
    msg = " ".join(clean(msg).split()) or "failed"
    print(f"disputes: {msg}", file=sys.stderr)
    return code
