"""Cases and evidence files for the tests: outcomes, evidence marks, the detail."""

from __future__ import annotations

from tests.support import NOW  # noqa: F401 - the one instant every test uses
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from store import TinyStore, ops
from store.model import Case, Message
from store.sample import sample_cases


def make_case(reason: str = "damaged", **kw) -> Case:
    base = dict(
        id="D-0001", order="ORD-7781", supplier="Ningbo Brightway", reason=reason,
        amount=Decimal("1250.10"), created_at=NOW - timedelta(days=10), stage_entered_at=NOW - timedelta(days=3),
        product="LED panel lights 600x600", description="12 of 40 panels arrived with cracked housings.",
        want="partial_refund", claimed=Decimal("375.03"), received_at=NOW - timedelta(days=12),
        paid_at=NOW - timedelta(days=40),
    )
    base.update(kw)
    return Case(**base)


def add_file(case: Case, path: Path, data: bytes, kind: str, note: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    ops.attach(case, path, kind, note, NOW, "tester")
    return path


def chat(case: Case) -> None:
    case.messages += [
        Message(NOW - timedelta(days=9), "me", "Order arrived with 12 cracked panels; photos attached.", "t"),
        Message(NOW - timedelta(days=8), "supplier", "The goods left our factory in perfect condition.", "t"),
        Message(NOW - timedelta(days=8, hours=-1), "note", "INTERNAL: they always say that", "t"),
        Message(NOW - timedelta(days=7), "me", "Please confirm the refund amount.\nSecond line.", "t"),
    ]


def seeded_store(db_path: Path, cfg, cls=None, n: int = 40):
    """A store (``cls``, TinyStore unless told) on ``db_path`` holding ``n`` realistic cases over
    the five stages, its clock at ``NOW``: what the ``seeded`` fixture gives. Close it after."""
    s = (cls or TinyStore)(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases(sample_cases(n, NOW, messages=4, evidence=2))
    return s


def case_with_files(n: int, folder: Path, reason: str = "damaged", gone: tuple[str, ...] = ()) -> Case:
    """Case ``D-<n>`` with a photo and an invoice attached from ``folder`` (100 + n bytes each);
    the files of the kinds in ``gone`` are then deleted (their mark: missing)."""
    c = Case(id=f"D-{n:04d}", order=f"ORD-{n}", supplier=f"Files {n}", reason=reason, amount=Decimal("100"),
             created_at=NOW - timedelta(days=2), stage_entered_at=NOW - timedelta(days=1))
    for kind in ("photo", "invoice"):
        f = folder / f"{n}-{kind}.pdf"
        f.write_bytes(b"x" * (100 + n))
        ops.attach(c, f, kind, "", NOW - timedelta(days=1), "tester")
    for kind in gone:
        (folder / f"{n}-{kind}.pdf").unlink()
    return c
