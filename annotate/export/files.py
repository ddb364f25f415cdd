"""Atomic file writes for the exporters: a killed export leaves the old file or none, never half a new one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("wb", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp",
                                         delete=False)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return target


def write_text_exact(path: str | os.PathLike[str], text: str) -> Path:
    """UTF-8 with no newline translation, so offsets into the text stay offsets into the file."""
    return write_bytes_atomic(path, text.encode("utf-8"))
