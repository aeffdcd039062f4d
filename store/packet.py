"""The dispute packet: one zip to upload, and the integrity checks behind it.

A packet holds ``statement.txt`` (the saved statement, else a fresh composition),
``transcript.txt`` (the messages exchanged with the supplier and the platform; internal notes
are left out), every evidence file under ``evidence/`` with a unique plain name, and
``manifest.json`` listing each of those files with its name, kind, size and SHA-256.

Each evidence file is read once: hashed while it is copied into the zip, so the manifest
describes exactly the bytes packed. A file that is missing, unreadable or no longer the one
recorded when it was attached refuses the whole packet (naming every such file) unless
``force`` is given; then changed files go in as they are now and missing ones are listed in the
manifest under ``not_included``. The zip is written through ``store.files.atomic_file`` (an
unguessable temp beside the target, renamed over it only when complete, with the database's
privacy): a failed, interrupted or killed run leaves no partial packet for long.
Entry names are relative, without ``..``, backslashes or control characters.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from . import files as files_
from .errors import ValidationError
from .model import Case, Evidence, iso
from .statement import evidence_name, plain
from .statement import current as current_statement

PACKET_FORMAT = "dispute-board-packet"
PACKET_VERSION = 1
CHUNK = 1 << 20

# -- integrity --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileCheck:
    """One evidence file re-read against what was recorded when it was attached."""

    index: int  # 1-based position in the case's evidence list
    path: str
    name: str
    kind: str
    state: str  # ok | missing | changed | unreadable
    detail: str = ""  # what is wrong, in words
    size: int | None = None  # now, when readable
    sha256: str = ""  # now, when readable

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def to_dict(self) -> dict:
        return {"index": self.index, "path": self.path, "name": self.name, "kind": self.kind,
                "state": self.state, "detail": self.detail, "size": self.size, "sha256": self.sha256}


def _short(sha: str) -> str:
    return sha[:12] + "…" if sha else "(none)"


def _changed_detail(e: Evidence, size: int, sha: str, mtime: float | None) -> str:
    parts = []
    if size != e.size:
        parts.append(f"size {e.size} -> {size} bytes")
    parts.append(f"sha256 {_short(e.sha256)} -> {_short(sha)}")
    if mtime is not None:
        when = datetime.fromtimestamp(mtime, timezone.utc)
        if e.added_at is None or when > e.added_at:
            parts.append(f"modified {when:%Y-%m-%d %H:%M} UTC")
    return ", ".join(parts)


def _missing(index: int, e: Evidence) -> FileCheck | None:
    """A check for a file that cannot be read at all, else None."""
    p = Path(e.path)
    name = evidence_name(e)
    try:
        st = os.stat(p, follow_symlinks=False)
    except FileNotFoundError:
        return FileCheck(index, e.path, name, e.kind, "missing", f"no file at {plain(e.path)}")
    except PermissionError:
        return FileCheck(index, e.path, name, e.kind, "unreadable", "permission denied")
    except OSError as exc:
        return FileCheck(index, e.path, name, e.kind, "missing", exc.strerror or str(exc))
    if stat.S_ISLNK(st.st_mode):  # put where the file was: not followed (files.open_evidence)
        return FileCheck(index, e.path, name, e.kind, "changed",
                         f"{plain(e.path)} is {plain(files_.link_instead(p) or 'now a link')}")
    if not stat.S_ISREG(st.st_mode):
        return FileCheck(index, e.path, name, e.kind, "missing", f"{plain(e.path)} is no longer a regular file")
    return None



def check_file(index: int, e: Evidence) -> FileCheck:
    """Re-hash one evidence file (slow for big videos: run it off the UI thread)."""
    bad = _missing(index, e)
    if bad is not None:
        return bad
    h = hashlib.sha256()
    size = 0
    try:
        with files_.open_evidence(e.path) as fh:
            mtime = os.fstat(fh.fileno()).st_mtime
            while chunk := fh.read(CHUNK):
                h.update(chunk)
                size += len(chunk)
    except PermissionError:
        return FileCheck(index, e.path, evidence_name(e), e.kind, "unreadable", "permission denied")
    except OSError as exc:
        return FileCheck(index, e.path, evidence_name(e), e.kind, "unreadable", exc.strerror or str(exc))
    return _result(index, e, size, h.hexdigest(), mtime)


def _result(index: int, e: Evidence, size: int, sha: str, mtime: float | None) -> FileCheck:
    if size == e.size and sha == e.sha256:
        return FileCheck(index, e.path, evidence_name(e), e.kind, "ok", "", size, sha)
    return FileCheck(index, e.path, evidence_name(e), e.kind, "changed", _changed_detail(e, size, sha, mtime),
                     size, sha)


def verify(case: Case) -> list[FileCheck]:
    """Every evidence file of the case, re-hashed."""
    return [check_file(i, e) for i, e in enumerate(case.evidence, 1)]


def problems_line(case_id: str, bad: list[FileCheck]) -> str:
    return "; ".join(f"{case_id} #{c.index} {c.name} {c.state} ({c.detail})" for c in bad)


# -- transcript -------------------------------------------------------------------------------

WHO = {"me": "Buyer", "supplier": "Supplier", "platform": "Platform"}


def transcript(case: Case) -> str:
    """The messages exchanged on the case, oldest first, times in UTC. Internal notes are left out."""
    msgs = sorted((m for m in case.messages if m.sender in WHO), key=lambda m: m.at)
    lines = [f"Messages on order {' '.join(plain(case.order).split())} with "
             f"{' '.join(plain(case.supplier).split())} (case {case.id}), as logged by the buyer.",
             "Times are UTC.", ""]
    if not msgs:
        lines.append("(no messages logged)")
    for m in msgs:
        lines.append(f"{m.at.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC  {WHO[m.sender]}:")
        for ln in plain(m.text).split("\n"):
            lines.append(f"    {ln.rstrip()}".rstrip())
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# -- the zip ----------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def safe_name(name: str, fallback: str) -> str:
    """A file name that extracts the same everywhere: no folders, no '..', no reserved characters."""
    s = _UNSAFE.sub("_", " ".join(plain(name).split()))
    s = s.strip(" .")
    if not s:
        return fallback
    if len(s) > 120:
        stem, dot, ext = s.rpartition(".")
        s = (stem[: 120 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else s[:120]
    return s


def unique_names(case: Case) -> list[str]:
    """``evidence/<name>`` for each evidence file, unique regardless of letter case."""
    seen: set[str] = set()
    out = []
    for i, e in enumerate(case.evidence, 1):
        base = safe_name(evidence_name(e), f"evidence-{i}")
        stem, dot, ext = base.rpartition(".")
        if not dot or not stem:
            stem, dot, ext = base, "", ""
        cand, n = base, 1
        while cand.lower() in seen:
            n += 1
            cand = f"{stem}-{n}{dot}{ext}"
        seen.add(cand.lower())
        out.append(f"evidence/{cand}")
    return out


def _entry_ok(name: str) -> bool:
    p = PurePosixPath(name)
    return (not name.startswith("/") and "\\" not in name and ".." not in p.parts
            and all(part not in ("", ".") for part in name.split("/")))


def check_output(output: str | os.PathLike) -> Path:
    """Where the packet will go; refuses a folder, a missing parent folder or one we cannot write
    in before any work."""
    target = files_.check_target(output, example="packet.zip")
    parent = target.parent if str(target.parent) else Path(".")
    if not os.access(parent, os.W_OK):
        raise ValidationError(f"{output}: cannot write in {parent}")
    return target


@dataclass
class Packet:
    path: Path
    files: list[dict]  # the manifest's entries
    problems: list[FileCheck] = field(default_factory=list)  # packed anyway (force) or left out
    statement_source: str = "composed"

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def _zinfo(name: str, when: datetime) -> zipfile.ZipInfo:
    t = when.astimezone(timezone.utc)
    zi = zipfile.ZipInfo(name, date_time=(max(t.year, 1980), t.month, t.day, t.hour, t.minute, t.second))
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.external_attr = 0o644 << 16
    return zi


def _put_text(zf: zipfile.ZipFile, name: str, text: str, when: datetime, kind: str) -> dict:
    data = text.encode("utf-8")
    zf.writestr(_zinfo(name, when), data)
    return {"name": name, "kind": kind, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _copy_evidence(zf: zipfile.ZipFile, name: str, index: int, e: Evidence, now: datetime) -> FileCheck:
    """Stream one file into the zip, hashing what is packed."""
    h = hashlib.sha256()
    size = 0
    with files_.open_evidence(e.path) as src:
        st = os.fstat(src.fileno())
        mtime = datetime.fromtimestamp(st.st_mtime, timezone.utc)
        zi = _zinfo(name, mtime if mtime.year >= 1980 else now)
        with zf.open(zi, "w", force_zip64=True) as dst:
            while chunk := src.read(CHUNK):
                h.update(chunk)
                size += len(chunk)
                dst.write(chunk)
    return _result(index, e, size, h.hexdigest(), st.st_mtime)


def write_packet(case: Case, output: str | os.PathLike, *, now: datetime, force: bool = False,
                 mode: int = 0o600) -> Packet:
    """Write the case's packet to ``output`` atomically. See the module docstring."""
    target = check_output(output)
    if any(target.resolve() == Path(e.path).resolve() for e in case.evidence):
        raise ValidationError(f"{output}: is one of the case's evidence files; write the packet elsewhere")
    # cheap checks first: refuse before writing anything
    bad_now = [b for b in (_missing(i, e) for i, e in enumerate(case.evidence, 1)) if b is not None]
    if bad_now and not force:
        raise ValidationError(f"packet not written: {problems_line(case.id, bad_now)}; "
                              f"re-attach or use --force to leave them out")
    names = unique_names(case)
    statement = current_statement(case)
    files: list[dict] = []
    problems: list[FileCheck] = list(bad_now)
    skipped = {b.index for b in bad_now}
    try:
        _pack(case, target, mode, names, statement, files, problems, skipped, now, force)
    except OSError as exc:  # the packet's own file: disk full, folder gone, read-only
        raise ValidationError(f"{output}: cannot write the packet: {exc.strerror or exc}") from None
    return Packet(target, files, problems, "saved" if case.statement.strip() else "composed")


