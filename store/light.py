"""Light cases: what the board's columns and Today draw, decoded from a case's stored bytes.

A light case has every scalar field, its tags, deadlines, proposals and evidence entries, and its
messages with their time, sender and author but no text; it has no history, no delivered
warnings (``notified``), no statement and no description. It carries ``light = True``, and
``Case.to_dict`` refuses it, so it can never be written back (every write path goes through
``to_dict``): open or change a case through ``CaseStore.get``.

It is as safe to draw as a whole case: stage one of STAGES, amounts exact, instants aware, texts
bounded, checked by the one validator's table (``store.validate.CASE``) in one of two ways:

- fast, in C: msgspec Structs built here from each rule's ``shape`` (the rule's own statement of
  what it accepts: a text's limit, a choice's values, the stored form of an instant or an
  amount). Bytes are decoded once, in C, against the shapes, instants and amounts as their
  exact stored text; that text is then read into datetimes and Decimals as the rules read it
  (``datetime.fromisoformat``, ``Decimal``: one pass and this is 30% quicker than a second
  decode into values). The shapes may be stricter than the rules, never laxer; the cross-field
  rules (``validate.cross_check``: id, currency and its minor units, claimed within the amount)
  then run in Python, as for any case.
- otherwise, whatever the shapes refuse (an old or hand-made file, a hostile value): the slow
  path, ``validate.case_from_dict`` on the dict minus the heavy fields, which accepts it or
  refuses it with its one-line error. So every error a user sees comes from the validator.

The light case's messages, evidence, deadlines and proposals are Structs with the attributes of
``model.Message`` and friends (a light message's ``text`` is ""), equal to the model records
with the same fields.
"""

from __future__ import annotations

import typing
from dataclasses import fields as dataclass_fields
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import orjson

from . import money, validate
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


# -- the typed decoder, from the validator's table -------------------------------------------------
_SKIP = {"messages": {"text"}}  # not decoded in a light case (the record's attribute reads "")
_fromiso = datetime.fromisoformat


def _eq(self, other):
    """A light record equals the model record (or light record) with the same fields."""
    if isinstance(other, (self._model, type(self))):
        return all(getattr(self, n) == getattr(other, n) for n in self._attrs)
    return NotImplemented


def _type(conv, name: str) -> Any:
    """The msgspec type for one rule: its shape, checked in C. Instants and amounts are their
    exact stored text (a pattern), turned into values afterwards (``_values``)."""
    shape = getattr(conv, "shape", None)
    if shape is None:
        raise TypeError(f"internal: the rule for {name} states no shape (store.validate)")
    kind = shape[0]
    if kind == "text":
        _k, limit, required = shape
        return Annotated[str, msgspec.Meta(max_length=limit, pattern=validate.NONBLANK if required else None)]
    if kind == "one_of":
        _k, allowed, optional = shape
        t = Literal[allowed]  # type: ignore[valid-type]
        return t | None if optional else t
    if kind == "instant":
        t = Annotated[str, msgspec.Meta(pattern=validate.STORED_INSTANT)]
        return t | None if shape[1] else t
    if kind == "amount":
        t = Annotated[str, msgspec.Meta(pattern=money.STORED_EXACT)]
        return t | None if shape[1] else t
    if kind == "int":
        _k, lo, hi, optional = shape
        t = Annotated[int, msgspec.Meta(ge=lo, le=hi)]
        return t | None if optional else t
    if kind == "bool":
        return bool
    if kind == "tags":
        _k, most, pattern = shape
        word = Annotated[str, msgspec.Meta(pattern=f"^(?:{pattern.pattern})\\Z")]
        return Annotated[list[word], msgspec.Meta(max_length=most)]
    if kind == "items":
        _k, cls, spec, most = shape
        return Annotated[list[_record(cls, spec, name)], msgspec.Meta(max_length=most)]
    raise TypeError(f"internal: unknown shape {kind!r} for {name}")


_CONVERT = {"instant": _fromiso, "amount": Decimal}  # the stored text (pattern-checked) -> its value


