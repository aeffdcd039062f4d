"""The packet zip read back, and integrity checks after a file is changed or removed."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import PurePosixPath

import pytest

from store import packet, statement
from store.errors import ValidationError
from store.model import Evidence

from tests.support.cases import NOW, add_file, chat, make_case


@pytest.fixture
def case(tmp_path):
    c = make_case()
    chat(c)
    ev = tmp_path / "evidence"
    add_file(c, ev / "a" / "photo.jpg", b"\xff\xd8" + os.urandom(3000), "photo", "carton 3")
    add_file(c, ev / "b" / "photo.jpg", b"\xff\xd8" + os.urandom(2000), "photo")  # same name, other folder
    add_file(c, ev / "PHOTO.JPG", b"\xff\xd8upper", "photo")  # same name but for letter case
    add_file(c, ev / "inv:oice?.pdf", b"%PDF-1.4 " + os.urandom(500), "invoice")
    add_file(c, ev / "unpacking.mp4", os.urandom(70_000), "video")
    return c


def read(zpath):
    with zipfile.ZipFile(zpath) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def test_packet_read_back_matches_its_manifest(case, tmp_path):
    out = tmp_path / "out" / "D-0001 packet.zip"
    out.parent.mkdir()
    p = packet.write_packet(case, out, now=NOW)
    entries = read(out)
    manifest = json.loads(entries.pop("manifest.json"))
    assert manifest["case"] == "D-0001" and manifest["order"] == "ORD-7781"
    assert manifest["amount_claimed"] == "375.03" and manifest["currency"] == "USD"
    # every file in the zip is in the manifest with its real size and hash, and nothing else is
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == set(entries)
    for name, data in entries.items():
        assert listed[name]["size"] == len(data)
        assert listed[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert not name.startswith("/") and ".." not in PurePosixPath(name).parts and "\\" not in name
    assert [f["kind"] for f in manifest["files"]] == ["statement", "transcript", "photo", "photo", "photo",
                                                      "invoice", "video"]
    names = [f["name"] for f in manifest["files"][2:]]
    assert names == ["evidence/photo.jpg", "evidence/photo-2.jpg", "evidence/PHOTO-3.JPG",
                     "evidence/inv_oice_.pdf", "evidence/unpacking.mp4"]
    # the evidence bytes are the files themselves, hashes as recorded at attach time
    for e, name in zip(case.evidence, names):
        assert entries[name] == open(e.path, "rb").read()
        assert listed[name]["sha256"] == e.sha256 and "state" not in listed[name]
    assert listed["evidence/photo.jpg"]["note"] == "carton 3"
    assert "path" not in json.dumps(manifest)  # no local folders leak to the platform
    assert entries["statement.txt"].decode() == statement.compose(case)
    transcript = entries["transcript.txt"].decode()
    assert "Supplier:\n    The goods left our factory in perfect condition." in transcript
    assert "    Please confirm the refund amount.\n    Second line." in transcript
    assert "INTERNAL" not in transcript
    assert p.statement_source == "composed" and not p.problems
    assert os.listdir(out.parent) == ["D-0001 packet.zip"]  # no temp file left behind


def test_a_saved_statement_is_the_one_packed(case, tmp_path):
    case.statement = "Edited by hand.\n"
    p = packet.write_packet(case, tmp_path / "p.zip", now=NOW)
    assert read(p.path)["statement.txt"] == b"Edited by hand.\n" and p.statement_source == "saved"


def test_changed_file_refuses_the_packet_naming_it_and_leaves_no_file(case, tmp_path):
    path = case.evidence[3].path
    with open(path, "ab") as fh:
        fh.write(b"tampered")
    out = tmp_path / "p.zip"
    with pytest.raises(ValidationError) as err:
        packet.write_packet(case, out, now=NOW)
    msg = str(err.value)
    assert "#4 inv:oice?.pdf changed" in msg and "size 509 -> 517 bytes" in msg and "--force" in msg
    assert os.listdir(tmp_path) == ["evidence"]  # neither the packet nor a temp file
    # an earlier packet at the same place stays whole
    out.write_bytes(b"old packet")
    with pytest.raises(ValidationError):
        packet.write_packet(case, out, now=NOW)
    assert out.read_bytes() == b"old packet"


def test_missing_file_refuses_before_any_work_and_force_leaves_it_out(case, tmp_path):
    os.unlink(case.evidence[4].path)
    with open(case.evidence[0].path, "r+b") as fh:  # same size, other bytes
        fh.write(b"XX")
    out = tmp_path / "p.zip"
    with pytest.raises(ValidationError, match=r"#5 unpacking.mp4 missing \(no file at .*unpacking.mp4\)"):
        packet.write_packet(case, out, now=NOW)
    assert not out.exists()
    p = packet.write_packet(case, out, now=NOW, force=True)
    entries = read(out)
    manifest = json.loads(entries["manifest.json"])
    assert "evidence/unpacking.mp4" not in entries
    assert manifest["not_included"] == [{"name": "unpacking.mp4", "kind": "video", "state": "missing",
                                         "detail": f"no file at {case.evidence[4].path}"}]
    changed = next(f for f in manifest["files"] if f["name"] == "evidence/photo.jpg")
    assert changed["state"] == "changed" and changed["recorded_sha256"] == case.evidence[0].sha256
    assert changed["sha256"] == hashlib.sha256(entries["evidence/photo.jpg"]).hexdigest()
    assert {x.state for x in p.problems} == {"missing", "changed"}


def test_hostile_names_stay_inside_the_zip(tmp_path):
    c = make_case()
    # real files whose own names are hostile (Linux allows all but '/')
    for name in ("...", "C:\\Users\\me\\..\\evil.pdf", "\x1b[2Jesc.jpg", " .hidden.pdf", "..x"):
        add_file(c, tmp_path / "ev" / name, name.encode(), "other")
    # a recorded path ending in '..' (imported data) pointing at nothing
    c.evidence.append(Evidence("/srv/evidence/..", "other", "", NOW, 1, "0" * 64))
    names = packet.unique_names(c)
    assert names == ["evidence/evidence-1", "evidence/evil.pdf", "evidence/[2Jesc.jpg", "evidence/hidden.pdf",
                     "evidence/x", "evidence/evidence-6"]
    weird = [packet.safe_name(n, "x") for n in ("..", "../../etc/passwd", "C:\\a\\..\\evil.pdf", "...")]
    assert weird == ["x", "_.._etc_passwd", "C__a_.._evil.pdf", "x"]
    p = packet.write_packet(c, tmp_path / "h.zip", now=NOW, force=True)
    with zipfile.ZipFile(p.path) as zf:
        for info in zf.infolist():
            parts = PurePosixPath(info.filename).parts
            assert not info.filename.startswith("/") and ".." not in parts and "\x1b" not in info.filename
        assert len(zf.infolist()) == 3 + 5


def test_output_problems_are_refused_before_any_work(case, tmp_path):
    with pytest.raises(ValidationError, match="is a folder"):
        packet.write_packet(case, tmp_path, now=NOW)
    with pytest.raises(ValidationError, match="does not exist"):
        packet.write_packet(case, tmp_path / "nope" / "p.zip", now=NOW)
    with pytest.raises(ValidationError, match="is one of the case's evidence files"):
        packet.write_packet(case, case.evidence[4].path, now=NOW)
    assert [c.state for c in packet.verify(case)] == ["ok"] * 5


def test_verify_says_what_changed(case):
    assert [c.state for c in packet.verify(case)] == ["ok"] * 5
    e0, e1, e3 = case.evidence[0], case.evidence[1], case.evidence[3]
    with open(e0.path, "r+b") as fh:
        fh.write(b"ZZ")  # same size, other content
    with open(e3.path, "wb") as fh:
        fh.write(b"short")
    os.unlink(e1.path)
    res = packet.verify(case)
    assert [c.state for c in res] == ["changed", "missing", "ok", "changed", "ok"]
    assert res[0].detail.startswith(f"sha256 {e0.sha256[:12]}… -> ") and "size" not in res[0].detail
    assert "modified 20" in res[0].detail
    assert res[1].detail == f"no file at {e1.path}"
    assert res[3].detail.startswith("size 509 -> 5 bytes, sha256 ")
    assert res[3].sha256 == hashlib.sha256(b"short").hexdigest() and res[3].size == 5
