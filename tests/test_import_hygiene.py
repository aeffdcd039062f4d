"""The store is the domain and persistence: it must import with no UI library installed.

Like harlequin's tests/unit_tests/test_import_hygiene.py: a fresh interpreter in which textual
and rich cannot be imported, then every store module. The command line and any future server
use the store without Textual; the import-linter contract in pyproject.toml checks the same
statically, this checks it at run time (including imports hidden in functions run at import).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The ones the board cannot do without, plus whatever else lives in store/ today.
NAMED = ["store", "store.model", "store.clocks", "store.backends.tinydb.store", "store.backends.tinydb.storage", "store.config",
         "store.ops", "store.sample"]
STORE_MODULES = NAMED + sorted({".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                                for p in (ROOT / "store").rglob("*.py")} - set(NAMED))

BLOCK = """
import importlib, sys

BLOCKED = ("textual", "rich", "tui")

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not available in this test")
        return None

sys.meta_path.insert(0, Block())
for name in list(sys.modules):
    if name.split(".")[0] in BLOCKED:
        del sys.modules[name]

for name in sys.argv[1:]:
    importlib.import_module(name)

# and the modules work, not just import: open a store and evaluate a clock
import tempfile, os
from datetime import datetime, timezone
import store
from store import TinyStore, ops
from store.clocks import urgency
from store.config import defaults
from store.sample import sample_cases
now = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
with tempfile.TemporaryDirectory() as d:
    s = TinyStore(os.path.join(d, "disputes.json"), cfg=defaults(), user="t", clock=lambda: now)
    s.import_cases(sample_cases(3, now, messages=2, evidence=1))
    s.update("D-0001", lambda c: ops.log(c, "me", "hi", now, "t"))
    urgency(s.get("D-0001"), defaults(), now)
    s.close()
leaked = sorted(n for n in sys.modules if n.split(".")[0] in BLOCKED)
assert not leaked, leaked
print("ok")
"""


def _run(*modules: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", BLOCK, *modules], env=env, capture_output=True,
                          text=True, timeout=60)


def test_store_imports_without_textual_or_rich():
    result = _run(*STORE_MODULES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_every_named_module_exists():
    assert all((ROOT / (m.replace(".", "/") + ".py")).exists() for m in NAMED[1:])


@pytest.mark.parametrize("ui", ["textual", "rich"])
def test_the_blocker_really_blocks(ui):
    # Guards the guard: if the finder stopped working, the test above would pass vacuously.
    result = _run(ui)
    assert result.returncode != 0 and "ImportError" in result.stderr


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each an import circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for m in sorted(edges):
        if m not in index:
            visit(m)
    return found


def test_no_import_circle():
    """No module of ours imports one that imports it back, at the top or inside a function (only
    ``if TYPE_CHECKING:`` imports, for annotations, are left out): each layer reads alone."""
    import grimp  # import-linter's own graph library (a test dependency through it)

    graph = grimp.build_graph("store", "tui", "themes", exclude_type_checking_imports=True)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert _cycles(edges) == []
    # the check itself finds a circle when there is one
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
