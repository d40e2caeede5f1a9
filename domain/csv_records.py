"""CSV records that survive bad lines: a field too long or a quote never closed rejects the line
it starts on (with the reason) and reading resumes on the next line, so no valid row is lost.

RFC 4180 fields may span lines inside quotes; a record still open after ``MAX_RECORD_CHARS``
characters, or at the end of the file, is an unterminated quote. Reading is strict (a stray quote
after a closing one is an error, not silently merged).
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator

MAX_RECORD_CHARS = 1 << 20  # also the csv module's field limit: longer fields are a rejection
CSV_ERROR = "(csv)"  # the key of a pseudo-row standing for a line that could not be read


class _Runaway(Exception):
    """The current record has grown past MAX_RECORD_CHARS: a quote left open."""


class _Lines:
    """The input's lines, numbered, replayable from the second line of the current record."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.source = iter(lines)
        self.next_number = 1
        self.pending: deque[tuple[int, str]] = deque()
        self.record: list[tuple[int, str]] = []
        self.chars = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pending:
            number, line = self.pending.popleft()
        else:
            number, line = self.next_number, next(self.source)
            self.next_number += 1
        self.record.append((number, line))
        self.chars += len(line)
        if self.chars > MAX_RECORD_CHARS:
            raise _Runaway
        return line

    @property
    def start(self) -> int:
        """The line number the current record starts on."""
        if self.record:
            return self.record[0][0]
        return self.pending[0][0] if self.pending else self.next_number

    def new_record(self) -> None:
        self.record, self.chars = [], 0

    def resume_after_start(self) -> None:
        """Forget the current record's first line; read its other lines again."""
        self.pending.extendleft(reversed(self.record[1:]))
        self.new_record()


def csv_records(lines: Iterable[str]) -> Iterator[tuple[int, list[str] | str]]:
    """``(line, cells)`` per record, or ``(line, reason)`` for a line that cannot be read."""
    csv.field_size_limit(MAX_RECORD_CHARS)
    source = _Lines(lines)
    while True:
        try:
            for cells in csv.reader(source, strict=True):
                start = source.start
                source.new_record()
                yield start, cells
            return
        except (csv.Error, _Runaway) as exc:
            start = source.start
            yield start, _reason(exc, len(source.record))
            source.resume_after_start()


def _reason(exc: Exception, lines: int) -> str:
    if isinstance(exc, _Runaway) and lines == 1:
        return f"the line is longer than {MAX_RECORD_CHARS} characters"
    if isinstance(exc, _Runaway) or "unexpected end of data" in str(exc):
        return "a quoted field is never closed (unterminated quote)"
    if "field larger than field limit" in str(exc):
        return f"a field is longer than {MAX_RECORD_CHARS} characters"
    return f"unreadable CSV: {exc}"
