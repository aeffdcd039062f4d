"""The one lock every store call from the board takes (TinyStore is not thread-safe)."""

from __future__ import annotations

import threading


class StoreLockUser:
    """For screens whose workers call the store: the app's lock, else one of their own (tests)."""

    _lock: threading.Lock | None = None

    @property
    def store_lock(self) -> threading.Lock:
        if self._lock is None:
            self._lock = getattr(self.app, "store_lock", None) or threading.Lock()  # type: ignore[attr-defined]
        return self._lock