def _converted(spec: list, name: str) -> tuple:
    """(attribute, reader) for every instant and amount of a table: what ``_values`` turns from
    text into datetimes and Decimals, exactly as the rules read their stored form."""
    out = []
    for attr, key, conv, _default in spec:
        kind = conv.shape[0]
        if kind in _CONVERT and key not in _SKIP.get(name, ()):
            out.append((attr, _CONVERT[kind]))
        elif kind == "items" and name != "case":
            raise TypeError(f"internal: {name}.{key}: records inside records are not decoded (store.light)")
    return tuple(out)


def _record(cls: type, spec: list, name: str) -> type:
    skip = _SKIP.get(name, set())
    cols, rename, extra = [], {}, {}
    for attr, key, conv, default in spec:
        if key in skip:
            extra[attr] = default  # a class attribute: reads as the default, never decoded
            continue
        t = _type(conv, f"{name}.{key}")
        cols.append((attr, t) if default is validate.MISSING else (attr, t, default))
        if key != attr:
            rename[attr] = key
    extra.update(__eq__=_eq, __hash__=None, _model=cls, _attrs=tuple(a for a, *_ in spec),
                 _convert=_converted(spec, name))
    return msgspec.defstruct(f"Light{cls.__name__}", cols, kw_only=True, rename=rename, namespace=extra,
                             gc=False, module=__name__)


def _case_struct() -> type:
    cols = []
    for attr, key, conv, default in CASE:
        if key in HEAVY:
            continue
        t = _type(conv, key)
        if key in validate.REQUIRED_KEYS:
            cols.append((attr, t))
        elif key in validate.LISTS:
            cols.append((attr, t, msgspec.field(default_factory=list)))
        else:
            cols.append((attr, t, default))
    if any(a != k for a, k, _c, _d in CASE):
        raise TypeError("internal: a top-level field stored under another name (store.validate.CASE)")
    return msgspec.defstruct("_LightCase", cols, kw_only=True, module=__name__)


def _decoder_of() -> tuple[msgspec.json.Decoder, tuple, tuple]:
    """The decoder, the top-level fields to convert, and the record lists to convert (each with
    its record's fields), all read from the validator's table now."""
    case = _case_struct()
    top = _converted([r for r in CASE if r[1] not in HEAVY], "case")
    lists = []
    for attr, _key, conv, _default in CASE:
        if attr not in HEAVY and conv.shape[0] == "items":
            fields_ = _converted(conv.shape[2], attr)
            if fields_:
                lists.append((attr, fields_))
    return msgspec.json.Decoder(case), top, tuple(lists)


_decoder_typed, _top, _lists = _decoder_of()
_asdict = msgspec.structs.asdict
_new = object.__new__
_CASE_FIELDS = [f.name for f in dataclass_fields(Case)]
if {*_decoder_typed.type.__struct_fields__, *HEAVY} != set(_CASE_FIELDS):
    raise TypeError("internal: the light case's fields drifted from model.Case (store.validate.CASE)")


def _values(fields: dict) -> dict:
    """Instants and amounts from their stored text (checked by the patterns) into values."""
    for attr, read in _top:
        v = fields[attr]
        if v is not None:
            fields[attr] = read(v)
    for attr, conv in _lists:
        for rec in fields[attr]:
            for name, read in conv:
                v = getattr(rec, name)
                if v is not None:
                    setattr(rec, name, read(v))
    return fields


def _build(fields: dict) -> Case:
    """``Case(**fields, <heavy fields empty>)`` without the dataclass ``__init__`` (45 keyword
    arguments: ~13 us a case): it only assigns the fields, and every one is here."""
    c = _new(Case)
    fields.update(history=[], notified=[], statement="", description="")
    c.__dict__.update(fields)
    return c


def _fast(raw: bytes) -> tuple[Case, Any] | None:
    """The light case from bytes every shape accepts, and the decoded struct (its top-level
    instants and amounts still their stored text); None: let the validator itself decide."""
    try:
        st = _decoder_typed.decode(raw)
        c = _build(_values(_asdict(st)))
        validate.cross_check(c)
    except (msgspec.ValidationError, msgspec.DecodeError, ValidationError, ValueError, ArithmeticError):
        return None  # ValueError: a stored-looking instant that is no date (02-30); the rule says so
    return c, st


