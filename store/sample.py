"""Realistic sample cases: for `disputes demo`, the tests and the benchmarks.

Deterministic for a given seed and ``now``; every case carries the shape a real one does
(messages both ways, evidence with hashes, amounts with cents, suppliers with CJK names).
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from decimal import Decimal

from .model import EVIDENCE_KINDS, PLATFORMS, REASONS, RESOLUTIONS, STAGES, Case, Evidence, HistoryEntry, Message, case_id

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
    rng = random.Random(seed)
    out: list[Case] = []
    for i in range(n):
        product, reason = PRODUCTS[rng.randrange(len(PRODUCTS))]
        if rng.random() < 0.2:
            reason = rng.choice(REASONS)
        stage = rng.choices(STAGES, weights=(30, 25, 15, 15, 15))[0]
        created = now - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23))
        entered = created + (now - created) * rng.random()
        amount = Decimal(rng.randint(8000, 2500000)) / 100
        c = Case(
            id=case_id(start_id + i), order=f"{rng.randint(10**14, 10**15 - 1)}",
            supplier=SUPPLIERS[rng.randrange(len(SUPPLIERS))], reason=reason, amount=amount,
            created_at=created, stage_entered_at=entered, currency="USD",
            platform=rng.choices(PLATFORMS, weights=(70, 15, 10, 5))[0],
            title=f"{product}: {reason.replace('_', ' ')}", product=product,
            description=f"Ordered {product}; {reason.replace('_', ' ')} on arrival.",
            want=rng.choice(RESOLUTIONS), received_at=created - timedelta(days=rng.randint(0, 5)),
            paid_at=created - timedelta(days=rng.randint(20, 40)), stage=stage,
        )
        if STAGES.index(stage) >= 1:
            c.opened_at = created + timedelta(days=rng.randint(1, 4))
        if STAGES.index(stage) >= 3:
            c.escalated_at = c.opened_at + timedelta(days=rng.randint(3, 7))
        if stage == "resolved":
            c.outcome = rng.choice(("refunded", "partially_refunded", "rejected", "replaced"))
            c.recovered = {"refunded": amount, "partially_refunded": (amount / 2).quantize(Decimal("0.01"))}.get(
                c.outcome, Decimal("0"))
            c.closed_at = entered
        t = created
        for k in range(messages):
            t = t + timedelta(hours=rng.randint(2, 30))
            sender = "me" if k % 2 == 0 else rng.choice(("supplier", "supplier", "platform", "note"))
            text = (MY_LINES[rng.randrange(len(MY_LINES))].format(n=rng.randint(2, 9)) if sender == "me"
                    else SUPPLIER_LINES[rng.randrange(len(SUPPLIER_LINES))])
            c.messages.append(Message(min(t, now), sender, text, "demo"))
        for k in range(evidence):
            kind = EVIDENCE_KINDS[(i + k) % len(EVIDENCE_KINDS)]
            name = f"/srv/evidence/{c.id}/{kind}-{k + 1}.{'jpg' if kind in ('photo', 'video') else 'pdf'}"
            c.evidence.append(Evidence(name, kind, f"{kind} for order {c.order}", created + timedelta(days=k),
                                       rng.randint(20_000, 4_000_000), hashlib.sha256(name.encode()).hexdigest(),
                                       "demo"))
        c.history = [HistoryEntry(created, "demo", "create", f"{c.supplier}: {c.title}")]
        c.rev = 1
        out.append(c)
    return out
