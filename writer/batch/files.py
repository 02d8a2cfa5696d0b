"""The OpenAI Batch API's JSONL files, which ``vllm run-batch`` reads and writes too.

- A requests file has one line per request: ``{"custom_id", "method": "POST", "url":
  "/v1/chat/completions", "body"}``; ``Parts`` writes one, split into several when it holds
  more than ``MAX_REQUESTS`` lines or ``MAX_FILE_BYTES``.
- A results file (a batch's output or error file) has one line per answer: ``{"id",
  "custom_id", "response": {"status_code", "request_id", "body"}, "error"}``; ``read_lines``
  reads one line at a time, a line too long or not JSON as a text saying so.
- A ``custom_id`` is ``RUN:GENE_ID:SECTION:ROUND`` (``3f9a01c2:4495:function:1``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writer.errors import BadFile

if TYPE_CHECKING:
    pass


CHAT_URL = "/v1/chat/completions"
MAX_LINE_BYTES = 2_000_000  # a results line longer than this is not read (a reply is < 256 kB)
# The OpenAI Batch API takes at most 50,000 requests and 200 MB in one input file.
MAX_REQUESTS = 50_000
MAX_FILE_BYTES = 190_000_000


def custom_id(run: str, gene_id: int, section: str, round_: int) -> str:
    return f"{run}:{gene_id}:{section}:{round_}"


def parse_custom_id(text: Any) -> tuple[str, int, str, int] | None:
    """(run, gene_id, section, round) of a custom_id this module wrote, else None."""
    parts = text.split(":") if isinstance(text, str) else []
    if len(parts) != 4 or not parts[1].isdigit() or not parts[3].isdigit():
        return None
    return parts[0], int(parts[1]), parts[2], int(parts[3])


class Parts:
    """Request lines written to ``path``, or, when they need more than one file (over
    ``max_requests`` lines or ``MAX_FILE_BYTES``), to ``STEM-1.jsonl``, ``STEM-2.jsonl``, ...
    beside it. Nothing appears under those names before ``finish``."""

    def __init__(self, path: Path, max_requests: int = MAX_REQUESTS) -> None:
        self.path = path
        self.max_requests = max_requests or sys.maxsize
        self.parts: list[tuple[Path, int]] = []  # (partial file, lines)
        self._file: Any = None
        self._bytes = 0

    def write(self, line: dict[str, Any]) -> int:
        """Write ``line``; the number of the part it went to (1, 2, ...)."""
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            if self._file is None or self.parts[-1][1] >= self.max_requests or (
                    self._bytes and self._bytes + len(data) > MAX_FILE_BYTES):
                self._next()
            self._file.write(data)
        except OSError as exc:
            self.discard()
            raise BadFile(f"cannot write {self.path}: {exc.strerror or exc}") from None
        self._bytes += len(data)
        partial, n = self.parts[-1]
        self.parts[-1] = (partial, n + 1)
        return len(self.parts)

    def _next(self) -> None:
        if self._file is not None:
            self._file.close()
        partial = self.path.with_name(f"{self.path.name}.{len(self.parts) + 1}.partial")
        self._file = partial.open("wb")
        self._bytes = 0
        self.parts.append((partial, 0))

    def finish(self) -> list[tuple[Path, int]]:
        """The files written, with their number of requests."""
        if self._file is not None:
            self._file.close()
        if len(self.parts) == 1:
            names = [self.path]
        else:
            stem, suffix = self.path.stem, self.path.suffix or ".jsonl"
            names = [self.path.with_name(f"{stem}-{i}{suffix}")
                     for i in range(1, len(self.parts) + 1)]
        try:
            for (partial, _), name in zip(self.parts, names, strict=True):
                partial.replace(name)
        except OSError as exc:
            self.discard()
            raise BadFile(f"cannot write {self.path}: {exc.strerror or exc}") from None
        return [(name, n) for name, (_, n) in zip(names, self.parts, strict=True)]

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
        for partial, _ in self.parts:
            partial.unlink(missing_ok=True)


def read_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON or an error text) of each non-blank line of ``path``."""
    try:
        f = path.open("rb")
    except OSError as exc:
        raise BadFile(f"cannot read {path}: {exc.strerror or exc}") from None
    with f:
        for number, raw in enumerate(f, 1):
            if len(raw) > MAX_LINE_BYTES:
                yield number, f"a line of {len(raw):,} bytes (over {MAX_LINE_BYTES:,})"
                continue
            if not raw.strip():
                continue
            try:
                yield number, json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                snippet = raw[:40].decode("utf-8", "replace").strip()
                yield number, f"not JSON ({snippet!r})"


def count_lines(paths: Sequence[str | Path]) -> int:
    total = 0
    for path in paths:
        try:
            with open(path, "rb") as f:
                total += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
        except OSError:
            pass  # reported when it is read
    return total
