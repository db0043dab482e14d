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
    """The bytes of ``path``. Anything but a regular file is refused before it is opened, with an
    ``OSError`` whose ``strerror`` says what it is; so is a file larger than ``max_bytes``. It is
    then opened without blocking and checked again once open, so that nothing swapped in between
    the check and the open is read either. A missing file raises ``FileNotFoundError``."""
    before = os.stat(path)
    _check(before.st_mode, before.st_size, max_bytes)  # before opening anything
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC"):  # never wait, never adopt a terminal
        flags |= getattr(os, name, 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        _check(info.st_mode, info.st_size, max_bytes)  # the file opened is the one checked
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def _check(mode: int, size: int, max_bytes: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory")
    if not stat.S_ISREG(mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
        raise OSError(errno.EINVAL, f"it is {kind}, not a regular file")
    if size > max_bytes:
        raise OSError(errno.EFBIG, f"it is {size:,} bytes, over the limit of {max_bytes:,}")