def _list_decoders() -> dict[str, tuple[msgspec.json.Decoder, tuple]]:
    """For each record list of the light case: a decoder of that field alone (the same type
    as in the light case's struct, so the same shapes) and its records' conversions."""
    typed = {f.name: f.type for f in msgspec.structs.fields(_decoder_typed.type)}
    conv = dict(_lists)
    out = {}
    for attr, _key, c, _default in CASE:
        if attr in HEAVY or c.shape[0] != "items":
            continue
        only = msgspec.defstruct(f"_Only_{attr}", [(attr, typed[attr], msgspec.field(default_factory=list))],
                                 module=__name__)
        out[attr] = (msgspec.json.Decoder(only), conv.get(attr, ()))
    return out


_list_decoder = _list_decoders()


def light_list(raw: bytes, name: str, where: Path | str = "", key: str = "?") -> list:
    """One record list of the light case (``messages``, ``evidence``, ``deadlines``,
    ``proposals``) from a stored case's bytes, equal to ``light_case(raw).<name>``, the rest of
    the case not decoded: what ``store.summary`` reads when a list is first asked for."""
    dec, conv = _list_decoder[name]
    try:
        recs = getattr(dec.decode(raw), name)
        for rec in recs:
            for field_name, read in conv:
                v = getattr(rec, field_name)
                if v is not None:
                    setattr(rec, field_name, read(v))
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError, ArithmeticError):
        return getattr(light_case(raw, where, key), name)  # the validator decides, as for a whole case
    return recs


def _files_decoder() -> msgspec.json.Decoder:
    """The evidence list's paths and sizes alone, with the light case's own shapes for them
    (the validator's table): what the board's background pass stats, nothing else decoded."""
    typed = {f.name: f.type for f in msgspec.structs.fields(_decoder_typed.type)}
    listed = typed["evidence"]
    while typing.get_origin(listed) is Annotated:
        listed = typing.get_args(listed)[0]
    (rec,) = typing.get_args(listed)
    shape = {f.name: f for f in msgspec.structs.fields(rec)}
    cols = [(n, shape[n].type) if shape[n].required else (n, shape[n].type, shape[n].default) for n in ("path", "size")]
    one = msgspec.defstruct("_File", cols, gc=False, module=__name__)
    return msgspec.json.Decoder(msgspec.defstruct("_Files", [("evidence", list[one], msgspec.field(default_factory=list))],
                                                  module=__name__))


_files = _files_decoder()


def evidence_files(raw: bytes, where: Path | str = "", key: str = "?") -> list:
    """The evidence records' ``path`` and ``size`` from a stored case's bytes (records with
    those two attributes; ``light_list(raw, "evidence")`` when any record is not as the shapes
    accept, so the validator decides). A quarter of the decode of whole records (10,000
    cases: 72 ms, against 310): the board's background pass reads nothing else."""
    try:
        return _files.decode(raw).evidence
    except (msgspec.ValidationError, msgspec.DecodeError):
        return light_list(raw, "evidence", where, key)


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
    return light_case_and_text(raw, where, key)[0]


def light_case_and_text(raw: bytes, where: Path | str = "", key: str = "?") -> tuple[Case, Any]:
    """``light_case``, and the fast path's struct whose top-level fields are the stored text
    (what ``store.summary`` keeps), or None when the validator itself read the case."""
    got = _fast(raw)
    if got is None:
        return _slow(raw, where, key), None
    got[0].light = True
    return got


def _slow(raw: bytes, where: Path | str = "", key: str = "?") -> Case:
    """The light case by the validator itself (``case_from_dict`` on ``light_dict``): what
    ``light_case`` gives for anything the shapes refuse, and what the fast path must equal."""
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


__all__ = ["HEAVY", "light_dict", "light_case", "light_case_and_text", "light_list", "fields", "totals"]