def _pack(case: Case, target: Path, mode: int, names: list[str], statement: str, files: list[dict],
          problems: list[FileCheck], skipped: set[int], now: datetime, force: bool) -> None:
    with files_.atomic_file(target, mode) as fh:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            files.append(_put_text(zf, "statement.txt", statement, now, "statement"))
            files.append(_put_text(zf, "transcript.txt", transcript(case), now, "transcript"))
            for i, (e, name) in enumerate(zip(case.evidence, names), 1):
                if i in skipped:
                    continue
                assert _entry_ok(name), name
                try:
                    chk = _copy_evidence(zf, name, i, e, now)
                except OSError as exc:  # vanished or failed while being read: no half entry
                    chk = FileCheck(i, e.path, evidence_name(e), e.kind, "unreadable",
                                    exc.strerror or str(exc))
                    raise ValidationError(f"packet not written: {problems_line(case.id, [chk])}") from None
                if not chk.ok:
                    problems.append(chk)
                entry = {"name": name, "kind": e.kind, "size": chk.size, "sha256": chk.sha256}
                if e.note:
                    entry["note"] = plain(e.note)
                entry["added_at"] = iso(e.added_at)
                if not chk.ok:
                    entry["recorded_sha256"] = e.sha256
                    entry["state"] = chk.state
                files.append(entry)
            if problems and not force:
                raise ValidationError(f"packet not written: {problems_line(case.id, problems)}; "
                                      f"re-attach or use --force to pack them as they are")
            manifest = {
                "format": PACKET_FORMAT, "version": PACKET_VERSION, "case": case.id,
                "order": plain(case.order), "platform": case.platform,
                "platform_ref": plain(case.platform_ref), "supplier": plain(case.supplier),
                "reason": case.reason, "resolution_sought": case.want,
                "amount_claimed": str(case.claim), "currency": case.currency,
                "created_at": iso(now),
                "files": files,
            }
            left_out = [p for p in problems if p.index in skipped]
            if left_out:
                manifest["not_included"] = [{"name": p.name, "kind": p.kind, "state": p.state,
                                             "detail": p.detail} for p in left_out]
            body = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
            zf.writestr(_zinfo("manifest.json", now), body.encode("utf-8"))
            for info in zf.infolist():
                if not _entry_ok(info.filename):  # never: names are built above
                    raise ValidationError(f"unsafe name in packet: {info.filename!r}")


__all__ = ["FileCheck", "Packet", "check_file", "verify", "transcript", "write_packet", "check_output",
           "unique_names", "safe_name", "problems_line", "PACKET_FORMAT"]
