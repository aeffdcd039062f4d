"""Running ``disputes`` from a test: in this process (same code path from ``main()`` down) or in a
real one, and the bytes of a database, to show a refused command changed nothing."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

from tui.cli import main

ROOT = Path(__file__).resolve().parents[2]  # the project root

def _argv(db: Path, args: tuple[str, ...]) -> list[str]:
    # --db after the subcommand, as the contract says; before it for the global --at form
    return [*args, "--db", str(db)] if args and args[0] != "--at" else ["--db", str(db), *args]


def run(db: Path, *args: str, stdin: str | None = None, env: dict | None = None,
        real: bool = False) -> subprocess.CompletedProcess:
    """Run `disputes`. In a real process when ``real``; else in this one (same code path from
    main() down, without paying interpreter start-up 150 times)."""
    if real:
        e = {**os.environ, "PYTHONPATH": str(ROOT), "TZ": "UTC", **(env or {})}
        return subprocess.run([sys.executable, "-m", "tui.cli", *_argv(db, args)], input=stdin,
                              capture_output=True, text=True, env=e, timeout=60)
    out, err = io.BytesIO(), io.StringIO()
    saved = sys.stdout, sys.stderr, sys.stdin
    wrapper = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stdout = wrapper
    sys.stderr = err
    sys.stdin = io.StringIO(stdin or "")
    try:
        code = main(_argv(db, args))
    except SystemExit as exc:  # argparse --help
        code = exc.code or 0
    finally:
        wrapper.flush()
        sys.stdout, sys.stderr, sys.stdin = saved
    text = out.getvalue().decode("utf-8")
    wrapper.detach()
    return subprocess.CompletedProcess(args, code, text, err.getvalue())


def ok(db: Path, *args: str, **kw) -> str:
    r = run(db, *args, **kw)
    assert r.returncode == 0, r.stderr
    return r.stdout


def state(db: Path) -> dict[str, str | None]:
    """Every byte of the database: snapshot and journal."""
    out = {}
    for p in (db, db.with_name(db.name + ".journal")):
        out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
    return out
