"""Render targets the App draws into: one base class, a GLFW window and a headless one.

Like moderngl-window, both backends share :class:`BaseWindow`, so the App runs the same code
whether a real window exists or not:

* :class:`GlfwWindow` - a GLFW window with an OpenGL 3.3 core, forward-compatible context;
  ``target`` is the window's default framebuffer.
* :class:`engine.core.headless.HeadlessWindow` - a standalone EGL context; ``target`` is an
  offscreen framebuffer (colour texture + depth) of the configured size.

:func:`open_window` picks one from ``AppConfig.headless`` (None = auto-detect a display).

Sizes are framebuffer sizes in pixels. A size of 0 in either dimension (a minimised window)
is legal: the App then skips rendering and keeps ticking. ``target`` may be replaced when the
size changes, and the default framebuffer's ``Framebuffer.size`` is the size at creation, so
read ``app.size`` / ``window.size`` and ``app.target`` each frame rather than caching them.
"""

from __future__ import annotations

import ctypes
import os
import sys
import warnings
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import moderngl

from engine.core._egl import EglCurrent
from engine.core._glfw import glfw

if TYPE_CHECKING:
    from engine.core.app import AppConfig
    from engine.core.input import Input

__all__ = ["BaseWindow", "GlfwWindow", "DisplayUnavailableError", "open_window",
           "display_available"]


class DisplayUnavailableError(RuntimeError):
    """A real window was asked for and cannot be made (no display, no GL on it)."""


