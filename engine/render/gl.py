"""GraphicsContext: the one owner of the render layer's GL objects, and the one place draws go.

Every GL object of the render layer is made by a ``GraphicsContext`` method (``buffer``,
``program``, ``vertex_array``, ``texture``, ``texture_array``, ``framebuffer``, ``renderbuffer``,
``sampler``) and released by it (``release(obj)``, ``release_all()``), so that
``stats`` (kind -> [created, released]) and ``live`` are exact and the profiler can show leaks.
Releasing twice is a no-op; releasing an object this context did not make is an error.

Draws go through ``draw()`` so that draw calls are counted per frame (``begin_frame()`` zeroes
the frame counter) and in total.

The moderngl context itself belongs to whoever created it (the core layer, or a test fixture):
``GraphicsContext.release()`` frees what it made and never the context.
"""

from __future__ import annotations

import weakref
from typing import Any

import moderngl
import numpy as np

from .stats import RenderStats

__all__ = ["GraphicsContext", "ForeignResourceError", "GraphicsClosedError", "RESOURCE_KINDS"]

RESOURCE_KINDS: tuple[str, ...] = (
    "buffer", "program", "vertex_array", "texture", "texture_array", "framebuffer",
    "renderbuffer", "sampler",
)
"""Kinds counted in ``GraphicsContext.stats``."""

# Release order of release_all(): users of an object go before the object (a VAO before the
# program and buffers it names, a framebuffer before its attachments).
_RELEASE_ORDER = ("vertex_array", "framebuffer", "sampler", "program", "buffer", "texture",
                  "texture_array", "renderbuffer")


class ForeignResourceError(ValueError):
    """An object not made by this GraphicsContext was given to ``release()``."""


class GraphicsClosedError(RuntimeError):
    """The GraphicsContext was released; it makes no more objects."""


