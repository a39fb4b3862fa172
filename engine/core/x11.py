"""X11 protocol errors as an ordinary end of the run, not an exit.

Xlib's default error handler prints the error and calls ``exit(1)``: a window destroyed by
another client (``BadWindow``, ``GLXBadDrawable`` on the next swap) ends the process on the
spot, without shutdown hooks or a report. :func:`watch_x_errors` installs a handler that
records the error and calls back into Python (which asks the App to close after the frame),
and returns, so Xlib carries on. GLFW sets handlers of its own only around a few calls and
puts the previous one back, so the handler stays in place while the App runs.

A lost connection (``xkill``, the X server going away) is an I/O error, which Xlib always
ends with ``exit``: not covered here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["watch_x_errors"]


class _XErrorEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("display", ctypes.c_void_p),
                ("resourceid", ctypes.c_ulong), ("serial", ctypes.c_ulong),
                ("error_code", ctypes.c_ubyte), ("request_code", ctypes.c_ubyte),
                ("minor_code", ctypes.c_ubyte)]


_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_XErrorEvent))
_NAMES = {3: "BadWindow", 9: "BadDrawable", 13: "BadGC", 8: "BadMatch", 2: "BadValue"}


def _libx11() -> Any:
    name = ctypes.util.find_library("X11") or "libX11.so.6"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.XSetErrorHandler.restype = ctypes.c_void_p
    lib.XSetErrorHandler.argtypes = [ctypes.c_void_p]
    return lib


@contextmanager
def watch_x_errors(on_error: Callable[[str], None]) -> Iterator[None]:
    """Within the block, an X protocol error calls ``on_error(text)`` (e.g. ``"X error
    BadWindow (request 2, resource 0x2a00007)"``) instead of ending the process; the previous
    handler comes back at the end. Without libX11 it does nothing.

    ``on_error`` runs inside Xlib: it must only set flags (``App.request_close`` does), not
    make X or GL calls.
    """
    lib = _libx11()
    if lib is None:
        yield
        return

    def handler(display: int | None, event: Any) -> int:
        ev = event.contents
        code = int(ev.error_code)
        name = _NAMES.get(code, f"error code {code}")
        try:
            on_error(f"X error {name} (request {int(ev.request_code)}, resource "
                     f"{int(ev.resourceid):#x})")
        except Exception:  # nothing may unwind through Xlib
            pass
        return 0

    callback = _HANDLER(handler)  # referenced until the block ends
    previous = lib.XSetErrorHandler(ctypes.cast(callback, ctypes.c_void_p))
    try:
        yield
    finally:
        lib.XSetErrorHandler(previous)
        del callback
