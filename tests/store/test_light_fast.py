"""The light decoder's fast path (msgspec Structs from each rule's ``shape``, store.light) is
never laxer than the validator: over hostile values for every field kind, ``light_case`` gives
exactly what the slow path (``validate.case_from_dict`` on ``light_dict``) gives, or refuses with
the same one line. The corpus is proved able to fail: loosening any one shape makes it find a
value the fast path lets through and the validator refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from store import DamagedDatabase, light, money, validate
from store.model import Case
from store.sample import sample_cases
from tests.support import NOW

ROOT = Path(__file__).resolve().parents[2]
_RECORDS = {"messages": validate.MESSAGE, "evidence": validate.EVIDENCE, "deadlines": validate.DEADLINE,
            "proposals": validate.PROPOSAL}


def _base() -> dict:
    c = sample_cases(1, NOW, seed=3, messages=2, evidence=2)[0]
    d = c.to_dict()
    d["proposals"] = [{"at": "2026-11-20T10:00:00+00:00", "from": "supplier", "kind": "partial_refund",
                       "amount": "10.00", "status": "open"}]
    d["tags"] = ["urgent", "q4"]
    d["deadlines"] = d["deadlines"] or [{"kind": "evidence_due", "due": "2026-11-28T09:00:00+00:00", "hard": True,
                                         "note": "", "met_at": None, "offset_minutes": 0}]
    d["claimed"] = "20.00"
    for key in ("messages", "evidence", "deadlines"):
        assert d[key], key  # every record kind is present, so each of its fields is varied
    return d


BASE = _base()
_SURROGATES = ["\ud800", "\udc00", "a\udfffb", "\ud800\udc00"]  # lone halves, and a valid pair


def _texts(limit: int, required: bool) -> list:
    out = [None, 5, 1.5, True, [], {}, ["x"], {"a": "b"}, "", " ", "\t\n", "\u3000", "\x1c", "\x85", "\u200b",
           "\x00\x1b[31mred\x07", "[bold]x[/]", "x" * limit, "x" * (limit + 1), "é" * limit, "é" * (limit + 1),
           "😀" * limit, "😀" * (limit + 1), " x ", *_SURROGATES]
    return out if required or limit < 64 else out + ["x" * (limit * 3)]


def _choices(allowed: tuple, optional: bool) -> list:
    a = allowed[0]
    return [*allowed, None, "", a.upper(), a + " ", " " + a, a[:-1], 1, True, [], {}, [a], "x" * 40, "\ud800"]


INSTANTS = [
    "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00.123456+00:00", "2026-01-01T00:00:00.123+00:00",
    "2026-01-01T00:00:00.1234567+00:00", "2026-01-01T00:00:00", "2026-01-01", "2026-01-01T00:00:00Z",
    "2026-01-01T00:00:00-00:00", "2026-01-01T02:00:00+02:00", "2026-01-01T00:00:00+14:00",
    "2026-01-01T00:00:00+14:01", "2026-01-01T00:00:00-15:00", "1970-01-01T00:00:00+00:00",
    "1969-12-31T23:59:59+00:00", "1970-01-01T00:30:00+01:00", "2100-12-31T23:59:59+00:00",
    "2101-01-01T00:00:00+00:00", "2100-12-31T23:59:59-01:00", "2026-02-30T00:00:00+00:00",
    "2026-13-01T00:00:00+00:00", "2026-00-10T00:00:00+00:00", "2026-01-01T24:00:00+00:00",
    "2026-01-01T23:59:60+00:00", "2026-01-01 00:00:00+00:00", "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59+00:00", "２０２６-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00 ",
    "2026-01-01T00:00:00+00:00\n", "x" * 50, "", " ", None, 0, 1.5, True, [], {}, "\ud800",
]
AMOUNTS = [
    "12.50", "12.5", "12", "0", "0.00", "0012.50", "12.12345", "12.10000", "12.1234", "1,250.00", "1,25", "1e3", "1E3",
    "999999999999", "999999999999.9999", "1000000000000", "1000000000000.01", "9999999999999",
    "99999999999999999999", "-1", "-0", "-12.50", "+12.50", " 12.50", "12.50 ", "12.", ".5", "", " ", None, 12,
    0, -3, 12.5, 1e20, 10 ** 30, True, "NaN", "Infinity", "snan", "١٢", "１２", "12.505", "12.500", [], {}, "\ud800",
]


def _ints(lo: int, hi: int) -> list:
    return [lo, hi, lo - 1, hi + 1, 0, 1.0, 0.5, True, False, "1", None, 2 ** 64, -(2 ** 64), [], {}]


BOOLS = [True, False, 0, 1, "true", None, [], {}]
TAGS = [[], ["a"], ["a"] * validate.MAX_TAGS, ["a"] * (validate.MAX_TAGS + 1), ["x" * validate.TAG_LEN],
        ["x" * (validate.TAG_LEN + 1)], ["bad tag"], ["é"], ["٣"], ["a\n"], ["a/b"], ["a\u200b"], ["-._"], [""],
        [1], [None], [["a"]], "a", None, {}, ["\ud800"], ["ok", "no way"]]


_HOSTILE = {  # a rule's kind -> its hostile values, from the rule's shape
    "text": lambda shape: _texts(shape[1], shape[2]),
    "one_of": lambda shape: _choices(shape[1], shape[2]),
    "instant": lambda shape: INSTANTS,
    "amount": lambda shape: AMOUNTS,
    "int": lambda shape: _ints(shape[1], shape[2]),
    "bool": lambda shape: BOOLS,
    "tags": lambda shape: TAGS,
    "items": lambda shape: [None, "x", {}, [None], [1], [[]], ["x"], [{}], 5],
}


def _values(conv) -> list:
    kind = conv.shape[0]
    if kind not in _HOSTILE:
        raise AssertionError(f"no hostile values for a {kind!r} rule: add them here")
    return _HOSTILE[kind](conv.shape)


def _raw(d) -> bytes:
    return json.dumps(d).encode()  # ensure_ascii: a lone surrogate becomes its "\ud800" escape


def _variants():
    """(label, raw bytes): the base case with one field, or one record's field, made hostile."""
    for _a, key, conv, _d in validate.CASE:
        if key in light.HEAVY:
            continue
        for v in _values(conv):
            yield f"{key}={v!r:.40}", _raw({**BASE, key: v})
        yield f"{key} missing", _raw({k: x for k, x in BASE.items() if k != key})
    for name, spec in _RECORDS.items():
        first = BASE[name][0]
        for _a, key, conv, _d in spec:
            for v in _values(conv):
                yield f"{name}[0].{key}={v!r:.40}", _raw({**BASE, name: [{**first, key: v}]})
            yield f"{name}[0].{key} missing", _raw({**BASE, name: [{k: x for k, x in first.items() if k != key}]})
        yield f"{name}[0] extra key", _raw({**BASE, name: [{**first, "zz": {"nested": [1]}}]})
        yield f"{name}[0] nested wrong", _raw({**BASE, name: [{k: {"x": [v]} for k, v in first.items()}]})
    most = validate.MAX_ITEMS
    dl = {"kind": "k", "due": "2026-01-01T00:00:00+00:00"}
    yield "messages 10,001", _raw({**BASE, "messages": [BASE["messages"][0]] * 10_001})
    yield "deadlines over the limit", _raw({**BASE, "deadlines": [dl] * (most + 1)})
    yield "extra keys", _raw({**BASE, "zzz": 1, "schema": {"a": [1, 2]}, "": None})
    yield "hostile heavy fields", _raw({**BASE, "history": "x", "notified": 5, "statement": None, "description": []})
    yield "message text hostile", _raw({**BASE, "messages": [{**BASE["messages"][0], "text": {"no": 1}}]})
    yield "not an object", b"[1, 2]"
    yield "null", b"null"
    yield "not JSON", b"{\"id\": "
    yield "NaN literal", _raw({**BASE, "amount": float("nan")})
    yield "duplicate key", _raw(BASE)[:-1] + b', "stage": "nonsense"}'
    yield "duplicate key back", _raw({**BASE, "stage": "nonsense"})[:-1] + b', "stage": "seller"}'
    for cross in ({"id": "X-1"}, {"id": "D-0000"}, {"id": "D-100000000"}, {"id": "d-0001"}, {"currency": "usd"},
                  {"currency": "XXX"}, {"currency": "ZZZ"}, {"currency": "JPY"}, {"currency": "KWD", "amount": "1.234"},
                  {"claimed": "99999"}, {"recovered": "99999"}, {"claimed": None, "recovered": None},
                  {"proposals": [{**BASE["proposals"][0], "amount": "1.005"}]}):
        yield f"cross {cross}", _raw({**BASE, **cross})