class GraphicsContext:
    """Makes, counts, releases GL objects and counts draw calls, over one moderngl context.

    Attributes:
        ctx: the moderngl context (owned by the caller).
        stats: kind -> ``[created, released]`` for each kind of ``RESOURCE_KINDS``.
        render_stats: the ``RenderStats`` of everything drawn through this context.
        draw_calls_frame: draw calls since the last ``begin_frame()``.
        draw_calls_total: draw calls since construction.
    """

    def __init__(self, ctx: moderngl.Context, render_stats: RenderStats | None = None) -> None:
        """Wrap ``ctx``.

        Args:
            ctx: a moderngl context (window or standalone).
            render_stats: stats object to write into; a new one by default.

        Raises:
            TypeError: ``ctx`` is not a moderngl.Context.
        """
        if not isinstance(ctx, moderngl.Context):
            raise TypeError(f"expected a moderngl.Context, got {type(ctx).__name__}")
        self.ctx = ctx
        self.render_stats = render_stats if render_stats is not None else RenderStats()
        self.stats: dict[str, list[int]] = {kind: [0, 0] for kind in RESOURCE_KINDS}
        self.render_stats.gl_objects = self.stats
        self.draw_calls_frame = 0
        self.draw_calls_total = 0
        self._live: dict[int, tuple[str, Any]] = {}
        self._released: weakref.WeakSet[Any] = weakref.WeakSet()
        self._closed = False

    # ------------------------------------------------------------------ bookkeeping
    @property
    def closed(self) -> bool:
        """True after ``release()``."""
        return self._closed

    @property
    def live(self) -> dict[str, int]:
        """Kind -> objects created and not released (a new dict: for the dashboard, not a frame)."""
        return {kind: made - freed for kind, (made, freed) in self.stats.items()}

    def _track(self, kind: str, obj: Any) -> Any:
        self._live[id(obj)] = (kind, obj)
        self.stats[kind][0] += 1
        rs = self.render_stats
        rs.gl_created += 1
        rs.gl_live += 1
        return obj

    def _check_open(self, what: str) -> None:
        if self._closed:
            raise GraphicsClosedError(f"cannot make a {what}: this GraphicsContext was released")

    # ------------------------------------------------------------------ factories
    def buffer(self, data: Any = None, *, reserve: int = 0, dynamic: bool = False
               ) -> moderngl.Buffer:
        """A buffer with ``data`` (any buffer-protocol object) or ``reserve`` zeroed bytes.

        Raises:
            GraphicsClosedError: after ``release()``.
            ValueError: neither data nor a positive reserve.
        """
        self._check_open("buffer")
        if data is None and reserve <= 0:
            raise ValueError(f"expected data or reserve > 0 bytes, got data=None, "
                             f"reserve={reserve}")
        return self._track("buffer", self.ctx.buffer(data, reserve=reserve, dynamic=dynamic))

    def program(self, vertex_shader: str, fragment_shader: str | None = None, **kwargs: Any
                ) -> moderngl.Program:
        """A linked program; moderngl's ``Error`` (with the compiler log) propagates on failure.

        Raises:
            GraphicsClosedError: after ``release()``.
            moderngl.Error: compile or link failure (nothing is counted then).
        """
        self._check_open("program")
        prog = self.ctx.program(vertex_shader=vertex_shader, fragment_shader=fragment_shader,
                                **kwargs)
        return self._track("program", prog)

    def vertex_array(self, program: moderngl.Program, content: Any, *args: Any, **kwargs: Any
                     ) -> moderngl.VertexArray:
        """A vertex array over ``program`` (arguments as ``moderngl.Context.vertex_array``).

        Raises:
            GraphicsClosedError: after ``release()``.
        """
        self._check_open("vertex_array")
        return self._track("vertex_array",
                           self.ctx.vertex_array(program, content, *args, **kwargs))

    def texture(self, size: tuple[int, int], components: int, data: Any = None, **kwargs: Any
                ) -> moderngl.Texture:
        """A 2D texture (arguments as ``moderngl.Context.texture``).

        Raises:
            GraphicsClosedError: after ``release()``.
        """
        self._check_open("texture")
        return self._track("texture", self.ctx.texture(size, components, data, **kwargs))

    def image_texture(self, image: np.ndarray, *, smooth: bool) -> moderngl.Texture:
        """A clamped 2D texture of a uint8 image, rows bottom-up: ``(h, w)`` is one channel,
        ``(h, w, c)`` c channels; ``smooth`` picks linear filtering, else nearest (pixel art).

        Raises:
            GraphicsClosedError: after ``release()``.
        """
        h, w = image.shape[:2]
        components = 1 if image.ndim == 2 else image.shape[2]
        tex = self.texture((w, h), components, np.ascontiguousarray(image))
        mode = moderngl.LINEAR if smooth else moderngl.NEAREST
        tex.filter = (mode, mode)
        tex.repeat_x = False
        tex.repeat_y = False
        return tex

    def texture_array(self, size: tuple[int, int, int], components: int, data: Any = None,
                      **kwargs: Any) -> moderngl.TextureArray:
        """A 2D texture array (arguments as ``moderngl.Context.texture_array``).

        Raises:
            GraphicsClosedError: after ``release()``.
        """
        self._check_open("texture_array")
        return self._track("texture_array",
                           self.ctx.texture_array(size, components, data, **kwargs))

    def renderbuffer(self, size: tuple[int, int], components: int = 4, samples: int = 0,
                     dtype: str = "f1") -> moderngl.Renderbuffer:
        """A renderbuffer.

        Raises:
            GraphicsClosedError: after ``release()``.
        """
        self._check_open("renderbuffer")
        return self._track("renderbuffer",
                           self.ctx.renderbuffer(size, components, samples, dtype))

    def framebuffer(self, color_attachments: Any = (), depth_attachment: Any = None
                    ) -> moderngl.Framebuffer:
        """A framebuffer over attachments (made by this context, released separately).

        Raises:
            GraphicsClosedError: after ``release()``.
        """
        self._check_open("framebuffer")
        return self._track("framebuffer",
                           self.ctx.framebuffer(color_attachments, depth_attachment))

    def sampler(self, **kwargs: Any) -> moderngl.Sampler:
        """A sampler (arguments as ``moderngl.Context.sampler``).

        Raises:
            GraphicsClosedError: after ``release()``.
        """
        self._check_open("sampler")
        return self._track("sampler", self.ctx.sampler(**kwargs))

    def offscreen_target(self, size: tuple[int, int]) -> moderngl.Framebuffer:
        """An RGBA8 framebuffer of ``size`` with a color renderbuffer (for headless rendering).

        Release it with ``release_target()`` (or ``release_all()``).

        Raises:
            GraphicsClosedError: after ``release()``.
            ValueError: a non-positive size.
        """
        w, h = size
        if w <= 0 or h <= 0:
            raise ValueError(f"expected a positive (width, height), got {size!r}")
        color = self.renderbuffer((w, h), 4)
        return self.framebuffer(color_attachments=[color])

    def release_target(self, fbo: moderngl.Framebuffer) -> None:
        """Release a framebuffer and its attachments (those this context made)."""
        attachments = list(fbo.color_attachments or ())
        if fbo.depth_attachment is not None:
            attachments.append(fbo.depth_attachment)
        self.release(fbo)
        for obj in attachments:
            if id(obj) in self._live:
                self.release(obj)

    # ------------------------------------------------------------------ release
    def owns(self, obj: Any) -> bool:
        """True when ``obj`` was made by this context and is not released yet."""
        return id(obj) in self._live

    def release(self, obj: Any = None) -> None:
        """Release ``obj``; with no argument, release everything and close this context.

        Releasing an object twice is a no-op, and so is closing twice.

        Raises:
            ForeignResourceError: ``obj`` was not made by this GraphicsContext.
        """
        if obj is None:
            self.release_all()
            self._closed = True
            return
        entry = self._live.pop(id(obj), None)
        if entry is None:
            if obj in self._released:
                return
            raise ForeignResourceError(
                f"expected a GL object made by this GraphicsContext, got a "
                f"{type(obj).__name__} it did not make (or made by another context)")
        kind, held = entry
        if kind == "framebuffer" and getattr(self.ctx, "fbo", None) is held:
            # moderngl rebinds "the bound framebuffer" after making a new one; if that is a
            # deleted one, GL raises GL_INVALID_OPERATION. Bind the default framebuffer first.
            self.ctx.detect_framebuffer(0).use()
        held.release()
        self._released.add(held)
        self.stats[kind][1] += 1
        rs = self.render_stats
        rs.gl_released += 1
        rs.gl_live -= 1

    def release_all(self) -> int:
        """Release every live object (users before what they use); returns how many."""
        n = 0
        for kind in _RELEASE_ORDER:
            for k, obj in list(self._live.values()):
                if k == kind:
                    self.release(obj)
                    n += 1
        return n

    # ------------------------------------------------------------------ frame and draws
    def begin_frame(self) -> None:
        """Start a frame: zero the per-frame draw count and the per-frame render stats.

        Allocates nothing.
        """
        self.draw_calls_frame = 0
        self.render_stats.begin_frame()

    def draw(self, vao: moderngl.VertexArray, *, instances: int = -1, vertices: int = -1,
             mode: int | None = None, first: int = 0) -> None:
        """Issue one draw of ``vao`` and count it.

        Allocates nothing (moderngl's render makes no Python objects).
        """
        vao.render(mode, vertices, first, instances)
        self.draw_calls_frame += 1
        self.draw_calls_total += 1
        rs = self.render_stats
        rs.draw_calls += 1
        rs.draw_calls_total += 1

    def __repr__(self) -> str:
        rs = self.render_stats
        return (f"GraphicsContext(live={rs.gl_live}, created={rs.gl_created}, "
                f"released={rs.gl_released}, closed={self._closed})")