def display_available() -> bool:
    """Whether ``DISPLAY`` or ``WAYLAND_DISPLAY`` is set (a window *may* be possible)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _check_size(width: object, height: object, *, allow_zero: bool) -> tuple[int, int]:
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value < 0 or (value == 0 and not allow_zero):
            bound = ">= 0" if allow_zero else "> 0"
            raise ValueError(f"{name} must be {bound}, got {value}")
    return int(width), int(height)  # type: ignore[call-overload]


class BaseWindow(ABC):
    """What the App needs from a render target. Subclasses create ``ctx`` and ``target``.

    Attributes are plain (no per-frame allocation to read them): ``ctx``, ``target``,
    ``width``, ``height``, ``headless``, ``closed``.
    """

    headless: bool = False
    """True for the offscreen backend."""

    def __init__(self) -> None:
        self.ctx: moderngl.Context
        """The moderngl context everything is drawn with."""
        self.target: moderngl.Framebuffer
        """The framebuffer to draw into this frame (re-read after a resize)."""
        self.width: int = 0
        """Framebuffer width in pixels (0 while minimised)."""
        self.height: int = 0
        """Framebuffer height in pixels (0 while minimised)."""
        self.closed: bool = False
        """True once :meth:`close` ran."""
        self.input: Input | None = None
        """The Input that receives this window's events (see :meth:`attach_input`)."""

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` of the framebuffer (a new tuple each read)."""
        return (self.width, self.height)

    @property
    def renderable(self) -> bool:
        """False while the framebuffer is 0 x 0 (minimised): nothing should be drawn."""
        return self.width > 0 and self.height > 0

    @abstractmethod
    def attach_input(self, input: Input) -> None:
        """Route this window's events into ``input`` and set ``input.pump``."""

    @abstractmethod
    def should_close(self) -> bool:
        """Whether the window was asked to close (close button, or :meth:`set_should_close`)."""

    @abstractmethod
    def set_should_close(self, value: bool = True) -> None:
        """Ask the window to close (the App's loop ends at the next frame boundary)."""

    @abstractmethod
    def swap(self) -> None:
        """Present the frame. Per frame; allocates nothing lasting."""

    @abstractmethod
    def resize(self, width: int, height: int) -> None:
        """Ask for a new framebuffer size; 0 in either dimension means minimised.

        Raises:
            TypeError, ValueError: sizes that are not ints >= 0.
        """

    @abstractmethod
    def set_vsync(self, on: bool) -> None:
        """Turn vsync on or off (no effect headless)."""

    def read_pixels(self, components: int = 4) -> bytes:
        """The current target's pixels, rows bottom-up (GL order), ``components`` bytes each.

        Call it before :meth:`swap` (e.g. from a frame-end hook): after a swap the back
        buffer's content is undefined. Allocates the returned bytes (a tool, not per frame).

        Raises:
            RuntimeError: the framebuffer is 0 x 0 or the window is closed.
        """
        if self.closed or not self.renderable:
            raise RuntimeError(f"nothing to read: window closed={self.closed}, "
                               f"size={self.width}x{self.height}")
        bound = self.ctx.fbo
        try:
            return self._read_target(components)
        finally:
            if bound is not None:  # a resolve/blit rebinds framebuffers; put back the draw one
                bound.use()

    def _read_target(self, components: int) -> bytes:
        return self.target.read(viewport=(0, 0, self.width, self.height),
                                components=components)

    @abstractmethod
    def close(self) -> None:
        """Release the GL context, then the window. Safe to call twice."""


class GlfwWindow(BaseWindow):
    """A GLFW window with an OpenGL 3.3 core, forward-compatible context.

    ``glfw_window`` is the GLFW handle and ``glfw_window_address`` its address as an int, for
    imgui-bundle's GLFW backend (which shares this GLFW library, see ``engine.core._glfw``).
    One GlfwWindow at a time per process: :meth:`close` terminates GLFW.

    Args:
        config: the App's configuration (size, title, vsync, samples).

    Raises:
        DisplayUnavailableError: GLFW cannot initialise, the window or its GL 3.3 context
            cannot be created; the message carries GLFW's own error text.
    """

    def __init__(self, config: AppConfig) -> None:
        super().__init__()
        width, height = _check_size(config.width, config.height, allow_zero=False)
        # Mesa refuses a GLX make-current (which create_window does) while an EGL context is
        # current on this thread; it is made current again in close().
        self._previous = EglCurrent()
        self._previous.release()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ok = glfw.init()
            handle = None
            if ok:
                glfw.default_window_hints()
                glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
                glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
                glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
                glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
                glfw.window_hint(glfw.DOUBLEBUFFER, True)
                glfw.window_hint(glfw.RESIZABLE, True)
                glfw.window_hint(glfw.SAMPLES, int(config.samples))
                handle = glfw.create_window(width, height, config.title, None, None)
        errors = [str(w.message) for w in caught]
        if not ok or not handle:
            if ok:
                glfw.terminate()
            self._previous.restore()
            detail = "; ".join(errors) or "no error text from GLFW"
            raise DisplayUnavailableError(
                f"cannot open a GLFW window with an OpenGL 3.3 core context "
                f"({'glfw.init() failed' if not ok else 'glfw.create_window() failed'}: "
                f"{detail})")
        self.glfw_window = handle
        """The GLFW window handle (pyGLFW pointer)."""
        self.glfw_window_address: int = int(ctypes.cast(handle, ctypes.c_void_p).value or 0)
        """The handle's address, for imgui-bundle's ``imgui.backends.glfw_init_for_opengl``."""
        glfw.make_context_current(handle)
        try:
            self.ctx = moderngl.create_context(require=330)
        except Exception as exc:
            glfw.destroy_window(handle)
            glfw.terminate()
            self._previous.restore()
            raise DisplayUnavailableError(
                f"the GLFW window has no usable OpenGL 3.3 context: {exc}") from exc
        self.set_vsync(config.vsync)
        self.target = self.ctx.screen
        fb_w, fb_h = glfw.get_framebuffer_size(handle)
        self._apply_size(int(fb_w), int(fb_h))
        glfw.set_framebuffer_size_callback(handle, self._on_framebuffer_size)

    # The callbacks below are what GLFW calls during glfw.poll_events(), i.e. during
    # Input.poll(): the frame's input phase.

    def _on_framebuffer_size(self, handle: object, width: int, height: int) -> None:
        self._apply_size(int(width), int(height))

    def _apply_size(self, width: int, height: int) -> None:
        self.width = max(0, width)
        self.height = max(0, height)
        if self.renderable:
            # The default framebuffer keeps the viewport and scissor of its creation size.
            self.target.viewport = (0, 0, self.width, self.height)
            self.target.scissor = (0, 0, self.width, self.height)

    def _on_key(self, handle: object, key: int, scancode: int, action: int, mods: int) -> None:
        if self.input is not None:
            self.input.inject_key(key, action, mods)

    def _on_mouse_button(self, handle: object, button: int, action: int, mods: int) -> None:
        if self.input is not None and action in (glfw.PRESS, glfw.RELEASE):
            self.input.inject_mouse_button(button, action, mods)

    def _on_cursor_pos(self, handle: object, x: float, y: float) -> None:
        if self.input is not None:
            self.input.inject_mouse_move(x, y)

    def _on_scroll(self, handle: object, dx: float, dy: float) -> None:
        if self.input is not None:
            self.input.inject_scroll(dx, dy)

    def _read_target(self, components: int) -> bytes:
        # glReadPixels on the default framebuffer through moderngl selects
        # GL_COLOR_ATTACHMENT0 as read buffer, which is GL_INVALID_OPERATION there; a blit
        # into a temporary texture reads the same pixels without a GL error.
        size = (self.width, self.height)
        texture = self.ctx.texture(size, 4)
        fbo = self.ctx.framebuffer(color_attachments=[texture])
        try:
            self.ctx.copy_framebuffer(fbo, self.target)
            return fbo.read(viewport=(0, 0, *size), components=components)
        finally:
            fbo.release()
            texture.release()

    def attach_input(self, input: Input) -> None:
        """Install GLFW's key, mouse button, cursor and scroll callbacks feeding ``input``,
        and make ``glfw.poll_events`` its pump. Install this before an ImGui backend that
        chains callbacks (imgui-bundle's ``install_callbacks=True`` calls the previous ones).
        """
        self.input = input
        handle = self.glfw_window
        glfw.set_key_callback(handle, self._on_key)
        glfw.set_mouse_button_callback(handle, self._on_mouse_button)
        glfw.set_cursor_pos_callback(handle, self._on_cursor_pos)
        glfw.set_scroll_callback(handle, self._on_scroll)
        input.pump = glfw.poll_events

    def should_close(self) -> bool:
        """GLFW's close flag (the close button sets it)."""
        return bool(glfw.window_should_close(self.glfw_window))

    def set_should_close(self, value: bool = True) -> None:
        """Set GLFW's close flag."""
        glfw.set_window_should_close(self.glfw_window, bool(value))

    def swap(self) -> None:
        """``glfw.swap_buffers``."""
        glfw.swap_buffers(self.glfw_window)

    def resize(self, width: int, height: int) -> None:
        """Resize the window; 0 in either dimension iconifies it (the OS decides whether the
        framebuffer then reports 0 x 0 - Windows does, X11 keeps the size). The new
        framebuffer size arrives through GLFW's callback at the next poll.

        Raises:
            TypeError, ValueError: sizes that are not ints >= 0.
        """
        width, height = _check_size(width, height, allow_zero=True)
        if width == 0 or height == 0:
            glfw.iconify_window(self.glfw_window)
            return
        if glfw.get_window_attrib(self.glfw_window, glfw.ICONIFIED):
            glfw.restore_window(self.glfw_window)
        glfw.set_window_size(self.glfw_window, width, height)

    def set_vsync(self, on: bool) -> None:
        """``glfw.swap_interval(1 or 0)`` on this window's context."""
        glfw.swap_interval(1 if on else 0)

    def close(self) -> None:
        """Release the moderngl context, destroy the window, terminate GLFW. Safe twice."""
        if self.closed:
            return
        self.closed = True
        try:
            self.ctx.release()
        finally:
            glfw.destroy_window(self.glfw_window)
            glfw.terminate()
            self._previous.restore()


def open_window(config: AppConfig) -> BaseWindow:
    """The render target ``config.headless`` asks for.

    * ``True``: headless (EGL offscreen).
    * ``False``: a GLFW window, or :class:`DisplayUnavailableError`.
    * ``None`` (auto): a GLFW window when ``DISPLAY``/``WAYLAND_DISPLAY`` is set and a window
      with a GL 3.3 context can be made; otherwise headless, with one line on stderr saying
      why.

    Raises:
        DisplayUnavailableError: ``headless=False`` and no window can be made.
        TypeError: ``config.headless`` is not None or a bool.
    """
    from engine.core.headless import HeadlessWindow

    mode = config.headless
    if mode is not None and not isinstance(mode, bool):
        raise TypeError(f"headless must be None (auto), True or False, got {mode!r}")
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
