"""What the evidence thumbnail costs: a 4032x3024 phone-size JPEG decoded in full against decoded
through Image.draft() at tui.thumbnail.THUMB_PX, and the whole load_preview (read, SHA-256,
decode). Best of N runs, in ms. Run: .venv/bin/python bench/thumbnail.py [N]"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from store.model import Evidence  # noqa: E402
from tui.thumbnail import THUMB_PX, load_preview  # noqa: E402


def best(f, n: int) -> float:
    out = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        out = min(out, time.perf_counter() - t0)
    return out * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as d:
        small = Image.frombytes("RGB", (504, 378), os.urandom(504 * 378 * 3)).filter(ImageFilter.GaussianBlur(1))
        path = Path(d) / "big.jpg"
        small.resize((4032, 3024), Image.Resampling.BICUBIC).save(path, "JPEG", quality=90)
        data = path.read_bytes()
        e = Evidence(str(path), "photo", "", datetime.now(timezone.utc), len(data), hashlib.sha256(data).hexdigest())

        def full() -> None:
            with Image.open(io.BytesIO(data)) as im:
                im.load()
                im.thumbnail(THUMB_PX)

        def draft() -> None:
            with Image.open(io.BytesIO(data)) as im:
                im.draft("RGB", THUMB_PX)
                im.thumbnail(THUMB_PX, Image.Resampling.BILINEAR)

        print(f"4032x3024 JPEG, {len(data) / 1e6:.1f} MB, thumbnail box {THUMB_PX}, best of {n}")
        print(f"full decode + thumbnail   {best(full, n):7.1f} ms")
        print(f"draft decode + thumbnail  {best(draft, n):7.1f} ms")
        print(f"load_preview (read+sha+decode) {best(lambda: load_preview(e, 0), n):7.1f} ms")
        print(f"load avg {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
