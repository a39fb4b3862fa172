"""The command-line options every demo and tool shares: one name, one meaning, one check.

==================  =======================================================================
``--size WxH``      window / framebuffer size in pixels (each side 1..``MAX_SIDE``)
``--frames N``      stop after N frames
``--report PATH``   the JSON report written at the end (its directory must be writable)
``--warmup S``      simulated seconds run before measuring starts
``--sizes N [N..]`` the problem sizes a benchmark sweeps (spaces or commas between them)
``--seed N``        the random seed (>= 0)
``--headless``      render offscreen (EGL) even when a display exists
``--benchmark``     fixed 1/60 s frames and a seeded RNG: the same run on every machine
==================  =======================================================================

Bad values end with one line on stderr and exit code 2 (:class:`OptionParser`), before
anything is allocated or opened: sizes against what a GL context can be asked for, capacities
against the machine's memory (:func:`check_memory`), output paths against the file system
(:func:`check_writable`).
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["MAX_SIDE", "OptionError", "OptionParser", "parse_size", "size_type", "sizes_type",
           "add_size", "add_frames", "add_seed", "add_headless", "add_benchmark", "add_report",
           "add_warmup", "add_sizes", "check_writable", "check_memory", "physical_memory",
           "layout_bytes", "check_gl_size"]

MAX_SIDE = 16384
"""The largest framebuffer side accepted before a context exists: what GL implementations
commonly allow (``GL_MAX_TEXTURE_SIZE`` of Mesa llvmpipe); the context's own limit is checked
once it exists (:func:`check_gl_size`)."""


class OptionError(ValueError):
    """A command-line value found unusable after parsing (a size beyond the GL context's
    limits, a malformed scene file an option led to): one line, exit code 2."""


class OptionParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit code 2 (no usage dump),
    so a script calling a program sees what was wrong at a glance."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``.

    Raises:
        ValueError: not two positive integers joined by ``x``, or a side above ``MAX_SIDE``.
    """
    parts = text.lower().split("x") if isinstance(text, str) else []
    try:
        if len(parts) != 2:
            raise ValueError
        w, h = int(parts[0]), int(parts[1])
    except ValueError:
        w = h = 0
    if w <= 0 or h <= 0:
        raise ValueError(f"size must be WIDTHxHEIGHT in pixels, e.g. 1280x720, got {text!r}")
    if w > MAX_SIDE or h > MAX_SIDE:
        raise ValueError(f"size must be at most {MAX_SIDE} pixels per side, got {text!r}")
    return w, h


def size_type(text: str) -> tuple[int, int]:
    """:func:`parse_size` for ``type=`` of an argument (argparse's error on a bad value)."""
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def sizes_type(text: str) -> list[int]:
    """``"500,5000"`` -> ``[500, 5000]``: one item of ``--sizes`` (commas allowed inside)."""
    return [_count(part) for part in text.split(",") if part.strip()] or [_count(text)]


class _Flatten(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, [n for group in values for n in group])


def add_size(p: argparse.ArgumentParser, default: str = "1280x720",
             what: str = "window / framebuffer size") -> None:
    """``--size WxH`` -> ``args.size == (w, h)``."""
    p.add_argument("--size", type=size_type, default=default, metavar="WxH",
                   help=f"{what} in pixels, at most {MAX_SIDE} per side (default: %(default)s)")


def add_frames(p: argparse.ArgumentParser, default: int | None = None,
               when_none: str = "until closed", what: str = "stop after N frames") -> None:
    """``--frames N`` -> ``args.frames`` (None: no limit)."""
    shown = when_none if default is None else "%(default)s"
    p.add_argument("--frames", type=int, default=default, metavar="N",
                   help=f"{what} (default: {shown})")


def add_seed(p: argparse.ArgumentParser, default: int | None = None,
             when_none: str = "fresh entropy; 0 with --benchmark") -> None:
    """``--seed N`` -> ``args.seed``."""
    shown = when_none if default is None else "%(default)s"
    p.add_argument("--seed", type=int, default=default, metavar="N",
                   help=f"random seed, >= 0 (default: {shown})")


def add_headless(p: argparse.ArgumentParser) -> None:
    p.add_argument("--headless", action="store_true",
                   help="render offscreen (EGL) even when a display exists; without a display "
                        "the run is headless anyway (default: off)")


