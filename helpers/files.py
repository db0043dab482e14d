"""Reading the course's own local files (recordings, .env) without surprises: only a regular file is
read, so a named pipe (FIFO) in its place cannot block a notebook for ever, nor a device fill memory.

Defined in 01_basics (``connect`` reads both through it).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["read_regular_file"]


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``. Anything but a regular file is refused before reading from it, with
    an ``OSError`` whose ``strerror`` says what it is; so is a file larger than ``max_bytes``.
    The file is opened without blocking and checked once open, so nothing can be swapped in
    between the check and the read. A missing file raises ``FileNotFoundError`` as usual."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory")
        if not stat.S_ISREG(info.st_mode):
            kind = "a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
            raise OSError(errno.EINVAL, f"it is {kind}, not a regular file")
        if info.st_size > max_bytes:
            raise OSError(
                errno.EFBIG, f"it is {info.st_size:,} bytes, over the limit of {max_bytes:,}"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)
