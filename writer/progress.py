"""Progress for long work (sync, bulk, eval): shown on a terminal, silent when piped."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")


class Progress:
    """Prints one line per step to stderr, with elapsed time, only on a terminal.

    ``Progress(enabled=False)`` (or a non-tty stream) is silent, so library code can always
    call it.
    """

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.start = time.monotonic()

    def step(self, message: str) -> None:
        if self.enabled:
            elapsed = time.monotonic() - self.start
            print(f"[{elapsed:6.1f}s] {message}", file=self.stream, flush=True)

    def iterate(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        """Yield ``items``, redrawing a counter in place about every half second."""
        if not self.enabled:
            yield from items
            return
        last = 0.0
        count = 0
        for count, item in enumerate(items, 1):  # noqa: B007 - count is read after the loop
            now = time.monotonic()
            if now - last > 0.5:
                last = now
                of = f"/{total:,}" if total else ""
                print(f"\r  {label}: {count:,}{of}", end="", file=self.stream, flush=True)
            yield item
        print(f"\r  {label}: {count:,} done", file=self.stream, flush=True)


    def tracker(self, total: int, label: str) -> Tracker:
        """A counter of ``total`` steps with rate and ETA, redrawn in place (see ``Tracker``)."""
        return Tracker(self, total, label)


class Tracker:
    """``label: 1,234/20,598 (35.2/s, ETA 9m20s)``, redrawn about twice a second on a
    terminal; nothing when its ``Progress`` is silent. Call ``advance()`` per step and
    ``close()`` at the end."""

    def __init__(self, progress: Progress, total: int, label: str) -> None:
        self.progress = progress
        self.total = total
        self.label = label
        self.count = 0
        self.start = time.monotonic()
        self._drawn = 0.0

    def line(self, now: float | None = None) -> str:
        elapsed = (now or time.monotonic()) - self.start
        rate = self.count / elapsed if elapsed > 0 else 0.0
        text = f"{self.label}: {self.count:,}/{self.total:,}"
        if self.count and rate:
            left = (self.total - self.count) / rate
            text += f" ({rate:.1f}/s, ETA {int(left) // 60}m{int(left) % 60:02d}s)"
        return text

    def advance(self, n: int = 1) -> None:
        self.count += n
        if not self.progress.enabled:
            return
        now = time.monotonic()
        if now - self._drawn > 0.5:
            self._drawn = now
            print(f"\r  {self.line(now)}\x1b[K", end="", file=self.progress.stream, flush=True)

    def close(self) -> None:
        if self.progress.enabled and self._drawn:
            print(f"\r  {self.line()}\x1b[K", file=self.progress.stream, flush=True)


QUIET = Progress(enabled=False)
