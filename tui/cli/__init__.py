"""`disputes`: the command line. With no subcommand it opens the board.

A contract scripts rely on: success exits 0; bad input exits non-zero with one line on
stderr and leaves the database byte-for-byte as it was. Exit codes: 1 refused input or
unknown case, 2 usage, 3 damaged or unreadable database, 4 conflict or lock timeout.
"""

from __future__ import annotations

import os
import sys

from store.config import ConfigError
from store.config import load as load_config
from store.errors import (
    ConflictError,
    DamagedDatabase,
    LockTimeout,
    NotFound,
    StoreError,
    ValidationError,
)

from ..safe import clean
from .common import EXIT_CONFLICT, EXIT_DAMAGED, EXIT_INPUT, Refusal, close_opened, open_db
from .registry import build_parser

__all__ = ["main", "build_parser"]


def board(args, cfg):
    """No subcommand: open the board (Textual is imported only here, never on a command's path)."""
    from ..app import run_board

    store = open_db(args, cfg, create=True)
    return run_board(store, cfg)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        close_opened()


def _main(argv: list[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        cfg = load_config()
        run = getattr(args, "run", None) or board
        rc = run(args, cfg)
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
    except PermissionError as exc:
        code, msg = EXIT_DAMAGED, f"{exc.filename}: permission denied"
    except BrokenPipeError:
        # `disputes list | head`: the reader left; not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    print(f"disputes: {clean(msg)}", file=sys.stderr)
    return code
