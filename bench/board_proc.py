#!/usr/bin/env python3
"""The board as `disputes [--db X]` runs it, with bench/marks.py's frame marks: the real CLI
entry (tui.cli.main), the real driver, the real terminal, the board's modules imported where
the CLI imports them; only the App class is the marked subclass. bench/figures.py launches it
on a pty.

    .venv/bin/python bench/board_proc.py --db PATH
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from marks import Marks  # noqa: E402


class _MarkTheApp(importlib.abc.MetaPathFinder):
    """When the CLI imports ``tui.app`` (inside ``tui.cli.board``, beside what it does meanwhile:
    the terminal question, the database read ahead), its App becomes the marked subclass. The
    board is imported exactly when and where `disputes` imports it, not before ``main``."""

    def find_spec(self, name, path, target=None):
        if name != "tui.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        real = spec.loader

        class Loader(importlib.abc.Loader):
            def create_module(self, spec):
                return real.create_module(spec)

            def exec_module(self, module):
                real.exec_module(module)

                class MarkedBoard(Marks, module.DisputeApp):
                    pass

                module.DisputeApp = MarkedBoard  # run_board builds the App by this name

        spec.loader = Loader()
        return spec


sys.meta_path.insert(0, _MarkTheApp())
from tui.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
