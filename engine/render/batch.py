"""InstanceBatch: one instanced draw of up to ``capacity`` sprites, written in place every frame.

The moderngl counterpart of Godot's MultiMesh, for one enemy tier (or projectiles, particles,
bosses, or a prototype's boids):

* **Storage, made once.** One float32 staging array of ``capacity * STRIDE`` floats and one VBO of
  ``capacity * STRIDE * 4`` bytes, both in planar blocks (pos, size, rot, frame, tint; see
  staging.py). Per frame only the blocks written that frame are uploaded, and only their
  ``[0, count)`` rows: a typical enemy tier uploads 12 bytes per instance (pos + frame), not 40.

* **Per frame.** ``begin()``; one or more ``pack_range`` (rows ``[0, n)`` of columns) /
  ``pack_rows`` (a row list, e.g. from ``RowGrouper``) / ``pack_selected`` (rows where a column
  equals a value) calls that append at ``[count, count + n)``; ``upload()``; ``draw(matrix)``.
  Positions are interpolated ``prev + (pos - prev) * alpha`` with numpy ``out=`` calls straight
  into the staging block. ``upload`` writes with ``Buffer.write(view, offset)`` in place: no
  orphaning, no reallocation, no copy on the Python side. ``draw`` issues one instanced draw of
  ``count`` instances through the GraphicsContext, or nothing when the batch is empty.

* **Capacity policy** (``GrowthPolicy``, growth.py), never silent: ``GROW`` doubles and counts
  a reallocation, ``CLAMP`` draws the first ``capacity`` and counts the rest as truncated.

Use outside the horde kit (a boids prototype, say)::

    gfx = GraphicsContext(ctx)
    shaders = ShaderLibrary(gfx, DEFAULT_SHADER_DIR)
    atlas = build_atlas()
    boids = InstanceBatch(gfx, "boids", shaders, texture=atlas.upload(gfx),
                          frame_uvs=atlas.frame_uvs("projectile"), size=(12, 6),
                          capacity=10_000)
    # every frame, from the prototype's own float32 arrays:
    boids.begin()
    boids.pack_range(n, pos, prev_pos, alpha, rotation=heading)
    boids.upload()
    boids.draw(camera.matrix)

Allocation contract: ``begin``, the ``pack_*`` calls, ``upload`` and ``draw`` allocate nothing
after warm-up (a few transient view objects and Python ints, no array data), provided the
columns are float32 (pos, prev_pos, size, tint, scale, rotation; ``frame`` may be any numeric
dtype). A column of another dtype is first converted into batch-owned scratch, which is made on
first use (warm-up). Growth allocates, by policy, and is counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import moderngl
import numpy as np

from .draw import Blend, InstanceDraw
from .gl import GraphicsContext
from .growth import GrowthPolicy, grown_capacity
from .select import RowGrouper
from .shaders import ShaderLibrary
from .staging import (
    BLOCKS,
    FRAME,
    MAX_FRAMES,
    POS,
    ROT,
    SIZE,
    STRIDE,
    TINT,
    Staging,
    const_values,
)

# The policy, blend and layout names live in growth.py, draw.py and staging.py; they are
# re-exported here, where a batch's callers look for them.
__all__ = ["InstanceBatch", "GrowthPolicy", "Blend", "BLOCKS", "STRIDE", "MAX_FRAMES"]


class InstanceBatch:
    """Per-instance sprite data for one instanced draw (see the module docstring).

    Attributes:
        name: key in ``RenderStats`` (unique per GraphicsContext).
        capacity: instances the staging array and the VBO hold.
        count: instances packed since ``begin()`` (drawn by ``draw``).
        policy: the capacity policy.
        vbo: the instance buffer (``capacity * STRIDE * 4`` bytes).
        staging: the float32 staging array (``capacity * STRIDE``).
        pos, size, rot, frame, tint: the planar blocks (views of ``staging``).
        growths: growth events of this batch.
        truncated_frame: instances dropped this frame (CLAMP).
        truncated_total: instances dropped since start (CLAMP).
        upload_bytes: bytes written by the last ``upload``.
    """

    def __init__(
        self,
        gfx: GraphicsContext,
        name: str,
        shaders: ShaderLibrary,
        *,
        program: str = "sprite",
        texture: moderngl.Texture | None = None,
        frame_uvs: Any = None,
        capacity: int = 1024,
        policy: GrowthPolicy | str = GrowthPolicy.GROW,
        size: Sequence[float] = (1.0, 1.0),
        tint: Sequence[float] = (1.0, 1.0, 1.0, 1.0),
        rotation: float = 0.0,
        frame: float = 0.0,
        blend: Blend | str = Blend.ALPHA,
        texture_unit: int = 0,
    ) -> None:
        """Make the staging array and the VBO (once), and load the program.

        Args:
            gfx: the GraphicsContext that makes and counts every GL object.
            name: the batch's key in ``gfx.render_stats`` (unique).
            shaders: the library the program comes from (hot reload is followed).
            program: shader program name (``sprite`` = sprite.vert + sprite.frag).
            texture: the sampled texture (the atlas); bound to ``texture_unit`` at draw.
            frame_uvs: (F, 4) uv rects ``(u_left, v_top, u_right, v_bottom)`` per frame; a frame
                value f draws rect ``f mod F``. Default: one rect covering the whole texture.
            capacity: initial instance capacity (>= 1).
            policy: ``GrowthPolicy.GROW`` or ``CLAMP``.
            size, tint, rotation, frame: the batch's constants, used where a pack call gives no
                column for that attribute.
            blend: ``Blend.ALPHA``, ``ADDITIVE`` or ``NONE``.
            texture_unit: texture unit of ``u_atlas``.

        Raises:
            ValueError: a bad capacity, policy, blend, constant or frame table.
            ShaderNotFoundError, ShaderCompileError: the program cannot be loaded.
            KeyError: the name is already used on this GraphicsContext.
        """
        if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)) \
                or capacity < 1:
            raise ValueError(f"expected an int capacity >= 1, got {capacity!r}")
        self.gfx = gfx
        self.name = name
        self.policy = GrowthPolicy.parse(policy)
        blend_mode = Blend.parse(blend)
        consts: list[np.ndarray | None] = [
            None,
            const_values(size, 2, "size"),
            const_values(rotation, 1, "rotation"),
            const_values(frame, 1, "frame"),
            const_values(tint, 4, "tint"),
        ]
        self._gl = InstanceDraw(gfx, name, shaders, program, texture, texture_unit, blend_mode,
                                frame_uvs)
        self._selector: RowGrouper | None = None
        self._selector_value: int | None = None
        self.count = 0
        self.growths = 0
        self.truncated_frame = 0
        self.truncated_total = 0
        self.upload_bytes = 0
        self._released = False
        self.capacity = int(capacity)
        self.gfx.render_stats.register_batch(name, self.capacity)
        self._st = Staging(name, self.capacity, consts)
        self._adopt_storage()
        self.vbo = gfx.buffer(reserve=self.capacity * STRIDE * 4)
        # Load now: a missing or broken shader is reported at set-up, not mid-frame.
        self._gl.build(shaders.get(program), self.vbo, self._st.offsets)

    # ------------------------------------------------------------------ storage
    @property
    def stride_bytes(self) -> int:
        """Bytes per instance in the VBO (``STRIDE * 4``)."""
        return STRIDE * 4

    def _adopt_storage(self) -> None:
        """Point the public array attributes at the (new) staging array."""
        st = self._st
        self.staging = st.staging
        self.pos, self.size, self.rot, self.frame, self.tint = st.blocks

    def _grow(self, needed: int) -> None:
        cap = grown_capacity(self.capacity, needed)
        self._st.make(cap, keep_rows=self.count)
        self._adopt_storage()
        gfx = self.gfx
        gfx.release(self.vbo)
        self._gl.drop_vertex_array()  # rebuilt at the next draw: the block offsets moved
        self.vbo = gfx.buffer(reserve=cap * STRIDE * 4)
        self.capacity = cap
        self.growths += 1
        rs = gfx.render_stats
        rs.reallocations += 1
        rs.batch_reallocations[self.name] += 1
        rs.capacity[self.name] = cap

    def _reserve(self, n: int) -> tuple[int, int]:
        """Append ``n`` rows: returns (start, rows granted), growing or clamping by policy."""
        start = self.count
        if start + n > self.capacity:
            if self.policy is GrowthPolicy.GROW:
                self._grow(start + n)
            else:
                granted = self.capacity - start
                dropped = n - granted
                self.truncated_frame += dropped
                self.truncated_total += dropped
                rs = self.gfx.render_stats
                rs.truncated[self.name] += dropped
                rs.truncated_frame += dropped
                n = granted
        self.count = start + n
        return start, n

    # ------------------------------------------------------------------ constants, frames
    def set_constant(self, *, size: Sequence[float] | None = None,
                     tint: Sequence[float] | None = None, rotation: float | None = None,
                     frame: float | None = None) -> None:
        """Change batch constants (set-up time: refills whole blocks; allocates).

        Raises:
            ValueError: a constant of the wrong length or not finite.
        """
        for b, value, width, what in ((SIZE, size, 2, "size"), (TINT, tint, 4, "tint"),
                                      (ROT, rotation, 1, "rotation"),
                                      (FRAME, frame, 1, "frame")):
            if value is None:
                continue
            self._st.set_constant(b, const_values(value, width, what))

    def set_frames(self, frame_uvs: Any) -> None:
        """Set the frame table: (F, 4) uv rects; None = one rect over the whole texture.

        Raises:
            ValueError: not (F, 4) with 1 <= F <= MAX_FRAMES, or not finite.
        """
        self._gl.set_frames(frame_uvs)

    @property
    def frame_count(self) -> int:
        """Frames in the frame table."""
        return self._gl.frame_count

    @property
    def blend(self) -> Blend:
        """The blend mode of the draw."""
        return self._gl.blend

    @property
    def texture(self) -> moderngl.Texture | None:
        """The sampled texture (the atlas), bound at draw; may be replaced."""
        return self._gl.texture

    @texture.setter
    def texture(self, value: moderngl.Texture | None) -> None:
        self._gl.texture = value

    # ------------------------------------------------------------------ per frame: packing
    def begin(self) -> None:
        """Start a frame: no instances packed yet. Allocates nothing."""
        self.count = 0
        self.truncated_frame = 0
        self.gfx.render_stats.instances[self.name] = 0

    def pack_range(self, n: int, pos: np.ndarray, prev_pos: np.ndarray | None = None,
                   alpha: float = 1.0, *, frame: np.ndarray | None = None,
                   tint: np.ndarray | None = None, size: np.ndarray | None = None,
                   scale: np.ndarray | None = None, rotation: np.ndarray | None = None) -> int:
        """Append rows ``[0, n)`` of the given columns; returns the rows packed.

        Args:
            n: rows to pack (the source's live count).
            pos: (N, 2) current positions (N >= n).
            prev_pos: (N, 2) positions at the previous tick; with it, the packed position is
                ``prev + (pos - prev) * alpha``. None: ``pos`` as is.
            alpha: interpolation fraction in [0, 1] (the scheduler's overstep fraction).
            frame: (N,) animation frames (any numeric dtype); None: the batch constant.
            tint: (N, 4) rgba; None: the batch constant.
            size: (N, 2) world sizes; None: the batch constant (or ``scale`` times it).
            scale: (N,) multiplier of the constant size (ignored when ``size`` is given).
            rotation: (N,) radians; None: the batch constant.

        Returns:
            Rows packed (fewer than n only under the CLAMP policy).

        Allocates nothing after warm-up with float32 columns (see the module docstring).

        Raises:
            ValueError: a column of the wrong shape or shorter than n, or n < 0.
        """
        if n < 0:
            raise ValueError(f"batch {self.name!r}: expected n >= 0 rows, got {n}")
        if pos.ndim != 2 or pos.shape[1] != 2 or pos.shape[0] < n:
            raise ValueError(f"batch {self.name!r}: expected pos of shape ({n}, 2) or longer, "
                             f"got {pos.shape}")
        start, k = self._reserve(n)
        end = start + k
        if k == 0:
            return 0
        st = self._st
        dst = self.pos[start:end]
        if prev_pos is None or alpha >= 1.0:
            np.copyto(dst, pos[:k], casting="unsafe")
        else:
            if prev_pos.shape[1:] != (2,) or prev_pos.shape[0] < k:
                raise ValueError(f"batch {self.name!r}: expected prev_pos of shape ({n}, 2) "
                                 f"or longer, got {prev_pos.shape}")
            st.alpha[()] = alpha
            p = st.f32_rows(pos, k, 0)
            q = st.f32_rows(prev_pos, k, 1)
            np.subtract(p, q, out=dst)
            np.multiply(dst, st.alpha, out=dst)
            np.add(dst, q, out=dst)
        st.written(POS, start, end)
        st.columns_range(start, k, frame, tint, size, scale, rotation)
        return k

    def pack_rows(self, rows: np.ndarray, pos: np.ndarray, prev_pos: np.ndarray | None = None,
                  alpha: float = 1.0, *, frame: np.ndarray | None = None,
                  tint: np.ndarray | None = None, size: np.ndarray | None = None,
                  scale: np.ndarray | None = None, rotation: np.ndarray | None = None) -> int:
        """Append the rows listed in ``rows`` (int64 indices) of the given columns.

        Same columns and meaning as ``pack_range``; each column is gathered with
        ``take(rows, out=staging block, mode='clip')`` (indices are trusted: out-of-range rows
        are clipped, not checked). Returns the rows packed.

        Allocates nothing after warm-up with float32 columns and int64 ``rows``.

        Raises:
            ValueError: a column of the wrong shape, or ``rows`` not 1-D.
        """
        if rows.ndim != 1:
            raise ValueError(f"batch {self.name!r}: expected a 1-D row list, got shape "
                             f"{rows.shape}")
        if pos.ndim != 2 or pos.shape[1] != 2:
            raise ValueError(f"batch {self.name!r}: expected pos of shape (N, 2), got "
                             f"{pos.shape}")
        start, k = self._reserve(rows.shape[0])
        if k == 0:
            return 0
        if k < rows.shape[0]:
            rows = rows[:k]
        end = start + k
        st = self._st
        st.gather(POS, pos, rows, start, k, 2, "pos")
        if prev_pos is not None and alpha < 1.0:
            if prev_pos.ndim != 2 or prev_pos.shape[1] != 2:
                raise ValueError(f"batch {self.name!r}: expected prev_pos of shape (N, 2), "
                                 f"got {prev_pos.shape}")
            q = st.gather_f32(prev_pos, rows, k, 4)
            st.alpha[()] = alpha
            st.interp_into(self.pos[start:end], q)
        st.columns_rows(rows, start, k, frame, tint, size, scale, rotation)
        return k

    def pack_selected(self, column: np.ndarray, value: int, n: int, pos: np.ndarray,
                      prev_pos: np.ndarray | None = None, alpha: float = 1.0,
                      **columns: np.ndarray | None) -> int:
        """Append the rows of ``[0, n)`` whose ``column`` equals ``value``.

        Uses a batch-owned ``RowGrouper`` for the one value (several batches over one store are
        cheaper with one shared ``RowGrouper.group`` and ``pack_rows``, as ``Renderer`` does).
        Keyword columns as in ``pack_range``. Returns the rows packed.

        Allocates nothing after warm-up (the grouper is made on the first call, or again when
        the value changes).

        Raises:
            ValueError, TypeError: as ``RowGrouper.group`` and ``pack_rows``.
        """
        sel = self._selector
        if sel is None or self._selector_value != value:
            sel = RowGrouper([value], max(n, 1))
            self._selector = sel
            self._selector_value = value
        sel.group(column, n)
        return self.pack_rows(sel.rows_of(0), pos, prev_pos, alpha, **columns)

    def reserve(self, n: int) -> tuple[int, int]:
        """Append ``n`` rows to be written by the caller straight into the blocks.

        For custom packers (bosses: a few rows written from Python values). Every block of the
        reserved rows is marked per-instance: write all of ``pos``, ``size``, ``rot``,
        ``frame``, ``tint`` for them. Returns ``(start, rows granted)``.

        Allocates nothing after warm-up.
        """
        start, k = self._reserve(n)
        st = self._st
        for b in range(len(BLOCKS)):
            st.written(b, start, start + k)
        return start, k

    # ------------------------------------------------------------------ per frame: GPU
    def upload(self) -> int:
        """Write the rows packed this frame into the VBO, in place; returns the bytes written.

        Only the blocks written this frame are uploaded, and only their written rows; after a
        growth or ``set_constant`` the whole staging array is written once. Allocates nothing
        after warm-up (a transient view per block written).
        """
        written = self._st.upload(self.vbo)
        self.upload_bytes = written
        rs = self.gfx.render_stats
        rs.upload_bytes += written
        rs.upload_bytes_total += written
        return written

    def draw(self, camera_matrix: np.ndarray) -> bool:
        """One instanced draw of the ``count`` packed instances; nothing when empty.

        Args:
            camera_matrix: float32 (4, 4) world -> clip (``Camera2D.matrix``).

        Returns:
            True when a draw call was issued.

        Follows hot reload: when the library's program for this batch changed, the vertex
        array is rebuilt first (allocates, once per reload). Otherwise allocates nothing.
        """
        self.gfx.render_stats.instances[self.name] = self.count
        if self.count == 0:
            return False
        self._gl.draw(self.count, camera_matrix, self.vbo, self._st.offsets)
        return True

    def release(self) -> None:
        """Release the VBO and vertex array and forget the stats keys (safe twice)."""
        if self._released:
            return
        self._released = True
        gfx = self.gfx
        self._gl.drop_vertex_array()
        gfx.release(self.vbo)
        gfx.render_stats.unregister_batch(self.name)

    def __repr__(self) -> str:
        return (f"InstanceBatch({self.name!r}, count={self.count}, capacity={self.capacity}, "
                f"policy={self.policy.value}, growths={self.growths})")
