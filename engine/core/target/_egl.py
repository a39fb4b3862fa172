"""Keep the thread's current EGL context as we found it.

Creating a standalone moderngl context makes it current and forgets the one that was;
releasing it leaves *no* context current. A process that holds another EGL context (the test
suite's shared ``gl_ctx``, a tool's own context) would then find its GL calls failing with
GL_INVALID_OPERATION. So the engine snapshots the current EGL context before creating its
own and makes the snapshot current again after releasing it.
"""

from __future__ import annotations

import ctypes
import ctypes.util

__all__ = ["EglCurrent"]

_EGL_DRAW = 0x3059
_EGL_READ = 0x305A
_lib: ctypes.CDLL | None = None
_lib_tried = False


def _libegl() -> ctypes.CDLL | None:
    # The same library glcontext loads (find_library('EGL')), so the same EGL state.
    global _lib, _lib_tried
    if not _lib_tried:
        _lib_tried = True
        name = ctypes.util.find_library("EGL")
        try:
            lib = ctypes.CDLL(name or "libEGL.so.1")
        except OSError:
            return None
        for fn in ("eglGetCurrentDisplay", "eglGetCurrentContext"):
            getattr(lib, fn).restype = ctypes.c_void_p
            getattr(lib, fn).argtypes = []
        lib.eglGetCurrentSurface.restype = ctypes.c_void_p
        lib.eglGetCurrentSurface.argtypes = [ctypes.c_int32]
        lib.eglMakeCurrent.restype = ctypes.c_uint
        lib.eglMakeCurrent.argtypes = [ctypes.c_void_p] * 4
        _lib = lib
    return _lib


class EglCurrent:
    """A snapshot of the calling thread's current EGL display, surfaces and context."""

    def __init__(self) -> None:
        lib = _libegl()
        self.display: int | None = None
        self.draw: int | None = None
        self.read: int | None = None
        self.context: int | None = None
        if lib is not None:
            self.display = lib.eglGetCurrentDisplay()
            self.context = lib.eglGetCurrentContext()
            self.draw = lib.eglGetCurrentSurface(_EGL_DRAW)
            self.read = lib.eglGetCurrentSurface(_EGL_READ)

    def release(self) -> None:
        """Make no EGL context current (before a GLX context is made current: Mesa refuses
        a GLX make-current while an EGL context is current on the thread)."""
        lib = _libegl()
        if lib is not None and self.context and self.display:
            lib.eglMakeCurrent(self.display, None, None, None)

    def restore(self) -> bool:
        """Make the snapshot current again; returns whether there was one to restore."""
        lib = _libegl()
        if lib is None or not self.context or not self.display:
            return False
        return bool(lib.eglMakeCurrent(self.display, self.draw, self.read, self.context))
