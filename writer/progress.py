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


QUIET = Progress(enabled=False)