def add_benchmark(p: argparse.ArgumentParser) -> None:
    p.add_argument("--benchmark", action="store_true",
                   help="fixed frame time (1/60 s per frame, whatever the wall clock) and a "
                        "seeded RNG: the same simulation on every machine (default: off)")


def add_report(p: argparse.ArgumentParser, default: str | None,
               what: str = "write the JSON report here", when_none: str = "none") -> None:
    """``--report PATH`` -> ``args.report`` (a Path, or None)."""
    shown = when_none if default is None else "%(default)s"
    p.add_argument("--report", type=Path, default=None if default is None else Path(default),
                   metavar="PATH", help=f"{what} (default: {shown})")


def add_warmup(p: argparse.ArgumentParser, default: float, what: str = "") -> None:
    """``--warmup S`` -> ``args.warmup`` in simulated seconds."""
    p.add_argument("--warmup", type=float, default=default, metavar="S",
                   help=(what or "simulated seconds run before measuring starts")
                   + " (default: %(default)s)")


def add_sizes(p: argparse.ArgumentParser, default: Sequence[int], what: str) -> None:
    """``--sizes N [N ...]`` (spaces or commas) -> ``args.sizes``, a list of ints."""
    p.add_argument("--sizes", type=sizes_type, nargs="+", action=_Flatten,
                   default=list(default), metavar="N",
                   help=f"{what}, separated by spaces or commas (default: "
                        f"{' '.join(str(n) for n in default)})")


def check_writable(path: Path) -> str | None:
    """Why ``path`` cannot be written (one line), or None when it can. Creates its missing
    directories (the run would) and writes and removes a probe file there: permissions alone
    do not tell a read-only or pseudo file system (``/proc``) apart."""
    path = Path(path)
    if path.is_dir():
        return f"{str(path)!r} is a directory, expected a file path"
    parent = path.parent
    for above in (parent, *parent.parents):
        if above.exists():
            if not above.is_dir():
                return f"{str(above)!r} is not a directory, so {str(path)!r} cannot be written"
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the directory {str(parent)!r}: {exc.strerror or exc}"
    probe = parent / f".{path.name}.{os.getpid()}.probe"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(probe)
    except OSError as exc:
        return f"cannot write in the directory {str(parent)!r}: {exc.strerror or exc}"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{str(path)!r} exists and is not writable"
    return None


def physical_memory() -> int | None:
    """Bytes of physical memory (``MemTotal`` of /proc/meminfo, else ``sysconf``), or None."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def layout_bytes(columns: Mapping[str, tuple[Any, ...]]) -> int:
    """Bytes one row of a store with these columns (``name -> (shape, dtype[, default])``,
    the ``EntityStore`` layout) takes."""
    import numpy as np

    total = 0
    for spec in columns.values():
        shape, dtype = spec[0], spec[1]
        total += math.prod(shape) * np.dtype(dtype).itemsize
    return total


def check_memory(nbytes: float, what: str) -> str | None:
    """Why ``nbytes`` for ``what`` is refused (above half of physical memory; one line), or
    None when it fits or the memory is unknown."""
    total = physical_memory()
    if total is None or nbytes <= total / 2:
        return None
    return (f"{what} would need about {nbytes / 2**30:.1f} GiB, more than half of this "
            f"machine's {total / 2**30:.1f} GiB of memory")


def check_gl_size(info: Mapping[str, Any], width: int, height: int) -> str | None:
    """Why a ``width`` x ``height`` target exceeds the context's limits (``ctx.info``:
    ``GL_MAX_TEXTURE_SIZE``, ``GL_MAX_RENDERBUFFER_SIZE``, ``GL_MAX_VIEWPORT_DIMS``), or
    None."""
    for key in ("GL_MAX_TEXTURE_SIZE", "GL_MAX_RENDERBUFFER_SIZE"):
        limit = info.get(key)
        if isinstance(limit, int) and max(width, height) > limit:
            return (f"size {width}x{height} exceeds this GL context's {key} of {limit} "
                    f"pixels per side")
    dims = info.get("GL_MAX_VIEWPORT_DIMS")
    if isinstance(dims, (tuple, list)) and len(dims) == 2 and (width > dims[0]
                                                               or height > dims[1]):
        return (f"size {width}x{height} exceeds this GL context's GL_MAX_VIEWPORT_DIMS of "
                f"{dims[0]}x{dims[1]}")
    return None
