#!/usr/bin/env python3
"""The board as `disputes [--db X]` runs it, with bench/marks.py's frame marks: the real CLI
entry (tui.cli.main), the real driver, the real terminal; only the App class is the marked
subclass. bench/figures.py launches it on a pty.

    .venv/bin/python bench/board_proc.py --db PATH
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from marks import Marks  # noqa: E402

import tui.app as app_module  # noqa: E402


class MarkedBoard(Marks, app_module.DisputeApp):
    pass


app_module.DisputeApp = MarkedBoard  # run_board builds the App by this name
from tui.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