VARIANTS = list(_variants())


def _shown(v):
    """A value as a user could tell it apart: type and exact text (Decimal('12.50') is not
    Decimal('12.5'); a datetime's offset counts)."""
    if isinstance(v, datetime):
        return ("datetime", v.isoformat(), str(v.tzinfo))
    if isinstance(v, list):
        return [_shown(x) for x in v]
    if isinstance(v, (Decimal, str, int, bool, type(None), dict)):
        return (type(v).__name__, repr(v))
    names = v._attrs if hasattr(v, "_attrs") else tuple(v.__dataclass_fields__)  # a light record, or a model one
    return {a: _shown(getattr(v, a)) for a in names}


def _dump(c: Case) -> dict:
    return {n: _shown(getattr(c, n)) for n in Case.__dataclass_fields__}


def _outcome(fn, raw: bytes):
    try:
        c = fn(raw, "db.json", "1")
    except DamagedDatabase as exc:
        return ("refused", str(exc))
    except Exception as exc:  # noqa: BLE001 - a crash is a mismatch too, shown as such
        return ("crashed", repr(exc))
    assert c.light is True
    return ("case", _dump(c))


def _mismatches(first: bool = False) -> list[str]:
    bad = []
    for label, raw in VARIANTS:
        fast, slow = _outcome(light.light_case, raw), _outcome(light._slow, raw)
        if fast != slow:
            bad.append(f"{label}: fast {str(fast)[:160]} / slow {str(slow)[:160]}")
            if first:
                break
    return bad


