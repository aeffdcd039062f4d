"""The board's summary cache: what sorting, counting and drawing every case needs, kept between
runs so a large database paints sorted without decoding each case again.

(About 600 lines as one thing: the cache file's format, the rules under which an entry is
trusted (the certificate included), and the lazy case read through it are one argument that
the cache can only miss, never mislead; ``SummaryCase`` decodes from the very bytes the entry
was checked against.)

For every case the cache keeps, under a digest of the case's stored bytes: its scalar fields
and tags (as their stored text), its clocks (``store.clocks.clocks``), whose turn it is
(``whose_turn``) and my unanswered messages' times (``unanswered``). A case read through the cache (``SummaryCase``) is a light case (``store.light``)
whose scalar fields come from the cache; its messages, evidence, deadlines and proposals are
decoded from its stored bytes the first time anything reads them. Its clocks and turn are the
cached ones: ``clocks()``, ``whose_turn()`` and ``unanswered()`` return them for it
(``store.clocks.known``; the clocks decoded from the entry when first read), so the board's sort
and counts and the digest read no list. The board's sort reads the entry's rank schedule
(``store.clocks.rank_schedule``), so its start decodes no clock either.

Never trusted over the database:
- an entry is used only for the very bytes it was made from (the digest of the case as stored
  now); a case changed since, by anyone, is decoded from its bytes and its entry replaced. So a
  cache from another database, or from before a restore, can only miss, never mislead;
- the one exception to hashing each case is the certificate (``certify``): after a pass over
  every case, the cache records the sha256 of the snapshot file's bytes and which entries were
  not made from the snapshot's own documents (``stale``: the journal's, and any made since).
  An open whose snapshot hashes to it (the same bytes, so the same documents) reads the other
  entries without hashing their cases; any other byte, and every case is checked again;
- the whole file is keyed by ``fingerprint``: the format, the source of the code whose answers it
  keeps (clocks, the light decoder, the validator, this module) and the platform profiles of the
  settings; any difference, and the file is ignored and rebuilt;
- it is private: in ``$XDG_CACHE_HOME/disputes`` (``paths.cache_dir``), a folder only the user
  can write, opened without following symlinks, a regular file owned by the user, written whole
  (temp file and rename). Anything else (a planted link, a folder others can write, a damaged or
  foreign file, any OS error) means working without it: slower, never wrong.
- nothing needs it: a copy of the database alone opens as before, and deleting it is safe.

Writing it is housekeeping: it never fails a command and never runs inside a keypress (the
board's load worker and ``close``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import stat
import sys
import threading
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, TypedDict

import msgspec
import orjson

from . import light, paths, validate
from .clocks import Clock, known, rank_schedule, unanswered, whose_turn
from .clocks import clocks as _clocks_of
from .files import atomic_file
from .model import Case

FORMAT = 6
LAZY = ("messages", "evidence", "deadlines", "proposals")  # decoded from the bytes when read
SCALARS = tuple(f for f in light._decoder_typed.type.__struct_fields__ if f not in LAZY)
_READ = {attr: read for attr, read in light._top}  # instants and amounts: stored text -> value
MAX_BYTES = 512 * 1024 * 1024  # a bigger file is not ours: ignored
SAVE_AFTER = 64  # new entries before the board's load writes the file (the rest at close)
FORGET_DAYS = 30  # another database's summary unopened this long is removed at a save
TOUCH_DAYS = 7  # a summary read but unchanged this long has its time set again (so it stays)
_fromiso = datetime.fromisoformat
_new = object.__new__
_astuple = msgspec.structs.astuple


_LIGHT_TYPES = {f.name: f.type for f in msgspec.structs.fields(light._decoder_typed.type)}
_CHOICES = {a for a, _k, conv, _d in validate.CASE if getattr(conv, "shape", ("",))[0] == "one_of"}
_SHARED = ("supplier", "currency", "owner", "created_by")  # texts most cases repeat: one object each


def _scalar_type(name: str) -> Any:
    if name in _CHOICES:  # a Literal: msgspec hands back the literal's own object, one per value
        return _LIGHT_TYPES[name]
    read = _READ.get(name)
    if read is Decimal:
        return Decimal | None
    if read is not None:  # datetime.fromisoformat
        return datetime | None
    return list[str] if name == "tags" else Any


# The fields a summary case decodes when one is first read: written as a map of those not at
# their class default (instants and amounts as their stored text), read back by msgspec, in C,
# into a dict of values, which is what the case's ``__dict__`` takes (a field at its default is
# not set: the class attribute answers). The head's fields are the entry's head (``_build``).
_Fields = TypedDict("_Fields", {n: _scalar_type(n) for n in SCALARS}, total=False)  # type: ignore[misc]


# What every pass over all cases reads (the sort, the counts, the columns' totals, Today's and the
# digest's triage: the snooze, the supplier's silence in the seller stage, the days in stage; and
# what a search's key and a digest's or a list's line show: supplier, title, order), decoded at once.
HEAD = ("id", "stage", "rev", "amount", "claimed", "currency", "snoozed_until", "platform", "stage_entered_at",
        "supplier", "title", "order")
# (``Summary._build`` unpacks the head in this order.)
_Head = msgspec.defstruct("_Head", [(n, _scalar_type(n)) for n in HEAD], array_like=True, gc=False, module=__name__)
_HeadOut = msgspec.defstruct("_HeadOut", [(n, Any) for n in HEAD], array_like=True, gc=False, module=__name__)


class _ClockOut(msgspec.Struct, gc=False):
    """A clock as written: its due instant as ISO text with its offset (msgpack's own
    timestamps would keep the instant but lose the offset it is shown in)."""
    kind: str
    label: str
    due: str
    hard: bool
    party: str
    source: str
    met: bool


class Entry(msgspec.Struct, array_like=True, gc=False):
    """One case's entry. What every pass over all cases reads is decoded at once: the
    ``HEAD`` fields, clocks, turn and waiting times; its scalar fields (the head's among them)
    stay their encoded bytes (``fields``) until something reads another one (``SummaryCase``)."""
    digest: bytes
    head: _Head
    fields: msgspec.Raw  # a _Fields, decoded when a field not in the head is first read
    clocks: msgspec.Raw  # a list of the model's own Clock, due with its offset: decoded when first read
    turn: str
    waiting: list[datetime]  # clocks.unanswered: my messages since the supplier last wrote
    schedule: tuple  # clocks.rank_schedule: what the board's sort reads instead of the clocks


class _EntryOut(msgspec.Struct, array_like=True, gc=False):
    digest: bytes
    head: _HeadOut
    fields: dict[str, Any]
    clocks: list[_ClockOut]
    turn: str
    waiting: list[str]
    schedule: tuple


class _File(msgspec.Struct, array_like=True):
    """Each entry stays its encoded bytes (a ``Raw``, a view of the file's) until its case is
    asked for: nothing is held twice, and an entry not asked for is written back as it came.
    ``cert`` and ``stale``: see ``Summary.certify``."""
    format: int
    key: bytes
    entries: dict[str, msgspec.Raw]
    cert: bytes = b""
    stale: list[str] = []
    cert_snap: str = ""


_decoder = msgspec.msgpack.Decoder(_File)
_entry_decoder = msgspec.msgpack.Decoder(Entry)
_clocks_decoder = msgspec.msgpack.Decoder(list[Clock])


def _clocks_decode(raw: msgspec.Raw) -> list[Clock] | None:
    """An entry's clocks, when first read (``clocks.known``); None: not what this code writes
    (the case's answers are then made from its own bytes)."""
    try:
        return _clocks_decoder.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
_fields_decoder = msgspec.msgpack.Decoder(_Fields)
_encoder = msgspec.msgpack.Encoder()


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block (and as it was after). Building 10,000
    cases makes hundreds of thousands of objects, none of them in a cycle: the collector's
    passes over them were a third of the load (measured: sort 166 -> 98 ms, board_cases 121 ->
    100 ms at 10,000 cases). Reference counting frees everything as usual meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _hashlib():
    """hashlib, imported when a summary is first used, not with this module: its import loads
    OpenSSL's libcrypto, 3.6 MB of a command's peak memory (bench/peak.py: `disputes show` at
    1,000 cases peaked at 33 MB, of which a bare interpreter is 11), for commands that never
    hash anything (show, log, move, edit). The board and list and digest load it here."""
    import hashlib

    return hashlib


def digest(raw: bytes) -> bytes:
    """Which bytes an entry was made from. sha1 for speed (about 0.8 GB/s here, blake2b 0.7,
    md5 0.6): the file is private, so this names bytes, it does not defend against anyone."""
    return _hashlib().sha1(raw).digest()


def fingerprint(cfg) -> bytes:
    """The code and the settings the cached answers depend on."""
    h = _hashlib().blake2b(digest_size=16)
    h.update(b"format %d\n" % FORMAT)
    for mod in (sys.modules[Clock.__module__], light, validate, sys.modules[__name__]):
        h.update(Path(mod.__file__).read_bytes())
    h.update(orjson.dumps(cfg.data.get("profiles", {}), option=orjson.OPT_SORT_KEYS))
    h.update(orjson.dumps(cfg.urgency, option=orjson.OPT_SORT_KEYS))  # (the rank schedules' windows)
    return h.digest()


def cache_file(db: Path) -> Path:
    """The user's cache file for the database at ``db`` (by its real path)."""
    try:
        where = os.path.realpath(db)
    except OSError:
        where = os.path.abspath(db)
    name = _hashlib().blake2b(where.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()
    return paths.cache_dir() / f"summary-{name}.msgpack"


def _private_dir(folder: Path, create: bool) -> bool:
    """``folder`` is a real folder of ours that nobody else can write (made so if ``create``)."""
    try:
        if create:
            folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with contextlib.suppress(FileExistsError):
                folder.mkdir(mode=0o700)
        st = os.lstat(folder)
        up = os.stat(folder.parent)
    except OSError:
        return False
    # Its parent must not let others swap it for a link between this check and a write (others
    # may write a sticky one, /tmp's kind: there they cannot rename what is ours).
    swappable = up.st_mode & 0o002 and not up.st_mode & stat.S_ISVTX
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o022 and not swappable


def peek(case: Case, name: str) -> list:
    """``case.<name>`` for a pass over every case that needs the list once (the board's evidence
    pass): from a summary case not holding it yet, decoded and not kept (10k cases' evidence
    lists were 26 MB of the board's memory, for a stat every few minutes)."""
    d = case.__dict__
    if name in d or not isinstance(case, SummaryCase) or d.get("_raw") is None:
        return getattr(case, name)
    return light.light_list(d["_raw"], name, "", d.get("id", "?"))


def peek_files(case: Case) -> list:
    """``case.evidence`` as the board's background pass reads it: records with the files'
    ``path`` and ``size`` (``light.evidence_files``), from a summary case's bytes when it does
    not hold its list yet, and not kept (see ``peek``)."""
    d = case.__dict__
    if "evidence" in d or not isinstance(case, SummaryCase) or d.get("_raw") is None:
        return case.evidence
    return light.evidence_files(d["_raw"], "", d.get("id", "?"))


class _Number:
    """``SummaryCase.number``: ``D-0042`` -> 42 without ``case_number``'s checks (the id is the
    validator's: the entry was made from a validated case). Not a property: the case's own
    ``number``, which ``Summary._build`` sets, is found first, at a dict read's cost (the
    board's first sort reads it of every case: 1.2 us each as a property, 36 ms at 30,000)."""

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        return int(obj.__dict__["id"][2:])


class SummaryCase(Case):
    """A light case whose scalar fields came from the cache: see the module's docstring."""

    light = True

    def __getattr__(self, name: str) -> Any:  # only for attributes not set: the lazy lists
        if name in LAZY:
            d = self.__dict__
            raw = d.get("_raw")
            if raw is not None:  # only this list: the board's evidence pass reads no messages
                return d.setdefault(name, light.light_list(raw, name, "", d.get("id", "?")))
        elif name in _EMPTY:  # a summary case's history and notices: none (made when first read)
            return self.__dict__.setdefault(name, [])
        elif name in _REQUIRED and _fill(self.__dict__):  # (a required field has no class default)
            return self.__dict__[name]
        raise AttributeError(name)

    def __eq__(self, other: object) -> bool:  # equal to the light case of the same fields
        if not isinstance(other, Case):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in _CASE_FIELDS)

    __hash__ = None  # type: ignore[assignment]

    number = _Number()  # (set by ``Summary._build``: the sort reads it of every case)


def fill(cases) -> None:
    """Decode the scalar fields and the clocks of every summary case in ``cases`` now (a pass
    that will read them all, made off the UI thread, before anyone asks: Today, a search)."""
    shared: dict[str, str] = {}
    for c in cases:
        d = c.__dict__
        if "_fields" in d:
            _fill(d)
        k = d.get("_known")
        # its clocks too: then nothing holds the file's bytes
        if k is not None and k[1] is None and known(c, None) is not None:
            _share_texts(d, shared)


def _share_texts(d: dict, shared: dict[str, str]) -> None:
    """The clocks just decoded into a case's ``_known``, again with one object for each text
    many cases repeat: a platform's few dozen kinds and labels, the parties and sources. Decoded,
    each clock had its own copies (~250 of its ~400 bytes; 10,000 cases hold 23,000 clocks: 5.6 MB
    of the board). Equal values: a thread holding the first list reads the same answers."""
    k = d.get("_known")
    if k is None or k[1] is None:
        return
    s = shared.setdefault
    d["_known"] = (k[0], [Clock(s(x.kind, x.kind), s(x.label, x.label), x.due, x.hard, s(x.party, x.party),
                                s(x.source, x.source), x.met) for x in k[1]], *k[2:])


def _fill(d: dict) -> bool:
    """Decode a summary case's scalar fields into its ``__dict__`` ``d``, once (False: done
    already). A field at its default is not set: the class attribute answers (a third of a
    dict). Two threads may fill one case at once: both set the same values, and ``_fields`` goes
    only after them, so a reader never sees it gone before the values are in."""
    f = d.get("_fields")
    if f is None:
        return False
    try:
        new = _fields_decoder.decode(f)
    except (msgspec.DecodeError, msgspec.ValidationError):  # not what this code wrote: from the bytes
        case = light.light_case(d["_raw"], "", d["id"].removeprefix("D-").lstrip("0") or "0")
        new = {k: v for k in _NOT_HEAD if not _is_default(k, v := getattr(case, k))}
    shared = d.get("_shared")
    if shared is not None:
        for k in _SHARED:
            v = new.get(k)
            if v is not None:
                new[k] = shared.setdefault(v, v)
    d.update(new)
    d.pop("_fields", None)
    d.pop("_shared", None)
    return True


class _Field:
    """A scalar field of ``SummaryCase``, over the dataclass's class default: read before the
    case's fields are decoded, it decodes them (``_fill``); then the instance's own value is
    found first, and a field at its default is answered here."""

    __slots__ = ("name", "default")

    def __init__(self, name: str, default: Any) -> None:
        self.name, self.default = name, default

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self.default
        d = obj.__dict__
        if _fill(d):
            v = d.get(self.name, _NO)
            if v is not _NO:
                return v
        return self.default


_CASE_FIELDS = tuple(Case.__dataclass_fields__)
_EMPTY = frozenset(("history", "notified"))
_NO = object()
_DEFAULTS = {n: f.default for n, f in Case.__dataclass_fields__.items()
             if f.default is not dataclasses.MISSING and (f.default is None or type(f.default) in (str, int, bool))}


_NOT_HEAD = tuple(n for n in SCALARS if n not in HEAD)
_REQUIRED = frozenset(n for n in SCALARS if n not in Case.__dict__)  # no class default: __getattr__ fills
for _name in SCALARS:
    if _name in Case.__dict__:  # the dataclass's default, as a class attribute: shadowed
        setattr(SummaryCase, _name, _Field(_name, getattr(Case, _name)))
del _name


def _is_default(name: str, v: Any) -> bool:
    """``v`` is the field's class default, of the same type (0 is not False)."""
    d = _DEFAULTS.get(name, _NO)
    return v is d or (type(v) is type(d) and v == d)


class Summary:
    """One database's cache, as read at open; ``case`` answers from it or fills it."""

    def __init__(self, db: Path, cfg) -> None:
        self.cfg = cfg
        self._sha1 = _hashlib().sha1
        self.file = cache_file(db)
        self.key = fingerprint(cfg)
        self.entries: dict[str, msgspec.Raw | _EntryOut] = {}  # as read, or made here
        self.fresh = 0  # entries made since the file was read or written
        self.cert_new = 0  # 1: ``cert`` or ``stale`` changed since then
        self._shared: dict[str, str] = {}  # one object per repeated text (supplier, owner, ...)
        self._lock = threading.Lock()  # entries and fresh, between a save and a read making entries
        self.hits = 0
        self.save_from = 1  # new entries before ``save`` writes (``defer_few``)
        self.released = False
        self.cert = b""  # the snapshot digest the entries not in ``stale`` were made from (certify)
        self.cert_snap = ""  # that snapshot's identity token (``might_match``)
        self.stale: set[str] = set()
        self._seen: tuple | None = None  # (inode, size, mtime) of the file as ``_read`` last read it
        self._read_as: tuple | None = None  # ... as read at open: the entries ``release`` let go of
        self.usable = _private_dir(self.file.parent, create=False)
        if self.usable:
            got = self._read()
            if got is not None:
                self.entries, self.cert, self.stale = got.entries, got.cert, set(got.stale)  # type: ignore[assignment]
                self.cert_snap = got.cert_snap
                self._read_as = self._seen
        self.known = len(self.entries)  # how many the file had when opened

    def _read(self, touch: bool = True) -> _File | None:
        """The file, each entry still encoded; None for no file or one not to use. ``touch``:
        set its time again when it is old (at the open; not when a save reads it again, which
        compares it with the open's ``_seen``)."""
        try:
            fd = os.open(self.file, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
        except OSError:
            return None  # none yet (or a link: not followed): rebuilt at the next save
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_size > MAX_BYTES:
                return None
            if touch and st.st_mtime < time.time() - TOUCH_DAYS * 86400:
                with contextlib.suppress(OSError):
                    os.utime(fd)  # still in use, though unchanged: not pruned (_prune)
                    st = os.fstat(fd)  # (as touched: the save's read must not take it for another's write)
            self._seen = (st.st_ino, st.st_size, st.st_mtime_ns)
            # Its size in one read (one allocation, handed back by join uncopied): 4 MiB reads
            # then a join held the file twice at the peak of the board's open (10k: 8.7 MB).
            chunks = []
            want = st.st_size + 1
            while chunk := os.read(fd, want):
                chunks.append(chunk)
                want = 1 << 22
            blob = b"".join(chunks)
        except OSError:
            return None
        finally:
            os.close(fd)
        try:
            with paused_gc():  # 10,000 entries are ~500,000 objects: collecting was 70% of the decode
                got = _decoder.decode(blob)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None
        return got if got.format == FORMAT and got.key == self.key else None

    def release(self) -> None:
        """Every case has been read through the cache: let go of the file's entries. The cases
        hold their values, or their own entry's bytes until a field is read (a view of the
        file's bytes, 8.4 MB at 10k: freed once every case has decoded its fields, or at exit,
        ``fill``; a digest decodes none: what it prints is in the heads). A save reads the file
        again."""
        with self._lock:
            self.entries = {k: e for k, e in self.entries.items() if type(e) is _EntryOut}
            self.released = True

    def covers(self, n: int) -> bool:
        """Most of ``n`` cases are likely in the cache (no digest checked: a hint)."""
        return n > 0 and self.known * 10 >= n * 9

    def case(self, key: str, raw: bytes, where: Path | str) -> Case:
        """The light case stored as ``raw`` under ``key``: from its entry when the entry was made
        from these bytes, else decoded (``light.light_case``) and its entry made."""
        d = self._sha1(raw).digest()  # (digest(raw), without a call more for each of 10,000 cases)
        got = self.entries.get(key)
        if type(got) is msgspec.Raw:  # (an _EntryOut was made here from these bytes' predecessor)
            try:
                ent = _entry_decoder.decode(got)
            except (msgspec.DecodeError, msgspec.ValidationError):
                ent = None  # not what this code writes: made again below
            if ent is not None and ent.digest == d:
                self.hits += 1
                return self._build(ent, raw)
        c, text = light.light_case_and_text(raw, where, key)
        if text is None:
            return c  # read by the validator itself (an old or hand-made case): not kept
        cl = _clocks_of(c, self.cfg)
        turn = whose_turn(c)
        waiting = unanswered(c)
        schedule = rank_schedule(cl, self.cfg)
        fields = {f: v for f in _NOT_HEAD if not _is_default(f, v := getattr(text, f))}
        entry = _EntryOut(d, _HeadOut(*(getattr(text, f) for f in HEAD)), fields,
                          [_ClockOut(k.kind, k.label, k.due.isoformat(), k.hard, k.party, k.source, k.met)
                           for k in cl], turn, [validate._iso(w) for w in waiting], schedule)
        with self._lock:  # a save may be running in another thread (the load worker's, outside the store lock)
            self.entries[key] = entry
            self.fresh += 1
            self.stale.add(key)  # certified only by a pass over the snapshot (``certify``)
        # Handed out as a summary case too: its lists are read again when asked for, so a first
        # open holds no more than the next one (10k: 200 MB were 140).
        sc = _new(SummaryCase)
        sd = sc.__dict__
        sd.update((k, v) for k, v in c.__dict__.items() if k not in LAZY and not _is_default(k, v))
        sd.update(_raw=raw, _known=(self.cfg, cl, turn, waiting, schedule, None, None))  # (clocks.KNOWN_CLOCKS)
        return sc

    def trusted(self, key: str, raw: bytes) -> Case | None:
        """The case from its entry without checking the entry's digest against ``raw``: only for
        a ``raw`` that is the snapshot's own document, in a snapshot whose digest the caller will
        compare with ``cert`` (``certified``) before anyone sees the case. None: no entry to use
        (``case`` then reads it)."""
        if key in self.stale:
            return None
        got = self.entries.get(key)
        if type(got) is not msgspec.Raw:
            return None
        try:
            ent = _entry_decoder.decode(got)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None
        return self._build(ent, raw)

    def might_match(self, token: str | None) -> bool:
        """Worth hashing the snapshot to compare with ``cert``: it has the token of the snapshot
        certified (a hint only, never trusted: a file edited by hand keeps its token; the digest
        decides). After a fold it has another: no hash for a certificate that cannot match."""
        return bool(self.cert and token and token == self.cert_snap)

    def certified(self, snapshot: bytes | None) -> bool:
        """The entries not ``stale`` were made from the documents of these very snapshot bytes
        (``snapshot``, their sha256): ``trusted`` may answer for the snapshot's documents."""
        return bool(snapshot) and snapshot == self.cert

    def certify(self, snapshot: bytes, token: str, stale: set[str]) -> None:
        """After a pass that read every case through this summary (each entry checked against the
        case's bytes, or ``trusted`` under a ``cert`` equal to ``snapshot``), with the snapshot's
        own documents' bytes hashed whole to ``snapshot``: every entry but those of ``stale`` (the
        cases whose bytes came from the journal or a save since) was made from the snapshot's
        document. The next open of a snapshot with that digest reads those entries unchecked,
        instead of hashing each case's bytes (10,000 cases: 31 ms, the whole file in another
        thread beside the reading instead). A snapshot changed by a byte has another digest:
        every entry is checked again, as before. ``token``: the snapshot's identity token
        (``might_match``)."""
        with self._lock:
            if snapshot != self.cert or stale != self.stale:
                self.cert_new = 1  # worth writing with the rest (at the board's close), not alone
            self.cert, self.cert_snap, self.stale = snapshot, token, set(stale)

    def _build(self, ent: Entry, raw: bytes) -> SummaryCase:
        """A summary case holding what the sort and the counts read; its other scalar fields
        are decoded from the entry the first time one is read (``_Field``)."""
        c = _new(SummaryCase)
        (case_id, stage, rev, amount, claimed, cur, snoozed_until, platform, entered,
         supplier, title, order) = _astuple(ent.head)  # HEAD's order
        shared = self._shared
        # One dict display, not a dict of the head updated after: 10,000 cases built in 23 ms, not 47.
        c.__dict__ = {"id": case_id, "number": int(case_id[2:]), "stage": stage, "rev": rev, "amount": amount, "claimed": claimed,
                      "currency": shared.setdefault(cur, cur), "snoozed_until": snoozed_until,
                      "platform": platform, "stage_entered_at": entered,
                      "supplier": shared.setdefault(supplier, supplier), "title": title, "order": order,
                      "_fields": ent.fields, "_shared": shared, "_raw": raw,
                      "_known": (self.cfg, None, ent.turn, ent.waiting, ent.schedule, ent.clocks, _clocks_decode)}
        return c

    def defer_few(self) -> None:
        """For a short command (the digest): ``save`` writes the file only once ``SAVE_AFTER``
        entries are new. The case or two changed since the last write (an edit before each
        digest) cost less to decode again next time (well under a millisecond each) than the
        file to write again whole (10k: 8.4 MB read, written and fsync'd, 100-190 ms of a
        digest after an edit). A first open, or a new format, still writes it."""
        self.save_from = SAVE_AFTER

    def save(self, keys: set[str] | None = None) -> bool:
        """Write the file whole if anything is new (only the entries of ``keys``, the cases the
        database has now, when given). False when it could not: the board goes on without."""
        with self._lock:
            if self.fresh + self.cert_new < self.save_from:
                return True  # nothing new, or too little to rewrite it for (defer_few)
            return self._save(keys)

    def _save(self, keys: set[str] | None) -> bool:
        if not self.fresh + self.cert_new:
            return True
        if not _private_dir(self.file.parent, create=True):
            self.usable = False
            return False
        mine = dict(self.entries)
        stale = set(self.stale)
        if self.released:  # the file's entries again (another process of mine may have written it since)
            got = self._read(touch=False)
            theirs = {k: e for k, e in got.entries.items() if k not in mine} if got is not None else {}
            entries = {**theirs, **mine}
            if got is not None and self._seen != self._read_as:
                # Written since I read it (another process of mine): its entries are certified
                # under my ``cert`` only where the file says so under the same one.
                stale |= (set(got.stale) & theirs.keys()) if got.cert == self.cert else theirs.keys()
        else:
            entries = mine
        if keys is not None:
            entries = {k: e for k, e in entries.items() if k in keys}
        try:
            blob = _encoder.encode((FORMAT, self.key, entries, self.cert, sorted(stale & entries.keys()),
                                    self.cert_snap))
            with atomic_file(self.file) as fh:
                fh.write(blob)
        except Exception:  # noqa: BLE001 - OSError, files' ValueError, or anything: a cache, never a failed command
            return False
        self.entries = {} if self.released else entries
        self.stale = stale
        self._read_as = None  # (what is let go of now is what was just written: read again at the next save)
        self.fresh = self.cert_new = 0
        _prune(self.file)
        return True


def _prune(mine: Path) -> None:
    """Other databases' summaries not opened for ``FORGET_DAYS`` (temporary copies, moved or
    deleted databases) are removed: the folder does not grow without end. Housekeeping: any
    error leaves the file where it is."""
    cutoff = time.time() - FORGET_DAYS * 86400
    try:
        names = os.listdir(mine.parent)
    except OSError:
        return
    for name in names:
        if name == mine.name or not (name.startswith("summary-") and name.endswith(".msgpack")):
            continue
        path = mine.parent / name
        try:
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and st.st_mtime < cutoff:
                os.unlink(path)
        except OSError:
            pass


__all__ = ["Summary", "SummaryCase", "fill", "peek", "peek_files", "cache_file", "fingerprint", "paused_gc", "FORMAT"]
