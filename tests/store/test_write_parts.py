"""A fold writes the snapshot with writev, straight from the stored pieces; writev may write
fewer bytes than asked (a signal, a full pipe, a network file system): every byte still lands,
once, in order."""

from __future__ import annotations

import os

import store.backends.tinydb.storage as storage_mod


def test_short_writevs_resume_where_they_stopped(tmp_path, monkeypatch):
    real = os.writev
    calls = []
    parts = [b"x" * 5000, b"", b"y", b"z" * 3000] * 700  # more pieces than one writev takes
    whole = sum(map(len, parts))

    def short(fd, bufs):
        calls.append(len(bufs))
        if len(calls) * 777 > 2 * whole:  # a resume that writes the same bytes again: stop, fail
            raise AssertionError("writev called again and again: the write does not resume")
        budget, out = 777, []  # at most 777 bytes a call, often mid-piece
        for b in bufs:
            b = bytes(b)[:budget]
            out.append(b)
            budget -= len(b)
            if not budget:
                break
        return real(fd, out)

    monkeypatch.setattr(storage_mod.os, "writev", short)
    path = tmp_path / "snap"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        storage_mod._write_parts(fd, iter(parts), True)
    finally:
        os.close(fd)
    assert path.read_bytes() == b"".join(parts)
    assert max(calls) <= storage_mod._IOV and len(calls) > len(parts) // storage_mod._IOV