def test_fast_path_equals_the_validator_on_hostile_values():
    assert len(VARIANTS) > 1000
    assert _mismatches() == []


def test_the_corpus_reaches_both_paths():
    taken = [light._fast(raw) is not None for _label, raw in VARIANTS]
    assert sum(taken) > 100 and taken.count(False) > 500  # accepted in C, and handed to the validator


def test_stored_cases_take_the_fast_path(tmp_path):
    """Every case the program writes decodes in C (else the fast path is dead code)."""
    for c in sample_cases(50, NOW, seed=11):
        raw = _raw(c.to_dict())
        got = light._fast(raw)
        assert got is not None, c.id
        assert _dump(got[0]) == _dump(light._slow(raw, "db", "1"))


def _shape(monkeypatch, conv, shape):
    monkeypatch.setattr(conv, "shape", shape, raising=True)


def _sub(mp, obj, name, old, new):
    v = getattr(obj, name)
    assert old in v, (name, old)  # the loosening applies, or this mutant proves nothing
    mp.setattr(obj, name, v.replace(old, new))


def _rule(table, key):
    return next(conv for _a, k, conv, _d in table if k == key)


LOOSER = {
    "text longer": lambda mp: _shape(mp, _rule(validate.CASE, "supplier"), ("text", validate.TITLE + 1, True)),
    "text not required": lambda mp: _shape(mp, _rule(validate.CASE, "order"), ("text", validate.TITLE, False)),
    "blank is only a space": lambda mp: mp.setattr(validate, "NONBLANK", "[^ ]"),
    "record text longer": lambda mp: _shape(mp, _rule(validate.EVIDENCE, "note"), ("text", validate.LINE * 4 + 1, False)),
    "choice optional": lambda mp: _shape(mp, _rule(validate.CASE, "stage"), ("one_of", validate.STAGES, True)),
    "choice wider": lambda mp: _shape(mp, _rule(validate.CASE, "platform"),
                                      ("one_of", (*validate.PLATFORMS, "x" * 40), False)),
    "instant optional": lambda mp: _shape(mp, _rule(validate.CASE, "created_at"), ("instant", True)),
    "instant from 1969": lambda mp: _sub(mp, validate, "STORED_INSTANT", "19[7-9][0-9]", "19[6-9][0-9]"),
    "instant any offset": lambda mp: _sub(mp, validate, "STORED_INSTANT", r"\+00:00", r"[+-][0-9][0-9]:[0-9][0-9]"),
    "amount 5 places": lambda mp: _sub(mp, money, "STORED_EXACT", "{1,4}", "{1,5}"),
    "amount with exponent": lambda mp: _sub(mp, money, "STORED_EXACT", r"?\Z", r"?(?:[eE][0-9])?\Z"),
    "amount optional": lambda mp: _shape(mp, _rule(validate.CASE, "amount"), ("amount", True)),
    "int higher": lambda mp: _shape(mp, _rule(validate.CASE, "priority"), ("int", -1000, 1001, False)),
    "int optional": lambda mp: _shape(mp, _rule(validate.DEADLINE, "offset_minutes"), ("int", -840, 840, True)),
    "more tags": lambda mp: _shape(mp, validate.tags, ("tags", validate.MAX_TAGS + 1, validate.TAG_RE)),
    "tag with spaces": lambda mp: _shape(mp, validate.tags, ("tags", validate.MAX_TAGS,
                                                            validate.re.compile(r"[\w.\- ]{1,40}"))),
    "more items": lambda mp: _shape(mp, _rule(validate.CASE, "deadlines"),
                                    ("items", validate.Deadline, validate.DEADLINE, validate.MAX_ITEMS + 1)),
}


