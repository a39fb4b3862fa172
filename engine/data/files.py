"""Atomic file writes: the one way the engine writes files others read (reports, baselines,
plots, screenshots).

No GL and no other engine layer: the render and acceptance layers both write through it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes"]


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *,
                       make_dirs: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory, fsync,
    ``os.replace``, then fsync of the directory (where the platform allows it). A reader never
    sees a half-written file, and a crash leaves no truncated one behind.

    Args:
        path: the file to write (replaced if it exists).
        data: its whole content.
        make_dirs: create the missing parent directories first; False: a missing directory
            is an error.

    Returns:
        The path written.

    Raises:
        OSError: the directory is missing (``make_dirs=False``), cannot be created or written.
    """
    target = Path(path)
    if make_dirs:
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable; not every platform lets a directory be opened
        dfd = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return target
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
    return target
