"""Atomic file writes: the one way the engine writes files others read (reports, baselines,
plots, screenshots).

No GL and no other engine layer: the render and acceptance layers both write through it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["atomic_write_bytes"]

# O_EXCL: never reuse an existing name; O_BINARY (Windows only) keeps bytes as they are.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_ATTEMPTS = 100


def _open_temp(target: Path) -> tuple[int, Path]:
    """Create a fresh temporary file beside ``target``. Mode 0o666 goes through the kernel's
    umask (mkstemp's 0o600 would not), so the file ends as the user's umask says."""
    for _ in range(_ATTEMPTS):
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target} after {_ATTEMPTS} tries")


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *,
                       make_dirs: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory, fsync,
    ``os.replace``, then fsync of the directory (where the platform allows it). A reader never
    sees a half-written file, a crash leaves no truncated one behind, and an exception leaves
    no temporary file. The file gets mode ``0o666 & ~umask``, like ``open(path, "wb")``.

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
    fd, tmp = _open_temp(target)
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