@pytest.mark.parametrize("how", LOOSER)
def test_a_looser_shape_is_caught(monkeypatch, how):
    """The corpus can fail: with any one shape loosened, it finds a value the fast path would let
    through that the validator refuses."""
    LOOSER[how](monkeypatch)
    dec, top, lists = light._decoder_of()
    monkeypatch.setattr(light, "_decoder_typed", dec)
    monkeypatch.setattr(light, "_top", top)
    monkeypatch.setattr(light, "_lists", lists)
    assert _mismatches(first=True) != []


@pytest.mark.parametrize("table, name", [("CASE", "('zz', 'zz', lambda v: v, '')"),
                                         ("MESSAGE", "('zz', 'zz', lambda v: v, '')")])
def test_a_rule_without_a_shape_fails_at_import(table, name):
    code = ("import importlib, store.light, store.validate as v;"
            f"v.{table}.append({name});"
            "importlib.reload(store.light)")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode != 0
    assert "states no shape" in p.stderr.strip().splitlines()[-1]


def test_a_field_the_model_lacks_fails_at_import():
    code = ("import importlib, store.light, store.validate as v;"
            "v.CASE.append(('zz', 'zz', v.text(5), ''));"
            "importlib.reload(store.light)")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode != 0
    assert "drifted" in p.stderr.strip().splitlines()[-1]


def test_one_list_alone_equals_the_light_cases_on_every_variant_it_accepts():
    """``light_list`` (what a summary case decodes when a list is first read) gives exactly the
    light case's list, type and text, on every variant the light case accepts."""
    checked = 0
    for label, raw in VARIANTS:
        try:
            whole = light.light_case(raw, "db.json", "1")
        except DamagedDatabase:
            continue
        for name in ("messages", "evidence", "deadlines", "proposals"):
            assert _shown(light.light_list(raw, name, "db.json", "1")) == _shown(getattr(whole, name)), (label, name)
        checked += 1
    assert checked > 100


def test_the_evidence_files_alone_are_the_light_cases_paths_and_sizes_or_its_refusal():
    """``evidence_files`` (what the board's background pass stats) gives the light case's
    evidence paths and sizes on every variant the light case accepts, and on every variant it
    refuses, the same one-line refusal or the same files (the fields it skips are not its to
    check: the pass reads nothing else, and whatever opens the case still refuses it)."""
    same = refused = 0
    for label, raw in VARIANTS:
        try:
            whole = light.light_case(raw, "db.json", "1")
        except DamagedDatabase as exc:
            try:
                files = light.evidence_files(raw, "db.json", "1")
            except DamagedDatabase as again:
                assert str(again) == str(exc), label
                refused += 1
            else:  # a refusal for a field it does not read: its paths and sizes are still stored ones
                assert all(type(f.path) is str and type(f.size) is int and f.size >= 0 for f in files), label
            continue
        got = [(f.path, f.size) for f in light.evidence_files(raw, "db.json", "1")]
        assert got == [(e.path, e.size) for e in whole.evidence], label
        same += 1
    assert same > 100 and refused > 10
