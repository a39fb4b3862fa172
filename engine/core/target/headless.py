"""Headless render target: a standalone EGL context drawing into an offscreen framebuffer.

Same base class as the GLFW window, so the App's frame is the same code in both. The target
is a framebuffer of the configured size with an RGBA8 colour texture and a depth
renderbuffer; with ``samples > 0`` the target is multisampled and is resolved into the
colour texture at :meth:`HeadlessWindow.swap` (and before :meth:`~BaseWindow.read_pixels`).

The swap waits for the GL queue (``ctx.finish()``), as a window's swap waits for the display:
without it a software rasteriser (llvmpipe) keeps accepting frames faster than it draws them,
and its queued command buffers grow the process by about a megabyte per drawn frame.
"""

from __future__ import annotations

import moderngl

from engine.core.target.base import BaseWindow, TargetConfig

__all__ = ["HeadlessWindow"]


class HeadlessWindow(BaseWindow):
    """Offscreen rendering with ``moderngl.create_standalone_context(backend='egl')``.

    Events come only from ``Input.inject_*`` (tests, scripted runs); ``resize(w, h)``
    recreates the offscreen framebuffer, and 0 in either dimension stands for a minimised
    window (the old framebuffer is kept, nothing is drawn).

    Args:
        config: size and samples (title and vsync do not apply).

    Raises:
        TypeError, ValueError: bad size or samples.
        RuntimeError: no EGL OpenGL 3.3 context could be created (moderngl's message).
    """

    headless = True

    def __init__(self, config: TargetConfig) -> None:
        super().__init__(config)
        samples = config.samples
        # moderngl-stubs type **settings as dicts; backend="egl" is the documented use.
        self.ctx = moderngl.create_standalone_context(
            backend="egl", require=330)  # type: ignore[arg-type]
        if samples > self.ctx.max_samples:
            max_samples = self.ctx.max_samples
            self.ctx.release()
            self._previous.restore()
            raise ValueError(f"samples={samples} exceeds this GL's max_samples={max_samples}")
        self.samples: int = samples
        """MSAA samples of the offscreen target (0 = none)."""
        self.color_texture: moderngl.Texture
        """The frame's colour (RGBA8), resolved from the multisampled target if any."""
        self._resolved: moderngl.Framebuffer | None = None
        self._owned: list = []
        self._build(config.width, config.height)

    def _build(self, width: int, height: int) -> None:
        ctx = self.ctx
        old = self._owned
        self._owned = []
        self.color_texture = ctx.texture((width, height), 4)
        depth = ctx.depth_renderbuffer((width, height), samples=self.samples)
        if self.samples:
            color_ms = ctx.renderbuffer((width, height), 4, samples=self.samples)
            self.target = ctx.framebuffer(color_attachments=[color_ms],
                                          depth_attachment=depth)
            self._resolved = ctx.framebuffer(color_attachments=[self.color_texture])
            self._owned = [self.target, self._resolved, color_ms, depth, self.color_texture]
        else:
            self.target = ctx.framebuffer(color_attachments=[self.color_texture],
                                          depth_attachment=depth)
            self._resolved = None
            self._owned = [self.target, depth, self.color_texture]
        self.width, self.height = width, height
        for obj in old:
            obj.release()

    def swap(self) -> None:
        """Present the frame headless: resolve the multisampled target into
        ``color_texture`` (nothing without MSAA), then wait until GL has executed the
        frame (``ctx.finish()``), so queued work never piles up. Allocates nothing lasting."""
        if self._resolved is not None and self.renderable:
            self.ctx.copy_framebuffer(self._resolved, self.target)
        self.ctx.finish()

    def _resize(self, width: int, height: int) -> None:
        # Recreate the offscreen framebuffer; 0 x 0 stands for minimised: the size reads
        # 0 x 0 and the old framebuffer is kept.
        if width == 0 or height == 0:
            self.width = self.height = 0
            return
        self._build(width, height)

    def _read_target(self, components: int) -> bytes:
        if self._resolved is not None:
            self.ctx.copy_framebuffer(self._resolved, self.target)
            return self._resolved.read(viewport=(0, 0, self.width, self.height),
                                       components=components)
        return super()._read_target(components)

    def _release(self) -> None:
        try:
            for obj in self._owned:
                obj.release()
            self._owned = []
        finally:
            self.ctx.release()
