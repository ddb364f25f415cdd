"""Items of one top-level JSON array, parsed as its bytes arrive: a 50,000-task export never sits in memory whole.

`json.JSONDecoder.raw_decode` parses one item from a text buffer; an item cut off by the end of the buffer
fails to parse and is retried once the unparsed rest has at least doubled, so each byte is parsed a bounded
number of times however the chunks fall.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from typing import Any

_WHITESPACE = " \t\n\r"
MIN_READ = 1 << 16  # characters to add before retrying an item that did not parse yet


class JSONStreamError(ValueError):
    """The stream is not one JSON array (the message says where it went wrong)."""


def iter_json_array(chunks: Iterable[bytes], what: str = "the JSON") -> Iterator[Any]:
    """Yield the items of the JSON array that `chunks` (UTF-8 bytes, cut anywhere) spell, one at a time."""
    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    source = iter(chunks)
    buffer = ""
    position = 0  # in buffer
    consumed = 0  # characters dropped from the front of buffer, for error offsets
    exhausted = False

    def more(at_least: int) -> bool:
        """Append at least `at_least` characters (fewer only at the end of the stream); False if nothing came."""
        nonlocal buffer, position, consumed, exhausted
        if exhausted:
            return False
        consumed += position
        parts = [buffer[position:]]
        position = 0
        added = 0
        while added < at_least:
            chunk = next(source, None)
            if chunk is None:
                exhausted = True
                parts.append(utf8.decode(b"", final=True))
                break
            text = utf8.decode(chunk)
            parts.append(text)
            added += len(text)
        buffer = "".join(parts)
        return added > 0 or len(parts[-1]) > 0

    def skip_whitespace() -> str:
        """The next significant character ('' at the end of the stream)."""
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in _WHITESPACE:
                position += 1
            if position < len(buffer):
                return buffer[position]
            if not more(1):
                return ""

    def fail(problem: str) -> JSONStreamError:
        return JSONStreamError(f"{what} is not a JSON array: {problem} at character {consumed + position}")

    if skip_whitespace() != "[":
        raise fail("expected '['")
    position += 1
    if skip_whitespace() == "]":
        position += 1
    else:
        while True:
            skip_whitespace()
            while True:
                try:
                    item, end = decoder.raw_decode(buffer, position)
                except json.JSONDecodeError as error:
                    if not more(max(MIN_READ, len(buffer) - position)):
                        raise fail(f"an item is cut off or malformed ({error.msg})") from None
                    continue
                if end == len(buffer) and not exhausted and not isinstance(item, (dict, list, str)):
                    more(MIN_READ)  # a number or literal at the buffer's end may continue in the next chunk
                    continue
                break
            position = end
            yield item
            following = skip_whitespace()
            position += 1
            if following == "]":
                break
            if following != ",":
                position -= 1
                raise fail(f"expected ',' or ']', found {following!r}" if following else "the array is not closed")
    if skip_whitespace() != "":
        raise fail("unexpected data after the array")
