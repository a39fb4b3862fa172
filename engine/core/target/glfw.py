"""The GLFW target: a window with an OpenGL 3.3 core, forward-compatible context; ``target``
is the window's default framebuffer."""

from __future__ import annotations

import ctypes
import warnings
from typing import TYPE_CHECKING

import moderngl

from engine.core._glfw import glfw
from engine.core.target.base import BaseWindow, DisplayUnavailableError, TargetConfig

if TYPE_CHECKING:
    from engine.core.input import Input

__all__ = ["GlfwWindow"]


class GlfwWindow(BaseWindow):
    """A GLFW window with an OpenGL 3.3 core, forward-compatible context.

    ``glfw_window`` is the GLFW handle and ``glfw_window_address`` its address as an int, for
    imgui-bundle's GLFW backend (which shares this GLFW library, see ``engine.core._glfw``).
    One GlfwWindow at a time per process: :meth:`close` terminates GLFW.

    Args:
        config: size, title, vsync and samples.

    Raises:
        TypeError, ValueError: an invalid configuration.
        DisplayUnavailableError: GLFW cannot initialise, the window or its GL 3.3 context
            cannot be created; the message carries GLFW's own error text.
    """

    def __init__(self, config: TargetConfig) -> None:
        super().__init__(config)
        # Mesa refuses a GLX make-current (which create_window does) while an EGL context is
        # current on this thread; it is made current again in close().
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
                glfw.window_hint(glfw.SAMPLES, config.samples)
                handle = glfw.create_window(config.width, config.height, config.title,
                                             None, None)
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
        glfw.swap_interval(1 if config.vsync else 0)
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

    def _resize(self, width: int, height: int) -> None:
        # 0 iconifies the window: the OS decides whether the framebuffer then reports 0 x 0
        # (Windows does, X11 keeps the size). The new framebuffer size arrives through
        # GLFW's callback at the next poll.
        if width == 0 or height == 0:
            glfw.iconify_window(self.glfw_window)
            return
        if glfw.get_window_attrib(self.glfw_window, glfw.ICONIFIED):
            glfw.restore_window(self.glfw_window)
        glfw.set_window_size(self.glfw_window, width, height)

    def _release(self) -> None:
        try:
            self.ctx.release()
        finally:
            glfw.destroy_window(self.glfw_window)
            glfw.terminate()
