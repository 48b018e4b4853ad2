"""A progress line on the terminal when a build takes more than a moment."""

from __future__ import annotations

import sys
import time

DELAY = 1.0          # seconds before the first progress line appears


class Progress:
    """Counts work done; draws one updating line on a terminal, nothing elsewhere."""

    def __init__(self, quiet: bool = False, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = not quiet and getattr(self.stream, "isatty", lambda: False)()
        self.started = time.perf_counter()
        self.label, self.total, self.count, self.drawn = "", 0, 0, 0.0

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.count = label, total, 0

    def advance(self, amount: int = 1) -> None:
        self.count += amount
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self.started >= DELAY and now - self.drawn >= 0.1:
            self.drawn = now
            shown = min(self.count, self.total) if self.total else self.count
            self.stream.write(f"\r{self.label} {shown}/{self.total}…")
            self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
