"""Helpers for the tests of issue 12's board tools: a case with real files, an editor script."""

from __future__ import annotations

import base64
import stat
import sys
import textwrap
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from store import Case, ops

from tests.support.board import screen_text, settle  # noqa: F401 - these tests share the board's

from tests.support import NOW



def make_case(cid: str = "D-0001", **kw) -> Case:
    base = dict(id=cid, order="ORD-7781", supplier="Ningbo Brightway", reason="damaged",
                amount=Decimal("1250.10"), claimed=Decimal("375.03"), want="partial_refund",
                created_at=NOW - timedelta(days=3), stage_entered_at=NOW - timedelta(days=3),
                title="Cracked housings", description="12 of 40 panels cracked.")
    base.update(kw)
    return Case(**base)


def jpeg(path: Path, size=(400, 300)) -> Path:
    """A real JPEG, a gradient (so it is not all one colour)."""
    from PIL import Image

    im = Image.new("RGB", size)
    im.putdata([(x * 255 // size[0], y * 255 // size[1], 128) for y in range(size[1]) for x in range(size[0])])
    im.save(path, "JPEG", quality=85)
    return path


def attach(store, cid: str, path: Path, kind: str, note: str = "") -> None:
    store.update(cid, lambda k: ops.attach(k, path, kind, note, NOW, "tester"))


def editor_script(tmp_path: Path, body: str, name: str = "ed.py") -> str:
    """An executable editor: Python ``body`` run with ``p`` = the file to edit; it also logs the
    file's path, mode and folder mode to ``<tmp>/editor.log``. Returns the $EDITOR value."""
    script = tmp_path / name
    log = tmp_path / "editor.log"
    script.write_text(textwrap.dedent(f"""\
        import os, stat, sys
        p = sys.argv[1]
        st, dst = os.stat(p), os.stat(os.path.dirname(p))
        with open({str(log)!r}, "a") as fh:
            fh.write(f"{{p}} {{stat.S_IMODE(st.st_mode):o}} {{stat.S_IMODE(dst.st_mode):o}}\\n")
        text = open(p, encoding="utf-8").read()
    """) + textwrap.dedent(body))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return f"{sys.executable} {script}"


def editor_log(tmp_path: Path) -> list[list[str]]:
    log = tmp_path / "editor.log"
    return [line.split() for line in log.read_text().splitlines()] if log.exists() else []


def osc52(text: str) -> str:
    return "\x1b]52;c;" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "\a"


class DriverTap:
    """Records what the app asks its driver to write (Pilot's headless driver writes nothing),
    passing every write on: the bytes a real terminal would have been sent."""

    def __init__(self, app) -> None:
        self.writes: list[str] = []
        driver = app._driver
        original = driver.write

        def write(data: str) -> None:
            self.writes.append(data)
            original(data)

        driver.write = write
