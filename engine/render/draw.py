"""The GL side of an ``InstanceBatch``: its program's vertex array over the planar VBO, the
uniforms (camera, frame table, atlas unit), the blend mode and the one instanced draw.

The vertex array binds each block of the VBO (staging.py's layout) to its attribute with a
per-instance divisor; there is no per-vertex buffer: the shaders make the quad's corners from
``gl_VertexID``. When the shader library's program changes (hot reload) or the VBO is
replaced (growth), the vertex array is rebuilt at the next draw.
"""

from __future__ import annotations

import enum
from typing import Any

import moderngl
import numpy as np

from .gl import GraphicsContext
from .shaders import ShaderLibrary
from .staging import BLOCKS, MAX_FRAMES

__all__ = ["Blend", "InstanceDraw"]


class Blend(str, enum.Enum):
    """Blend mode of a batch's draw."""

    ALPHA = "alpha"
    """Straight alpha: src * a + dst * (1 - a)."""
    ADDITIVE = "additive"
    """Additive: src * a + dst (particles, glows)."""
    NONE = "none"
    """Opaque, no blending."""

    @classmethod
    def parse(cls, value: Blend | str) -> Blend:
        """The mode for ``value`` (a member or its name).

        Raises:
            ValueError: an unknown mode.
        """
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"expected a blend mode in {[b.value for b in cls]}, "
                             f"got {value!r}") from None


_BLEND_FUNCS = {
    Blend.ALPHA: (moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA),
    Blend.ADDITIVE: (moderngl.SRC_ALPHA, moderngl.ONE),
}


class InstanceDraw:
    """One batch's draw state: program, vertex array, uniforms, frame table, texture, blend.

    Attributes:
        texture: the sampled texture (bound to ``texture_unit`` at draw), or None.
        blend: the blend mode.
        frame_count: frames in the frame table.
    """

    def __init__(self, gfx: GraphicsContext, name: str, shaders: ShaderLibrary, program: str,
                 texture: moderngl.Texture | None, texture_unit: int, blend: Blend,
                 frame_uvs: Any) -> None:
        self.gfx = gfx
        self.name = name
        self.shaders = shaders
        self.program_name = program
        self.texture = texture
        self.texture_unit = int(texture_unit)
        self._unit_i32 = np.array(self.texture_unit, dtype=np.int32)
        self.blend = blend
        self._blend_func = _BLEND_FUNCS.get(blend)
        self._frame_table = np.zeros((MAX_FRAMES, 4), dtype=np.float32)
        self._frames_view = self._frame_table
        self.set_frames(frame_uvs)
        self._vao: moderngl.VertexArray | None = None
        self._vao_program: moderngl.Program | None = None
        self._u_proj: Any = None
        self._u_frames: Any = None
        self._u_frame_count: Any = None
        self._u_atlas: Any = None

    def set_frames(self, frame_uvs: Any) -> None:
        """Set the frame table: (F, 4) uv rects; None = one rect over the whole texture.

        Raises:
            ValueError: not (F, 4) with 1 <= F <= MAX_FRAMES, or not finite.
        """
        if frame_uvs is None:
            table = np.array([[0.0, 0.0, 1.0, 1.0]], dtype=np.float32)
        else:
            table = np.asarray(frame_uvs, dtype=np.float32)
        if table.ndim != 2 or table.shape[1] != 4 or not 1 <= table.shape[0] <= MAX_FRAMES \
                or not np.all(np.isfinite(table)):
            raise ValueError(f"expected frame uv rects of shape (F, 4) with 1 <= F <= "
                             f"{MAX_FRAMES}, finite, got {np.shape(frame_uvs)}")
        self._frame_table[...] = 0.0
        self._frame_table[:table.shape[0]] = table
        self.frame_count = table.shape[0]
        self._frame_count_i32 = np.array(self.frame_count, dtype=np.int32)

    def build(self, program: moderngl.Program, vbo: moderngl.Buffer,
              offsets: list[int]) -> None:
        """(Re)make the vertex array of ``program`` over ``vbo`` (block byte ``offsets``) and
        look up its uniforms (allocates: set-up, growth and hot reload only).

        Raises:
            ValueError: the program's ``u_frames`` table is shorter than the frame table.
        """
        self.drop_vertex_array()
        vao = self.gfx.vertex_array(program, [])
        for b, (_, attr_name, width) in enumerate(BLOCKS):
            attr = program.get(attr_name, None)
            if attr is None or not isinstance(attr, moderngl.Attribute):
                continue  # optimized out by the compiler, or absent from this shader
            vao.bind(attr.location, "f", vbo, f"{width}f", offset=offsets[b],
                     stride=width * 4, divisor=1)
        self._vao = vao
        self._vao_program = program
        self._u_proj = program.get("u_proj", None)
        self._u_frames = program.get("u_frames", None)
        self._u_frame_count = program.get("u_frame_count", None)
        if self._u_frames is not None:
            length = self._u_frames.array_length
            if length < self.frame_count:
                raise ValueError(f"batch {self.name!r}: program {self.program_name!r} has "
                                 f"u_frames[{length}], the batch needs {self.frame_count}")
            self._frames_view = self._frame_table[:length]
        atlas = program.get("u_atlas", None)
        self._u_atlas = atlas if isinstance(atlas, moderngl.Uniform) else None

    def drop_vertex_array(self) -> None:
        """Release the vertex array (the next ``draw`` makes a new one); safe twice."""
        if self._vao is not None:
            self.gfx.release(self._vao)
            self._vao = None
        self._vao_program = None

    def draw(self, count: int, camera_matrix: np.ndarray, vbo: moderngl.Buffer,
             offsets: list[int]) -> None:
        """One instanced draw of ``count`` (> 0) instances of ``vbo``.

        Allocates nothing, except when the library's program changed or the vertex array was
        dropped: then it is rebuilt first (once per reload or growth).
        """
        program = self.shaders.get(self.program_name)
        if program is not self._vao_program:
            self.build(program, vbo, offsets)
        if self._u_proj is not None:
            self._u_proj.write(camera_matrix)
        if self._u_frames is not None:
            self._u_frames.write(self._frames_view)
        if self._u_frame_count is not None:
            self._u_frame_count.write(self._frame_count_i32)
        if self.texture is not None:
            self.texture.use(self.texture_unit)
            if self._u_atlas is not None:
                # Program state is shared by every batch using the program: set per draw.
                self._u_atlas.write(self._unit_i32)
        ctx = self.gfx.ctx
        if self._blend_func is None:
            ctx.disable(moderngl.BLEND)
        else:
            ctx.enable(moderngl.BLEND)
            ctx.blend_func = self._blend_func
        assert self._vao is not None
        self.gfx.draw(self._vao, instances=count, vertices=4, mode=moderngl.TRIANGLE_STRIP)
