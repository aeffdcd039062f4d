"""Light cases: what the board's columns and Today draw, decoded from a case's stored bytes.

A light case has every scalar field, its tags, deadlines, proposals and evidence entries, and its
messages with their time, sender and author but no text; it has no history, no delivered
warnings (``notified``), no statement and no description. It carries ``light = True``, and
``Case.to_dict`` refuses it, so it can never be written back (every write path goes through
``to_dict``): open or change a case through ``CaseStore.get``.

It is checked by the one validator (``store.validate.case_from_dict``, on the same dict minus
the heavy fields), so it is as safe to draw as a whole case: stage one of STAGES, amounts exact,
instants aware, texts bounded. What it saves is decoding: msgspec skips the heavy fields (and
every message's text) in C instead of building them as Python objects; the decoded field list
is read from the validator's own table, so a field added there is decoded here too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import orjson

from .errors import DamagedDatabase, ValidationError
from .model import Case
from .validate import CASE, case_from_dict

HEAVY = frozenset({"history", "notified", "statement", "description"})
_UNSET = msgspec.UNSET


class _Message(msgspec.Struct):
    at: Any = _UNSET
    sender: Any = msgspec.field(default=_UNSET, name="from")
    by: Any = _UNSET


_Light = msgspec.defstruct(
    "_Light",
    [(key, Any, _UNSET) for _a, key, _c, _d in CASE if key not in HEAVY and key != "messages"]
    + [("messages", list[_Message] | msgspec.UnsetType, _UNSET)],
)
_decoder = msgspec.json.Decoder(_Light)
_to_builtins = msgspec.to_builtins


class _Keys(msgspec.Struct):
    platform: Any = _UNSET
    order: Any = _UNSET
    platform_ref: Any = _UNSET


_keys_decoder = msgspec.json.Decoder(_Keys)


class _Totals(msgspec.Struct):
    stage: Any = _UNSET
    amount: Any = _UNSET
    claimed: Any = _UNSET
    currency: Any = _UNSET


_totals_decoder = msgspec.json.Decoder(_Totals)


def totals(raw: bytes, where: Path | str = "", key: str = "?") -> dict:
    """``stage``, ``amount``, ``claimed`` and ``currency`` of a stored case (the first look's
    column totals), nothing else decoded."""
    try:
        return _to_builtins(_totals_decoder.decode(raw))
    except (msgspec.ValidationError, msgspec.DecodeError):
        d = light_dict(raw, where, key)
        return {k: d[k] for k in ("stage", "amount", "claimed", "currency") if k in d}


def _damaged(where: Path | str, key: str, why: str) -> DamagedDatabase:
    return DamagedDatabase(f"{where}: damaged database (case {key}: {why}); file left untouched")


def light_dict(raw: bytes, where: Path | str = "", key: str = "?") -> dict:
    """A stored case's bytes -> its dict without the heavy fields (and without message texts)."""
    try:
        return _to_builtins(_decoder.decode(raw))
    except msgspec.ValidationError:
        pass  # a field of an unexpected shape: trimmed from a full parse, and the validator says why
    except msgspec.DecodeError:
        pass  # not JSON: orjson says where, below
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _damaged(where, key, f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise _damaged(where, key, "not an object")
    out = {k: v for k, v in doc.items() if k not in HEAVY}
    msgs = out.get("messages")
    if isinstance(msgs, list):
        out["messages"] = [{k: v for k, v in m.items() if k != "text"} if isinstance(m, dict) else m for m in msgs]
    return out


def light_case(raw: bytes, where: Path | str = "", key: str = "?") -> Case:
    """A light ``Case`` from a stored case's bytes, every field it has checked."""
    try:
        c = case_from_dict(light_dict(raw, where, key))
    except ValidationError as exc:
        raise DamagedDatabase(f"{where}: a stored case is wrong inside: {exc}; file left untouched") from None
    c.light = True
    return c


def fields(raw: bytes, where: Path | str = "", key: str = "?") -> dict:
    """``platform``, ``order`` and ``platform_ref`` of a stored case, nothing else decoded."""
    try:
        return _to_builtins(_keys_decoder.decode(raw))
    except (msgspec.ValidationError, msgspec.DecodeError):
        d = light_dict(raw, where, key)
        return {k: d[k] for k in ("platform", "order", "platform_ref") if k in d}


__all__ = ["HEAVY", "light_dict", "light_case", "fields", "totals"]
