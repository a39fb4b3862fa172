"""TextLayer: strings drawn as instanced glyph quads, one draw call per layer per frame.

A layer holds slots; a slot is one string at one place (``add`` returns its id). Each slot owns
a fixed run of glyph instances in the layer's staging array, packed by ``Font.layout`` when the
slot's string, scale or anchor changes, and never otherwise: ``set_text`` with the string the
slot already shows compares and returns. Moving a slot or changing its colour rewrites only
its run's origin or colour columns. ``draw`` uploads the rows changed since the last draw (in
place) and issues one instanced draw of every slot's run; unused instances of a run are
zero-sized quads that raster nothing.

Two spaces:

* ``"screen"``: pixels, origin at the top-left of the viewport, y down (as the cursor and the
  screenshots). ``draw()`` with no matrix builds the projection from the current viewport
  (``ctx.viewport``), in place.
* ``"world"``: world units, y up, drawn with a camera's matrix (``draw(camera.matrix)``); a
  scale of 1 makes one font pixel one world unit.

Instance layout (float32, ``STRIDE`` = 14 per glyph): origin (2), quad ``x, y, w, h`` relative
to the origin (4), uv rect (4), colour (4); the shaders are ``text.vert`` / ``text.frag``.

Allocation contract: ``set_text`` with an unchanged string allocates nothing; ``set_position``,
``set_color`` and ``draw`` allocate nothing retained after warm-up (transient views and tuples).
A changed string re-packs its slot with transients only (a list of lines, a few floats: under
1 KB for a short HUD line, held by a test) and keeps nothing but the new string; a string longer
than its slot's run moves the slot (and may double the layer's storage, counted in ``growths``
and in ``RenderStats.reallocations``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import moderngl
import numpy as np

from .font import ANCHORS, Font
from .gl import GraphicsContext
from .shaders import ShaderLibrary

__all__ = ["TextLayer", "TEXT_STRIDE"]

TEXT_STRIDE = 14
"""Floats per glyph instance: origin 2, quad 4, uv 4, colour 4."""
_ATTRS = (("a_origin", 0, 2), ("a_quad", 2, 4), ("a_uv", 6, 4), ("a_color", 10, 4))
_SPACES = ("screen", "world")


class _Slot:
    __slots__ = ("text", "start", "cap", "x", "y", "scale", "color", "anchor", "visible")

    def __init__(self, start: int, cap: int, x: float, y: float, scale: float,
                 color: tuple[float, float, float, float], anchor: str) -> None:
        self.text = ""
        self.start = start
        self.cap = cap
        self.x = x
        self.y = y
        self.scale = scale
        self.color = color
        self.anchor = anchor
        self.visible = True


def _rgba(color: Sequence[float]) -> tuple[float, float, float, float]:
    c = tuple(float(v) for v in color)
    if len(c) == 3:
        c = c + (1.0,)
    if len(c) != 4 or not all(np.isfinite(c)):
        raise ValueError(f"expected an (r, g, b[, a]) colour of finite numbers, got {color!r}")
    return (c[0], c[1], c[2], c[3])


class TextLayer:
    """Strings in slots, drawn with one instanced draw (see the module docstring).

    Attributes:
        font: the Font the glyphs come from (its texture is uploaded by the layer).
        space: ``"screen"`` or ``"world"``.
        capacity: glyph instances the staging array and the VBO hold.
        used: instances drawn per frame (the end of the last slot's run).
        repacks: string layouts since construction (a test reads it: unchanged strings add 0).
        growths: times the storage doubled.
        staging: (capacity, TEXT_STRIDE) float32.
    """

    def __init__(self, gfx: GraphicsContext, shaders: ShaderLibrary, font: Font, *,
                 space: str = "screen", capacity: int = 1024, name: str = "text",
                 program: str = "text") -> None:
        """Make the staging array, the VBO and the vertex array, and upload the font.

        Raises:
            ValueError: an unknown space or a capacity < 1.
            KeyError: ``name`` is already a batch name on this GraphicsContext.
            ShaderNotFoundError, ShaderCompileError: the program cannot be loaded.
        """
        if space not in _SPACES:
            raise ValueError(f"expected space in {_SPACES}, got {space!r}")
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"expected an int capacity >= 1, got {capacity!r}")
        self.gfx = gfx
        self.shaders = shaders
        self.font = font
        self.space = space
        self.name = name
        self.program_name = program
        self.capacity = capacity
        self.used = 0
        self.repacks = 0
        self.growths = 0
        self._slots: list[_Slot | None] = []
        self._free: list[tuple[int, int]] = []
        self._lo = self._hi = 0
        self.staging = np.zeros((capacity, TEXT_STRIDE), dtype=np.float32)
        self._screen = np.zeros((4, 4), dtype=np.float32)
        self._screen_size = (0, 0)
        self._unit = np.zeros(1, dtype=np.int32)
        self._texture = font.upload(gfx)
        gfx.render_stats.register_batch(name, capacity)
        self.vbo = gfx.buffer(reserve=capacity * TEXT_STRIDE * 4)
        self._vao: moderngl.VertexArray | None = None
        self._vao_program: moderngl.Program | None = None
        self._u_proj: Any = None
        self._u_glyphs: Any = None
        self._released = False
        self._build_vao(shaders.get(program))

    # ------------------------------------------------------------------ slots
    def add(self, text: str = "", x: float = 0.0, y: float = 0.0, *, scale: float = 1.0,
            color: Sequence[float] = (1.0, 1.0, 1.0, 1.0), anchor: str = "lt",
            max_chars: int | None = None) -> int:
        """A new slot showing ``text`` at ``(x, y)``; returns its id.

        Args:
            max_chars: glyphs to reserve (default: ``max(len(text), 16)``); a longer string
                later moves the slot to a larger run.

        Raises:
            ValueError: an unknown anchor, a bad colour or scale.
        """
        if anchor not in ANCHORS:
            raise ValueError(f"expected an anchor in {ANCHORS}, got {anchor!r}")
        if not (isinstance(scale, (int, float)) and np.isfinite(scale) and scale > 0):
            raise ValueError(f"expected a scale > 0, got {scale!r}")
        cap = max(int(max_chars) if max_chars is not None else max(len(text), 16), 1)
        slot = _Slot(self._allocate(cap), cap, float(x), float(y), float(scale), _rgba(color),
                     anchor)
        self._slots.append(slot)
        sid = len(self._slots) - 1
        self._write_origin(slot)
        self._write_color(slot)
        self._repack(slot, text)
        return sid

    def _slot(self, sid: int) -> _Slot:
        slot = self._slots[sid] if 0 <= sid < len(self._slots) else None
        if slot is None:
            raise KeyError(f"no text slot {sid} in layer {self.name!r}")
        return slot

    def text(self, sid: int) -> str:
        """The string slot ``sid`` shows."""
        return self._slot(sid).text

    def set_text(self, sid: int, text: str) -> bool:
        """Show ``text`` in slot ``sid``; True when it changed (and was re-packed).

        Allocates nothing when ``text`` equals the slot's string.
        """
        slot = self._slot(sid)
        if text == slot.text:
            return False
        self._repack(slot, text)
        return True

    def set_position(self, sid: int, x: float, y: float) -> None:
        """Move slot ``sid``'s anchor point to ``(x, y)``. Allocates nothing retained."""
        slot = self._slot(sid)
        if x != slot.x or y != slot.y:
            slot.x = float(x)
            slot.y = float(y)
            self._write_origin(slot)

    def set_color(self, sid: int, color: Sequence[float]) -> None:
        """Recolour slot ``sid`` (r, g, b[, a]). Allocates nothing retained when unchanged."""
        slot = self._slot(sid)
        rgba = _rgba(color)
        if rgba != slot.color:
            slot.color = rgba
            self._write_color(slot)

    def set_style(self, sid: int, *, scale: float | None = None, anchor: str | None = None
                  ) -> None:
        """Change slot ``sid``'s scale or anchor (re-packs it).

        Raises:
            ValueError: an unknown anchor or a scale <= 0.
        """
        slot = self._slot(sid)
        if anchor is not None and anchor not in ANCHORS:
            raise ValueError(f"expected an anchor in {ANCHORS}, got {anchor!r}")
        if scale is not None and not (np.isfinite(scale) and scale > 0):
            raise ValueError(f"expected a scale > 0, got {scale!r}")
        slot.scale = float(scale) if scale is not None else slot.scale
        slot.anchor = anchor if anchor is not None else slot.anchor
        self._repack(slot, slot.text)

    def set_visible(self, sid: int, visible: bool) -> None:
        """Show or hide slot ``sid`` (a hidden slot keeps its run and its string)."""
        slot = self._slot(sid)
        if bool(visible) != slot.visible:
            slot.visible = bool(visible)
            self._repack(slot, slot.text)

    def remove(self, sid: int) -> None:
        """Drop slot ``sid``; its run is reused by a later slot."""
        slot = self._slot(sid)
        self._clear(slot.start, slot.cap)
        self._free.append((slot.start, slot.cap))
        self._slots[sid] = None

    @property
    def slots(self) -> int:
        """Live slots."""
        return sum(1 for s in self._slots if s is not None)

    # ------------------------------------------------------------------ storage
    def _allocate(self, cap: int) -> int:
        for i, (start, size) in enumerate(self._free):
            if size >= cap:
                if size == cap:
                    self._free.pop(i)
                else:
                    self._free[i] = (start + cap, size - cap)
                return start
        start = self.used
        if start + cap > self.capacity:
            self._grow(start + cap)
        self.used = start + cap
        return start

    def _grow(self, need: int) -> None:
        cap = self.capacity
        while cap < need:
            cap *= 2
        staging = np.zeros((cap, TEXT_STRIDE), dtype=np.float32)
        staging[:self.capacity] = self.staging
        self.staging = staging
        self.capacity = cap
        self.gfx.release(self.vbo)
        self.vbo = self.gfx.buffer(reserve=cap * TEXT_STRIDE * 4)
        self._build_vao(self.shaders.get(self.program_name))
        self._mark(0, self.used)
        self.growths += 1
        rs = self.gfx.render_stats
        rs.reallocations += 1
        rs.batch_reallocations[self.name] = self.growths
        rs.capacity[self.name] = cap

    def _mark(self, lo: int, hi: int) -> None:
        if self._hi <= self._lo:
            self._lo, self._hi = lo, hi
        else:
            self._lo = min(self._lo, lo)
            self._hi = max(self._hi, hi)

    def _clear(self, start: int, cap: int) -> None:
        self.staging[start:start + cap, 2:10] = 0.0
        self._mark(start, start + cap)

    def _write_origin(self, slot: _Slot) -> None:
        run = self.staging[slot.start:slot.start + slot.cap]
        run[:, 0] = slot.x
        run[:, 1] = slot.y
        self._mark(slot.start, slot.start + slot.cap)

    def _write_color(self, slot: _Slot) -> None:
        run = self.staging[slot.start:slot.start + slot.cap]
        c = slot.color
        run[:, 10] = c[0]
        run[:, 11] = c[1]
        run[:, 12] = c[2]
        run[:, 13] = c[3]
        self._mark(slot.start, slot.start + slot.cap)

    def _repack(self, slot: _Slot, text: str) -> None:
        need = len(text) - text.count(" ") - text.count("\n")
        if need > slot.cap:
            self._clear(slot.start, slot.cap)
            self._free.append((slot.start, slot.cap))
            slot.cap = max(need, 2 * slot.cap)
            slot.start = self._allocate(slot.cap)
            self._write_origin(slot)
            self._write_color(slot)
        run = self.staging[slot.start:slot.start + slot.cap]
        run[:, 2:10] = 0.0
        if slot.visible and text:
            self.font.layout(text, run[:, 2:10], scale=slot.scale, anchor=slot.anchor,
                             y_up=self.space == "world")
        slot.text = text
        self.repacks += 1
        self._mark(slot.start, slot.start + slot.cap)

    # ------------------------------------------------------------------ per frame
    def _build_vao(self, program: moderngl.Program) -> None:
        if self._vao is not None:
            self.gfx.release(self._vao)
        vao = self.gfx.vertex_array(program, [])
        for attr_name, offset, width in _ATTRS:
            attr = program.get(attr_name, None)
            if isinstance(attr, moderngl.Attribute):
                vao.bind(attr.location, "f", self.vbo, f"{width}f", offset=offset * 4,
                         stride=TEXT_STRIDE * 4, divisor=1)
        self._vao = vao
        self._vao_program = program
        self._u_proj = program.get("u_proj", None)
        glyphs = program.get("u_glyphs", None)
        self._u_glyphs = glyphs if isinstance(glyphs, moderngl.Uniform) else None

    def screen_matrix(self, width: int, height: int) -> np.ndarray:
        """The pixel projection (top-left origin, y down) for a ``width`` x ``height`` viewport,
        written in place into one array (returned). Allocates nothing when the size is the
        same as last time."""
        if (width, height) != self._screen_size:
            m = self._screen
            m[...] = 0.0
            m[0, 0] = 2.0 / max(width, 1)
            m[1, 1] = -2.0 / max(height, 1)
            m[2, 2] = -1.0
            m[3, 0] = -1.0
            m[3, 1] = 1.0
            m[3, 3] = 1.0
            self._screen_size = (width, height)
        return self._screen

    def draw(self, matrix: np.ndarray | None = None, texture_unit: int = 0) -> bool:
        """Upload the rows changed since the last draw and draw every slot: one draw call.

        Args:
            matrix: float32 (4, 4) projection (``Camera2D.matrix`` for a world layer); None
                for a screen layer draws in pixels of the current viewport.

        Returns:
            True when a draw call was issued (False with no slots).

        Allocates nothing retained when no slot changed (a transient view and tuple).

        Raises:
            ValueError: a world layer drawn without a matrix.
        """
        self.gfx.render_stats.instances[self.name] = self.used
        if self._hi > self._lo:
            lo, hi = self._lo, self._hi
            self.vbo.write(self.staging[lo:hi], lo * TEXT_STRIDE * 4)
            written = (hi - lo) * TEXT_STRIDE * 4
            rs = self.gfx.render_stats
            rs.upload_bytes += written
            rs.upload_bytes_total += written
            self._lo = self._hi = 0
        if self.used == 0:
            return False
        if matrix is None:
            if self.space == "world":
                raise ValueError(f"text layer {self.name!r} is in world space: draw it with a "
                                 f"camera matrix (draw(camera.matrix))")
            vp = self.gfx.ctx.viewport
            matrix = self.screen_matrix(vp[2], vp[3])
        program = self.shaders.get(self.program_name)
        if program is not self._vao_program:
            self._build_vao(program)
        if self._u_proj is not None:
            self._u_proj.write(matrix)
        self._texture.use(texture_unit)
        if self._u_glyphs is not None:
            self._unit[0] = texture_unit
            self._u_glyphs.write(self._unit)
        ctx = self.gfx.ctx
        ctx.enable(moderngl.BLEND)
        ctx.blend_func = (moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA)
        assert self._vao is not None
        self.gfx.draw(self._vao, instances=self.used, vertices=4, mode=moderngl.TRIANGLE_STRIP)
        return True

    def release(self) -> None:
        """Release the VBO and vertex array (not the font's texture) and the stats keys; safe
        twice."""
        if self._released:
            return
        self._released = True
        if self._vao is not None:
            self.gfx.release(self._vao)
            self._vao = None
        self.gfx.release(self.vbo)
        self.gfx.render_stats.unregister_batch(self.name)

    def __repr__(self) -> str:
        return (f"TextLayer({self.name!r}, space={self.space!r}, slots={self.slots}, "
                f"used={self.used}, capacity={self.capacity})")
