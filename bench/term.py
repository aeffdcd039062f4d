"""A real process on a real pty, for bench/figures.py: started at a given size, its output read
and timestamped as it arrives (what a terminal would see), its frame marks (bench/marks.py) read
from a pipe, its CPU and memory read from /proc.

Key timings are taken from the terminal's side: the instant the key's bytes are written to the
pty, to the first and to the last output chunk before the screen goes quiet (the settled frame).
"""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import termios
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
ANSWERS = ((b"\x1b[c", b"\x1b[?1;2c"), (b"\x1b[16t", b"\x1b[6;17;8t"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def vm_hwm_mb(pid: int) -> float:
    """Peak resident memory of a process image (VmHWM), MB (10^6 bytes)."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


class Term:
    def __init__(self, argv: list[str], size: tuple[int, int], env: dict[str, str], log_path: str) -> None:
        cols, rows = size
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        mark_r, mark_w = os.pipe()
        self.chunks: list[tuple[float, int]] = []
        self.marks: dict[str, tuple[float, list[str]]] = {}
        self.lock = threading.Lock()
        self.log_path = log_path  # the last 64 KiB of output (Textual draws on stderr), kept at close
        self.tail = b""
        env = dict(env, BENCH_MARK_FD=str(mark_w), TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     pass_fds=(mark_w,), start_new_session=True)
        os.close(slave)
        os.close(mark_w)
        self._threads = [threading.Thread(target=self._read_out, daemon=True),
                         threading.Thread(target=self._read_marks, args=(mark_r,), daemon=True)]
        for t in self._threads:
            t.start()

    # -- readers -----------------------------------------------------------------------------
    def _read_out(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            t = time.monotonic()
            with self.lock:
                self.chunks.append((t, len(data)))
                self.tail = (self.tail + data)[-65536:]
            # Answer as xterm does the queries textual_image sends at import (it waits 0.1 s for
            # each answer): primary device attributes and the cell size in pixels. Its kitty
            # graphics query goes unanswered, as in xterm or tmux.
            # In the order asked, as a terminal answers (a board that stops reading at the
            # attributes' answer would otherwise find a later one among its keys).
            asked = sorted((data.find(query), answer) for query, answer in ANSWERS if query in data)
            for _, answer in asked:
                try:
                    os.write(self.master, answer)
                except OSError:
                    pass

    def _read_marks(self, fd: int) -> None:
        buf = b""
        with os.fdopen(fd, "rb", buffering=0) as fh:
            while True:
                data = fh.read(4096)
                if not data:
                    return
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    name, t, *extra = line.decode().split()
                    with self.lock:
                        self.marks[name] = (float(t), extra)

    # -- waiting -----------------------------------------------------------------------------
    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_mark(self, name: str, timeout: float) -> tuple[float, list[str]] | None:
        """(seconds from process start, extra fields) of a mark, or None if it did not come."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                hit = self.marks.get(name)
            if hit is not None:
                return hit[0] - self.started, hit[1]
            if not self.alive():
                return None
            time.sleep(0.005)
        return None

    def wait_quiet(self, quiet: float = 0.15, timeout: float = 10.0) -> None:
        """Until no output has arrived for ``quiet`` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                last = self.chunks[-1][0] if self.chunks else self.started
            if time.monotonic() - last >= quiet:
                return
            time.sleep(0.01)

    def press(self, data: bytes, quiet: float = 0.1, timeout: float = 5.0) -> tuple[float, float] | None:
        """Write one key; (first output, settled output) in seconds after the write, or None when
        nothing was drawn within ``timeout`` (the key changed nothing on screen)."""
        with self.lock:
            start = len(self.chunks)
        t = time.monotonic()
        os.write(self.master, data)
        while True:
            time.sleep(0.002)
            now = time.monotonic()
            with self.lock:
                new = self.chunks[start:]
            if new and now - new[-1][0] >= quiet:
                return new[0][0] - t, new[-1][0] - t
            if now - t > timeout:
                return (new[0][0] - t, new[-1][0] - t) if new else None

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def hwm_mb(self) -> float:
        return vm_hwm_mb(self.proc.pid)

    def wait_cpu_quiet(self, window: float = 0.5, max_share: float = 0.05, timeout: float = 30.0) -> bool:
        """Until the process used at most ``max_share`` of a core over ``window`` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.alive():
            a = self.cpu()
            time.sleep(window)
            if self.cpu() - a <= max_share * window + 1.0 / CLK_TCK:
                return True
        return False

    def close(self, quit_keys: bytes = b"q", timeout: float = 30.0) -> int | None:
        if self.alive():
            try:
                os.write(self.master, quit_keys)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        try:
            os.close(self.master)
        except OSError:
            pass
        with open(self.log_path, "wb") as fh:
            fh.write(self.tail)
        return self.proc.returncode
