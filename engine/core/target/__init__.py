"""Render targets the App draws into: one base class, a GLFW window and a headless one.

Like moderngl-window, the backends sit side by side over :class:`BaseWindow` and read only
their own :class:`TargetConfig`, so the App runs the same code whether a real window exists
or not:

* :class:`GlfwWindow` (``glfw.py``) - a GLFW window with an OpenGL 3.3 core context;
  ``target`` is the window's default framebuffer.
* :class:`HeadlessWindow` (``headless.py``) - a standalone EGL context; ``target`` is an
  offscreen framebuffer (colour texture + depth) of the configured size.

:func:`open_target` picks one from ``TargetConfig.headless`` (None = auto-detect a display).
"""

from __future__ import annotations

import os
import sys

from engine.core.target.base import BaseWindow, DisplayUnavailableError, TargetConfig, check_size
from engine.core.target.glfw import GlfwWindow
from engine.core.target.headless import HeadlessWindow

__all__ = ["BaseWindow", "TargetConfig", "DisplayUnavailableError", "check_size",
           "GlfwWindow", "HeadlessWindow", "open_target", "display_available"]


def display_available() -> bool:
    """Whether ``DISPLAY`` or ``WAYLAND_DISPLAY`` is set (a window *may* be possible)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_target(config: TargetConfig) -> BaseWindow:
    """The render target ``config.headless`` asks for.

    * ``True``: headless (EGL offscreen).
    * ``False``: a GLFW window, or :class:`DisplayUnavailableError`.
    * ``None`` (auto): a GLFW window when ``DISPLAY``/``WAYLAND_DISPLAY`` is set and a window
      with a GL 3.3 context can be made; otherwise headless, with one line on stderr saying
      why.

    Raises:
        TypeError, ValueError: an invalid configuration (the field is named).
        DisplayUnavailableError: ``headless=False`` and no window can be made.
    """
    config.validate()
    mode = config.headless
    if mode is True:
        return HeadlessWindow(config)
    if not display_available():
        reason = "neither DISPLAY nor WAYLAND_DISPLAY is set"
        if mode is False:
            raise DisplayUnavailableError(
                f"a window was requested (headless=False) but {reason}; run under a display "
                f"or `xvfb-run -a`, or use headless=None (auto) / True")
    else:
        try:
            return GlfwWindow(config)
        except DisplayUnavailableError as exc:
            if mode is False:
                raise
            reason = str(exc)
    print(f"engine: no usable display ({reason}); running headless "
          f"(EGL offscreen {config.width}x{config.height})", file=sys.stderr)
    return HeadlessWindow(config)
