"""Realistic sample cases: for `disputes demo`, the tests and the benchmarks.

Deterministic for a given seed and ``now``; every case carries the shape a real one does
(messages both ways, evidence with hashes, amounts with cents, suppliers with CJK names).
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from .model import (EVIDENCE_KINDS, PLATFORMS, REASONS, RESOLUTIONS, STAGES, Case, Deadline, Evidence,
                    HistoryEntry, Message, case_id)

SUPPLIERS = [
    "Ningbo Brightway Trading Co., Ltd.", "Shenzhen Topfly Electronics", "Yiwu Sunrise Crafts",
    "Guangzhou Meilin Textile", "Xiamen Oceanic Packaging", "Hangzhou 杭州优品贸易有限公司",
    "Dongguan Precision Molds", "Foshan Lighting Direct", "Qingdao Harbor Tools", "Suzhou Silkroad Apparel",
]
PRODUCTS = [
    ("LED panel lights 600x600", "damaged"), ("Bluetooth speakers, 500 pcs", "quality"),
    ("Stainless tumblers 20oz", "short_shipment"), ("Cotton tote bags, printed", "wrong_item"),
    ("Phone cases iPhone 16", "not_received"), ("Injection-molded housings", "quality"),
    ("Ceramic mugs, custom logo", "damaged"), ("Yoga mats 6mm", "wrong_item"),
]
SUPPLIER_LINES = [
    "We are checking with our warehouse, please wait.", "Please send photos of the damaged goods.",
    "We can offer 10% discount on your next order.", "The goods left our factory in perfect condition.",
    "Sorry for the trouble, we will arrange a partial refund.",
]
MY_LINES = [
    "Order arrived with {n} cartons crushed; photos attached.", "Please confirm the refund amount.",
    "The colour does not match the approved sample.", "We have not received tracking updates for 20 days.",
    "Following up on my message from Monday.",
]


def sample_cases(n: int, now: datetime, seed: int = 7, messages: int = 10, evidence: int = 5,
                 start_id: int = 1) -> list[Case]:
    """``n`` cases as a team would have them open on ``now``: most clocks still running, some
    due soon, a few overdue; messages both ways so whose turn it is varies."""
    rng = random.Random(seed)
    out: list[Case] = []
    for i in range(n):
        product, reason = PRODUCTS[rng.randrange(len(PRODUCTS))]
        if rng.random() < 0.2:
            reason = rng.choice(REASONS)
        stage = rng.choices(STAGES, weights=(30, 25, 15, 15, 15))[0]
        # How long the case has been in its stage: mostly within its clocks, sometimes past them.
        span_days = {"seller": 6, "dispute": 8, "evidence": 6, "mediation": 16, "resolved": 10}[stage]
        entered = now - timedelta(hours=rng.uniform(1, span_days * 24))
        before = {"seller": 0, "dispute": 3, "evidence": 8, "mediation": 12, "resolved": 20}[stage]
        created = entered - timedelta(days=before * rng.uniform(0.6, 1.2), hours=rng.randint(0, 12))
        amount = Decimal(rng.randint(8000, 2500000)) / 100
        c = Case(
            id=case_id(start_id + i), order=f"{rng.randint(10**14, 10**15 - 1)}",
            supplier=SUPPLIERS[rng.randrange(len(SUPPLIERS))], reason=reason, amount=amount,
            created_at=created, stage_entered_at=entered, currency="USD",
            platform=rng.choices(PLATFORMS, weights=(70, 15, 10, 5))[0],
            title=f"{product}: {reason.replace('_', ' ')}", product=product,
            description=f"Ordered {product}; {reason.replace('_', ' ')} on arrival.",
            want=rng.choice(RESOLUTIONS), received_at=created - timedelta(days=rng.randint(1, 12)),
            paid_at=created - timedelta(days=rng.randint(20, 40)), stage=stage,
        )
        if STAGES.index(stage) >= 1:
            c.opened_at = entered if stage == "dispute" else created + (entered - created) * rng.uniform(0.1, 0.4)
        if STAGES.index(stage) >= 3:
            c.escalated_at = entered if stage == "mediation" else c.opened_at + (entered - c.opened_at) * 0.6
        if stage == "evidence":
            c.deadlines.append(Deadline("evidence_due", now + timedelta(hours=rng.uniform(-20, 140)), True,
                                        "evidence due (set by the platform)", None, 480))
        if stage == "resolved":
            c.outcome = rng.choice(("refunded", "partially_refunded", "rejected", "replaced"))
            c.recovered = {"refunded": amount, "partially_refunded": (amount / 2).quantize(Decimal("0.01"))}.get(
                c.outcome, Decimal("0"))
            c.closed_at = entered
        # The thread: spread from creation to now, alternating; the last word decides whose turn.
        times = sorted(created + (now - created) * rng.random() for _ in range(messages))
        for k, t in enumerate(times):
            sender = "me" if k % 2 == 0 else rng.choice(("supplier", "supplier", "platform", "note"))
            if k == len(times) - 1:
                sender = rng.choice(("me", "supplier", "me", "note"))
            text = (MY_LINES[rng.randrange(len(MY_LINES))].format(n=rng.randint(2, 9)) if sender == "me"
                    else SUPPLIER_LINES[rng.randrange(len(SUPPLIER_LINES))])
            c.messages.append(Message(t, sender, text, "demo"))
        if c.escalated_at is not None and c.escalated_at + timedelta(days=1) < now and rng.random() < 0.85:
            c.messages.append(Message(c.escalated_at + timedelta(days=1), "platform",
                                      "The dispute team has received the case and is reviewing both sides.",
                                      "demo"))
            c.messages.sort(key=lambda m: m.at)
        for k in range(evidence):
            kind = EVIDENCE_KINDS[(i + k) % len(EVIDENCE_KINDS)]
            name = f"/srv/evidence/{c.id}/{kind}-{k + 1}.{'jpg' if kind in ('photo', 'video') else 'pdf'}"
            c.evidence.append(Evidence(name, kind, f"{kind} for order {c.order}",
                                       created + (now - created) * rng.random(),
                                       rng.randint(20_000, 4_000_000), hashlib.sha256(name.encode()).hexdigest(),
                                       "demo"))
        c.history = [HistoryEntry(created, "demo", "create", f"{c.supplier}: {c.title}")]
        c.rev = 1
        out.append(c)
    return out


def materialize_evidence(cases: list[Case], folder: Path, missing_every: int = 12) -> int:
    """Write a small placeholder file for each sample evidence entry under ``folder`` and record
    its real size and SHA-256, so the demo board shows evidence as present; every
    ``missing_every``-th case keeps one file missing, as real teams' boards do. Returns files written."""
    written = 0
    for i, c in enumerate(cases):
        for k, e in enumerate(c.evidence):
            target = folder / c.id / Path(e.path).name
            if missing_every and i % missing_every == 0 and k == 0:
                e.path = str(target)  # recorded, never written: shows as missing
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            data = f"Dispute Board demo evidence\n{c.id} {e.kind}: {e.note}\n".encode()
            target.write_bytes(data)
            e.path, e.size, e.sha256 = str(target), len(data), hashlib.sha256(data).hexdigest()
            written += 1
    return written
