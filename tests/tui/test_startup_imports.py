"""What the board imports before its first frame, and the terminal question asked beside it.

Each check runs in a fresh interpreter (the test process has imported everything already). Its
stdout is a pipe, not a terminal, so textual-image asks nothing there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support import ROOT

# Imported when first used: the Outcomes charts, the picture decoder and the terminal-image
# widget, the packet writer, free-text date parsing, a form's text area, mail; the detail, Today
# and help screens (``screens.base.kind``). Never: the iso4217 package (its table file is read
# instead, store.money).
LATER = ("iso4217", "plotext", "textual_plotext", "PIL", "textual_image", "tui.screens.outcomes", "tui.trends",
         "tui.screens.statement", "store.packet", "dateutil.parser", "textual.widgets._text_area",
         "smtplib", "store.notify", "store.importers", "tui.screens.detail", "tui.screens.today",
         "tui.screens.help")


def _modules(code: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_board_starts_without_what_only_other_screens_use():
    got = _modules("import json, sys, tui.cli, tui.app; print(json.dumps(sorted(sys.modules)))")
    early = [m for m in got if any(m == p or m.startswith(p + ".") for p in LATER)]
    assert early == []


def test_the_picture_widget_imports_nothing_the_board_imports_meanwhile():
    """The board imports textual-image in the preview's worker thread, with the first picture,
    while the UI thread goes on (``tui.thumbnail.prepare_pictures``): no module may be imported by both at
    once (each could meet the other's half-done), so the import meets only modules of its own
    (PIL, textual-image and what only they use)."""
    first = "import json, sys, tui.cli, tui.app, tui.thumbnail; before = set(sys.modules); "
    then = "; print(json.dumps(sorted(set(sys.modules) - before)))"
    question = set(_modules(first + "import textual_image.widget" + then))
    assert not [m for m in question if m.split(".")[0] in ("tui", "store", "textual", "rich")]
    assert "textual_image.widget" in question


def test_asking_the_terminal_imports_no_picture_code_and_leaves_the_switch_interval_as_it_was():
    got = _modules("""
import json, sys
from tui.terminal_question import ask_terminal
from tui.thumbnail import EvidencePreview, prepare_pictures
interval = sys.getswitchinterval()
answered = ask_terminal()
answered()
early = "textual_image" in sys.modules or "PIL" in sys.modules
prepare_pictures()
print(json.dumps({"early": early, "later": "textual_image.widget" in sys.modules,
                  "interval": sys.getswitchinterval() == interval}))
""")
    assert got == {"early": False, "later": True, "interval": True}


def test_the_picture_code_is_imported_for_the_first_picture_and_not_before(tmp_path):
    """The board (with the pane beside it) and the case's detail screen with its evidence
    preview: on a case whose evidence is a PDF, neither textual-image nor PIL is imported (2.6
    MB and 40-60 ms of imports every start paid before); on one whose evidence is a photo they
    come with the picture, which is then drawn."""
    from tests.support.tools import jpeg

    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + os.urandom(3000))
    photo = jpeg(tmp_path / "crack.jpg", (400, 300))
    got = _modules(f"""
import asyncio, json, sys
from store import TinyStore
from store.config import defaults
from tests.support.tools import NOW, attach, make_case
from tui.app import DisputeApp
cfg = defaults()
seen = {{}}
for name, path, kind in (("pdf", {str(pdf)!r}, "invoice"), ("photo", {str(photo)!r}, "photo")):
    s = TinyStore({str(tmp_path)!r} + "/" + name + ".json", cfg=cfg, user="t", clock=lambda: NOW)
    s.create(make_case())
    attach(s, "D-0001", path, kind)
    async def main():
        app = DisputeApp(s, cfg, clock=lambda: NOW)
        async with app.run_test(size=(160, 45)) as pilot:
            for k in ("", "j", "k", "enter"):
                if k:
                    await pilot.press(k)
                for _ in range(3):
                    await app.workers.wait_for_complete(); await pilot.pause()
            preview = app.screen.query_one("#evidence-preview")
            return app.screen_stack[0].query_one("#detail-side").display, preview.image is not None
    pane, drawn = asyncio.run(main())
    s.close()
    seen[name] = {{"pane": pane, "drawn": drawn,
                   "imported": sorted(m for m in ("PIL", "textual_image") if m in sys.modules)}}
print(json.dumps(seen))
""")
    assert got == {"pdf": {"pane": True, "drawn": False, "imported": []},
                   "photo": {"pane": True, "drawn": True, "imported": ["PIL", "textual_image"]}}


def test_the_board_start_collects_nothing_and_freezes_what_it_made_even_when_it_fails():
    got = _modules("""
import gc, json
from tui.cli import _long_lived
seen = []
try:
    with _long_lived():
        seen.append(gc.isenabled())
        raise OSError("the database cannot be read")
except OSError:
    pass
print(json.dumps({"inside": seen, "after": gc.isenabled(), "frozen": gc.get_freeze_count() > 0}))
""")
    assert got == {"inside": [False], "after": True, "frozen": True}


def test_the_database_read_ahead_of_the_app_imports_nothing_the_board_imports_meanwhile(tmp_path):
    """``tui.cli.board`` opens the database and reads the board's cases in a thread while the main
    thread imports the app, Textual first of all: that thread must import no module at all (it
    could meet one half-done by the other), for a new database, a first read without the summary
    cache, and one with it. Each import is recorded with the thread asking for it, from the point
    where the board starts that thread: before Textual is imported."""
    got = _modules(f"""
import argparse, json, os, sys, threading
os.environ["XDG_CACHE_HOME"] = {str(tmp_path / "cache")!r}
import tui.cli
from store.config import load
from tui.cli import _Ahead
asked = []
class Recorder:
    def find_spec(self, name, path=None, target=None):
        asked.append((threading.current_thread().name, name))
        return None
sys.meta_path.insert(0, Recorder())
cfg = load()
args = argparse.Namespace(db={str(tmp_path / "d.json")!r})
seen = {{"textual before": "textual" in sys.modules}}
s = _Ahead(args, cfg).store()
seen["new"] = sorted(n for t, n in asked if t == "board-ahead")
from datetime import datetime, timezone
from store.sample import sample_cases
s.import_cases(sample_cases(40, datetime(2026, 11, 26, tzinfo=timezone.utc)))
s.close()
for name in ("cold", "warm"):
    asked.clear()
    s = _Ahead(args, cfg).store()
    seen[name] = sorted(n for t, n in asked if t == "board-ahead")
    seen[name + " cases"] = len(s.board_cases())
    s.save_summary(soon=False)
    s.close()
print(json.dumps(seen))
""")
    assert got == {"textual before": False, "new": [], "cold": [], "cold cases": 40, "warm": [], "warm cases": 40}


def test_commands_that_hash_nothing_load_no_openssl(tmp_path):
    """hashlib (and secrets, through hmac) load OpenSSL's libcrypto: 1.5-1.7 MB of the peak memory
    of `disputes show` and `--help` at 1,000 cases (bench/peak.py), for commands that hash nothing.
    A command that reads or changes a case leaves it unloaded; one reading every case through the
    summary cache (list) loads it, for the cache's digests."""
    db = tmp_path / "d.json"
    made = subprocess.run([sys.executable, "-m", "tui.cli", "demo", "--db", str(db), "--cases", "12"], cwd=ROOT,
                          env=dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache")), capture_output=True,
                          text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    seen = {}
    for argv in (["--help"], ["show", "--db", str(db), "D-0003"], ["edit", "--db", str(db), "D-0003", "--title", "x"],
                 ["list", "--db", str(db)]):
        got = _modules(f"""
import contextlib, io, json, os, sys
os.environ["XDG_CACHE_HOME"] = {str(tmp_path / "cache")!r}
from tui.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        rc = main({argv!r})
    except SystemExit as exc:
        rc = exc.code
print(json.dumps([rc, "_hashlib" in sys.modules]))
""")
        seen[argv[0]] = got
    assert seen == {"--help": [0, False], "show": [0, False], "edit": [0, False], "list": [0, True]}


def test_a_preview_tries_only_the_picture_formats_evidence_is_named_for(tmp_path):
    """Seen at 10k in the bench: the first `enter` grew the board by 8 MB for good. Its case's
    photo was a placeholder named .jpg; none of Pillow's five common readers knew it, so Pillow
    imported all of its plugins (EPS, PDF, FITS, ... ~45) to try each. A file named for a picture
    is now tried as the six formats such names are, and a hostile one reaches no other reader.
    Each of those six still decodes."""
    from PIL import Image

    (tmp_path / "junk.jpg").write_bytes(b"not a jpeg, a text saved with the wrong name\n")
    ext = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp", "TIFF": "tif"}
    for fmt, suffix in ext.items():
        Image.new("RGB", (64, 48), (200, 30, 30)).save(tmp_path / f"p.{suffix}", format=fmt)
    # an EPS (Ghostscript's to read) named as a photo
    (tmp_path / "eps.jpg").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    got = _modules(f"""
import json, sys
from pathlib import Path
from datetime import datetime, timezone
from store import ops
from tests.support.tools import make_case
from tui.thumbnail import load_preview
case = make_case()
names = ["junk.jpg", "eps.jpg"] + ["p." + s for s in {sorted(ext.values())!r}]
for name in names:
    ops.attach(case, Path({str(tmp_path)!r}) / name, "photo", "", datetime(2026, 11, 26, tzinfo=timezone.utc), "t")
states = {{Path(e.path).name: load_preview(e, i).state for i, e in enumerate(case.evidence)}}
plugins = sorted(m for m in sys.modules if m.startswith("PIL.") and m.endswith("ImagePlugin"))
print(json.dumps({{"states": states, "plugins": plugins}}))
""")
    assert got["states"] == {"junk.jpg": "undecodable", "eps.jpg": "undecodable",
                             **{f"p.{s}": "image" for s in ext.values()}}
    assert "PIL.EpsImagePlugin" not in got["plugins"] and "PIL.PdfImagePlugin" not in got["plugins"]
    assert len(got["plugins"]) <= 8, got["plugins"]  # the six, and the PPM and MPO Pillow's JPEG reader brings
