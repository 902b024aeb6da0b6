"""JPEG files re-encoded only in the rows that changed (issue 32).

Every JPEG is written with a restart marker after each row of MCUs (16 pixel rows at 4:2:0):
the entropy-coded data of one MCU row then depends on nothing but its own 16 pixel rows (colour
conversion, chroma averaging and the DCT are local to them; the DC predictions restart at
each marker; the Huffman tables are the standard ones, not optimised per image). So an answer
whose pixels differ from a kept static picture only inside a box is that picture's file with
the MCU rows meeting the box swapped for the same rows encoded from the answer: byte for byte
the file a full encode gives (tests/test_jpeg_rows.py checks it against the full encode).
"""

from __future__ import annotations

from dataclasses import dataclass

RESTART_ROWS = 1  # a restart marker after every MCU row
MCU_HEIGHT = 16  # 4:2:0 chroma subsampling: an MCU is 16×16 pixels
_SOS, _EOI = 0xDA, 0xD9


@dataclass(frozen=True)
class Rows:
    """A JPEG file cut at its restart markers."""
    head: bytes  # everything up to and including the start-of-scan segment
    rows: tuple[bytes, ...]  # the entropy-coded data of each MCU row, markers left out
    tail: bytes  # the end-of-image marker (and anything after it)

    def nbytes(self) -> int:
        return len(self.head) + sum(len(row) for row in self.rows) + len(self.tail)

    def joined(self) -> bytes:
        parts = [self.head]
        for index, row in enumerate(self.rows):
            if index:
                parts.append(bytes((0xFF, 0xD0 + (index - 1) % 8)))
            parts.append(row)
        parts.append(self.tail)
        return b"".join(parts)


def cut(data: bytes) -> Rows:
    """`data` (one baseline scan, restart markers between MCU rows) cut into its rows."""
    at = 2  # after SOI
    while True:
        if data[at] != 0xFF:
            raise ValueError("not a JPEG marker")
        marker = data[at + 1]
        length = int.from_bytes(data[at + 2:at + 4], "big")
        at += 2 + length
        if marker == _SOS:
            break
    head, rows, start, index = data[:at], [], at, at
    while True:
        index = data.index(b"\xff", index)
        following = data[index + 1]
        if following == 0x00 or following == 0xFF:  # stuffed byte / fill: still data
            index += 1
            continue
        rows.append(data[start:index])
        if 0xD0 <= following <= 0xD7:
            start = index = index + 2
            continue
        return Rows(head, tuple(rows), data[index:])


def row_span(box, height: int) -> tuple[int, int]:
    """The MCU rows (first, end) that the pixel box (x0, y0, x1, y1) meets."""
    first = box[1] // MCU_HEIGHT
    end = min(-(-box[3] // MCU_HEIGHT), -(-height // MCU_HEIGHT))
    return first, end


def spliced(kept: Rows, first: int, changed: Rows) -> bytes:
    """`kept` with its rows from `first` on replaced by the rows of `changed` (a strip of
    the same width, encoded with the same settings)."""
    rows = kept.rows[:first] + changed.rows + kept.rows[first + len(changed.rows):]
    if len(rows) != len(kept.rows):
        raise ValueError("the changed strip does not fit the kept file")
    return Rows(kept.head, rows, kept.tail).joined()
