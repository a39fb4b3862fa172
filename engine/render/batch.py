"""InstanceBatch: one instanced draw of up to ``capacity`` sprites, written in place every frame.

The moderngl counterpart of Godot's MultiMesh, for one enemy tier (or projectiles, particles,
bosses, or a prototype's boids):

* **Storage, made once.** One float32 staging array of ``capacity * STRIDE`` floats and one VBO of
  ``capacity * STRIDE * 4`` bytes. Inside both, the per-instance attributes are laid out in
  planar blocks (struct of arrays), not interleaved::

      pos   (capacity, 2)  world position of the sprite's center (interpolated)
      size  (capacity, 2)  world width, height (a negative width mirrors the sprite)
      rot   (capacity,)    rotation in radians, counter-clockwise
      frame (capacity,)    animation frame: index into the batch's frame table (uv rects)
      tint  (capacity, 4)  rgba multiplier

  Planar blocks make every numpy write contiguous (an interleaved (n, 10) layout made the
  interpolation 5x slower through 2-float strided rows), and let a block that holds the batch's
  constant (a per-tier tint, size, rotation) stay on the GPU untouched: per frame only the
  blocks written that frame are uploaded, and only their ``[0, count)`` rows. A typical enemy
  tier uploads 12 bytes per instance (pos + frame), not 40.

* **Per frame.** ``begin()``; one or more ``pack_range`` (rows ``[0, n)`` of columns) /
  ``pack_rows`` (a row list, e.g. from ``RowGrouper``) / ``pack_selected`` (rows where a column
  equals a value) calls that append at ``[count, count + n)``; ``upload()``; ``draw(matrix)``.
  Positions are interpolated ``prev + (pos - prev) * alpha`` with numpy ``out=`` calls straight
  into the staging block. ``upload`` writes with ``Buffer.write(view, offset)`` in place: no
  orphaning, no reallocation, no copy on the Python side. ``draw`` issues one instanced draw of
  ``count`` instances through the GraphicsContext, or nothing when the batch is empty.

* **Capacity policy** (``GrowthPolicy``), never silent:
  ``GROW`` (default) doubles the capacity until the frame fits: a new staging array (rows
  already packed this frame are copied), a new VBO of exactly ``capacity * STRIDE * 4`` bytes
  (the old one is released), a new vertex array; counted in ``growths`` and in
  ``RenderStats.reallocations`` / ``batch_reallocations``.
  ``CLAMP`` keeps the capacity: the first ``capacity`` instances are drawn and the rest are
  counted in ``truncated_frame``, ``truncated_total`` and ``RenderStats.truncated``.

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

import enum
from collections.abc import Sequence
from typing import Any

import moderngl
import numpy as np

from .gl import GraphicsContext
from .select import RowGrouper
from .shaders import ShaderLibrary

__all__ = ["InstanceBatch", "GrowthPolicy", "Blend", "BLOCKS", "STRIDE", "MAX_FRAMES"]

BLOCKS: tuple[tuple[str, str, int], ...] = (
    ("pos", "a_pos", 2),
    ("size", "a_size", 2),
    ("rot", "a_rot", 1),
    ("frame", "a_frame", 1),
    ("tint", "a_tint", 4),
)
"""(block name, vertex attribute name, floats per instance), in buffer order."""

STRIDE = sum(width for _, _, width in BLOCKS)
"""Floats per instance (10): the staging array is ``capacity * STRIDE`` float32."""

MAX_FRAMES = 128
"""Size of the shaders' ``u_frames`` uv-rect table (frames one batch can address)."""

_POS, _SIZE, _ROT, _FRAME, _TINT = range(5)


class GrowthPolicy(str, enum.Enum):
    """What a batch does when a frame has more instances than its capacity."""

    GROW = "grow"
    """Double capacity (staging + VBO recreated), counted as a reallocation."""
    CLAMP = "clamp"
    """Draw the first ``capacity`` instances, count the rest as truncated."""

    @classmethod
    def parse(cls, value: GrowthPolicy | str) -> GrowthPolicy:
        """The policy for ``value`` (a member or its name, any case).

        Raises:
            ValueError: an unknown policy.
        """
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).lower())
        except ValueError:
            raise ValueError(f"expected a growth policy in {[p.value for p in cls]}, "
                             f"got {value!r}") from None


class Blend(str, enum.Enum):
    """Blend mode of a batch's draw."""

    ALPHA = "alpha"
    """Straight alpha: src * a + dst * (1 - a)."""
    ADDITIVE = "additive"
    """Additive: src * a + dst (particles, glows)."""
    NONE = "none"
    """Opaque, no blending."""


_BLEND_FUNCS = {
    Blend.ALPHA: (moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA),
    Blend.ADDITIVE: (moderngl.SRC_ALPHA, moderngl.ONE),
}


def _const(values: Sequence[float] | float, width: int, what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float32).reshape(-1)
    if arr.size != width or not np.all(np.isfinite(arr)):
        raise ValueError(f"expected {width} finite number(s) for {what}, got {values!r}")
    return arr.copy()


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
        self.shaders = shaders
        self.program_name = program
        self.texture = texture
        self.texture_unit = int(texture_unit)
        self._unit_i32 = np.array(self.texture_unit, dtype=np.int32)
        self.policy = GrowthPolicy.parse(policy)
        try:
            self.blend = Blend(blend)
        except ValueError:
            raise ValueError(f"expected a blend mode in {[b.value for b in Blend]}, "
                             f"got {blend!r}") from None
        self._blend_func = _BLEND_FUNCS.get(self.blend)
        self._consts: list[np.ndarray | None] = [
            None,
            _const(size, 2, "size"),
            _const(rotation, 1, "rotation"),
            _const(frame, 1, "frame"),
            _const(tint, 4, "tint"),
        ]
        self._frame_table = np.zeros((MAX_FRAMES, 4), dtype=np.float32)
        self.set_frames(frame_uvs)
        self._alpha = np.zeros((), dtype=np.float32)
        self._scratch: dict[tuple[Any, ...], np.ndarray] = {}
        self._selector: RowGrouper | None = None
        self._selector_value: int | None = None
        self.count = 0
        self.growths = 0
        self.truncated_frame = 0
        self.truncated_total = 0
        self.upload_bytes = 0
        self._vao: moderngl.VertexArray | None = None
        self._vao_program: moderngl.Program | None = None
        self._u_proj: Any = None
        self._u_frames: Any = None
        self._u_frame_count: Any = None
        self._u_atlas: Any = None
        self._frames_view = self._frame_table
        self._released = False
        self.capacity = int(capacity)
        self.gfx.render_stats.register_batch(name, self.capacity)
        self._make_storage(self.capacity, keep_rows=0)
        self.vbo = gfx.buffer(reserve=self.capacity * STRIDE * 4)
        self._full_upload = True
        # Load now: a missing or broken shader is reported at set-up, not mid-frame.
        self._build_vao(shaders.get(program))

    # ------------------------------------------------------------------ storage
    @property
    def stride_bytes(self) -> int:
        """Bytes per instance in the VBO (``STRIDE * 4``)."""
        return STRIDE * 4

    def _make_storage(self, capacity: int, keep_rows: int) -> None:
        old = getattr(self, "_blocks", None)
        staging = np.zeros(capacity * STRIDE, dtype=np.float32)
        blocks: list[np.ndarray] = []
        offsets: list[int] = []
        at = 0
        for _, _, width in BLOCKS:
            flat = staging[at:at + capacity * width]
            blocks.append(flat.reshape(capacity, width) if width > 1 else flat)
            offsets.append(at * 4)
            at += capacity * width
        for b, const in enumerate(self._consts):
            if const is not None:
                blocks[b][...] = const if const.size > 1 else const[0]
        if old is not None and keep_rows:
            for b in range(len(BLOCKS)):
                blocks[b][:keep_rows] = old[b][:keep_rows]
        self.staging = staging
        self._blocks = blocks
        self._offsets = offsets
        self.pos, self.size, self.rot, self.frame, self.tint = blocks
        prev_hw = getattr(self, "_nonconst_hw", None)
        # Rows [0, hw) of a block may hold per-instance data; rows >= hw hold the constant.
        self._nonconst_hw = [min(h, keep_rows) for h in prev_hw] if prev_hw else [0] * 5
        self._up_lo = [0] * 5
        self._up_hi = [0] * 5
        self._scratch.clear()

    def _grow(self, needed: int) -> None:
        cap = self.capacity
        while cap < needed:
            cap *= 2
        self._make_storage(cap, keep_rows=self.count)
        gfx = self.gfx
        gfx.release(self.vbo)
        if self._vao is not None:
            gfx.release(self._vao)
            self._vao = None
        self.vbo = gfx.buffer(reserve=cap * STRIDE * 4)
        self._vao_program = None  # rebuilt at the next draw: the block offsets moved
        self._full_upload = True
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

    def _written(self, b: int, start: int, end: int) -> None:
        if end <= start:
            return
        if self._up_hi[b] <= self._up_lo[b]:
            self._up_lo[b] = start
            self._up_hi[b] = end
        else:
            if start < self._up_lo[b]:
                self._up_lo[b] = start
            if end > self._up_hi[b]:
                self._up_hi[b] = end
        if b != _POS and end > self._nonconst_hw[b]:
            self._nonconst_hw[b] = end

    def _constant(self, b: int, start: int, end: int) -> None:
        """Rows [start, end) of block b take the constant: refill only what is not constant."""
        hw = self._nonconst_hw[b]
        if start >= hw:
            return
        hi = end if end < hw else hw
        const = self._consts[b]
        assert const is not None
        self._blocks[b][start:hi] = const if const.size > 1 else const[0]
        if self._up_hi[b] <= self._up_lo[b]:
            self._up_lo[b] = start
            self._up_hi[b] = hi
        else:
            if start < self._up_lo[b]:
                self._up_lo[b] = start
            if hi > self._up_hi[b]:
                self._up_hi[b] = hi
        if end >= hw:
            self._nonconst_hw[b] = start

    def _scratch_for(self, dtype: np.dtype, tail: tuple[int, ...], slot: int = 0) -> np.ndarray:
        key = (dtype, tail, slot)
        arr = self._scratch.get(key)
        if arr is None or arr.shape[0] < self.capacity:
            arr = np.empty((self.capacity, *tail), dtype=dtype)
            self._scratch[key] = arr
        return arr

    # ------------------------------------------------------------------ constants, frames
    @property
    def _size_const(self) -> np.ndarray:
        const = self._consts[_SIZE]
        assert const is not None  # every block but pos has a constant
        return const

    def set_constant(self, *, size: Sequence[float] | None = None,
                     tint: Sequence[float] | None = None, rotation: float | None = None,
                     frame: float | None = None) -> None:
        """Change batch constants (set-up time: refills whole blocks; allocates).

        Raises:
            ValueError: a constant of the wrong length or not finite.
        """
        for b, value, width, what in ((_SIZE, size, 2, "size"), (_TINT, tint, 4, "tint"),
                                      (_ROT, rotation, 1, "rotation"),
                                      (_FRAME, frame, 1, "frame")):
            if value is None:
                continue
            const = _const(value, width, what)
            self._consts[b] = const
            self._blocks[b][...] = const if width > 1 else const[0]
            self._nonconst_hw[b] = 0
            self._full_upload = True

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

    # ------------------------------------------------------------------ per frame: packing
    def begin(self) -> None:
        """Start a frame: no instances packed yet. Allocates nothing."""
        self.count = 0
        self.truncated_frame = 0
        self.gfx.render_stats.instances[self.name] = 0

    def _interp_into(self, dst: np.ndarray, prev: np.ndarray) -> None:
        # dst holds pos; becomes prev + (pos - prev) * alpha, in place.
        np.subtract(dst, prev, out=dst)
        np.multiply(dst, self._alpha, out=dst)
        np.add(dst, prev, out=dst)

    def _copy_range(self, b: int, src: np.ndarray, start: int, k: int, width: int,
                    what: str) -> None:
        if src.shape[0] < k or (width > 1 and src.shape[1:] != (width,)) or \
                (width == 1 and src.ndim != 1):
            want = f"({k},)" if width == 1 else f"({k}, {width})"
            raise ValueError(f"batch {self.name!r}: expected {what} of shape {want} or longer, "
                             f"got {src.shape}")
        np.copyto(self._blocks[b][start:start + k], src[:k], casting="unsafe")
        self._written(b, start, start + k)

    def _f32_rows(self, src: np.ndarray, k: int, slot: int) -> np.ndarray:
        """``src[:k]`` as float32: a view when it already is, else converted into scratch."""
        if src.dtype == np.float32:
            return src[:k]
        tmp = self._scratch_for(np.dtype(np.float32), src.shape[1:], slot)[:k]
        np.copyto(tmp, src[:k], casting="unsafe")
        return tmp

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
        dst = self.pos[start:end]
        if prev_pos is None or alpha >= 1.0:
            np.copyto(dst, pos[:k], casting="unsafe")
        else:
            if prev_pos.shape[1:] != (2,) or prev_pos.shape[0] < k:
                raise ValueError(f"batch {self.name!r}: expected prev_pos of shape ({n}, 2) "
                                 f"or longer, got {prev_pos.shape}")
            self._alpha[()] = alpha
            p = self._f32_rows(pos, k, 0)
            q = self._f32_rows(prev_pos, k, 1)
            np.subtract(p, q, out=dst)
            np.multiply(dst, self._alpha, out=dst)
            np.add(dst, q, out=dst)
        self._written(_POS, start, end)
        self._pack_attrs_range(start, k, frame, tint, size, scale, rotation)
        return k

    def _pack_attrs_range(self, start: int, k: int, frame: np.ndarray | None,
                          tint: np.ndarray | None, size: np.ndarray | None,
                          scale: np.ndarray | None, rotation: np.ndarray | None) -> None:
        end = start + k
        if frame is None:
            self._constant(_FRAME, start, end)
        else:
            self._copy_range(_FRAME, frame, start, k, 1, "frame")
        if tint is None:
            self._constant(_TINT, start, end)
        else:
            self._copy_range(_TINT, tint, start, k, 4, "tint")
        if rotation is None:
            self._constant(_ROT, start, end)
        else:
            self._copy_range(_ROT, rotation, start, k, 1, "rotation")
        if size is not None:
            self._copy_range(_SIZE, size, start, k, 2, "size")
        elif scale is not None:
            if scale.ndim != 1 or scale.shape[0] < k:
                raise ValueError(f"batch {self.name!r}: expected scale of shape ({k},) or "
                                 f"longer, got {scale.shape}")
            self._scaled_size(self._f32_rows(scale, k, 2), start, end)
        else:
            self._constant(_SIZE, start, end)

    def _scaled_size(self, scale: np.ndarray, start: int, end: int) -> None:
        # One 1-D multiply per component: a broadcast (k, 1) * (2,) made numpy buffer its
        # iteration (~8 KB temporary).
        const = self._size_const
        size = self.size
        np.multiply(scale, const[0, ...], out=size[start:end, 0])
        np.multiply(scale, const[1, ...], out=size[start:end, 1])
        self._written(_SIZE, start, end)

    def _gather(self, b: int, src: np.ndarray, rows: np.ndarray, start: int, k: int,
                width: int, what: str) -> None:
        if (width > 1 and (src.ndim != 2 or src.shape[1] != width)) or \
                (width == 1 and src.ndim != 1):
            want = "(N,)" if width == 1 else f"(N, {width})"
            raise ValueError(f"batch {self.name!r}: expected {what} of shape {want}, "
                             f"got {src.shape}")
        dst = self._blocks[b][start:start + k]
        if src.dtype == np.float32:
            src.take(rows, axis=0, out=dst, mode="clip")
        else:
            tmp = self._scratch_for(src.dtype, src.shape[1:], 3)[:k]
            src.take(rows, axis=0, out=tmp, mode="clip")
            np.copyto(dst, tmp, casting="unsafe")
        self._written(b, start, start + k)

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
        self._gather(_POS, pos, rows, start, k, 2, "pos")
        if prev_pos is not None and alpha < 1.0:
            if prev_pos.ndim != 2 or prev_pos.shape[1] != 2:
                raise ValueError(f"batch {self.name!r}: expected prev_pos of shape (N, 2), "
                                 f"got {prev_pos.shape}")
            q = self._scratch_for(np.dtype(np.float32), (2,), 4)[:k]
            if prev_pos.dtype == np.float32:
                prev_pos.take(rows, axis=0, out=q, mode="clip")
            else:
                tmp = self._scratch_for(prev_pos.dtype, (2,), 5)[:k]
                prev_pos.take(rows, axis=0, out=tmp, mode="clip")
                np.copyto(q, tmp, casting="unsafe")
            self._alpha[()] = alpha
            self._interp_into(self.pos[start:end], q)
        if frame is None:
            self._constant(_FRAME, start, end)
        else:
            self._gather(_FRAME, frame, rows, start, k, 1, "frame")
        if tint is None:
            self._constant(_TINT, start, end)
        else:
            self._gather(_TINT, tint, rows, start, k, 4, "tint")
        if rotation is None:
            self._constant(_ROT, start, end)
        else:
            self._gather(_ROT, rotation, rows, start, k, 1, "rotation")
        if size is not None:
            self._gather(_SIZE, size, rows, start, k, 2, "size")
        elif scale is not None:
            if scale.ndim != 1:
                raise ValueError(f"batch {self.name!r}: expected scale of shape (N,), got "
                                 f"{scale.shape}")
            s = self._scratch_for(np.dtype(np.float32), (), 6)[:k]
            if scale.dtype == np.float32:
                scale.take(rows, out=s, mode="clip")
            else:
                tmp = self._scratch_for(scale.dtype, (), 7)[:k]
                scale.take(rows, out=tmp, mode="clip")
                np.copyto(s, tmp, casting="unsafe")
            self._scaled_size(s, start, end)
        else:
            self._constant(_SIZE, start, end)
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
        for b in range(len(BLOCKS)):
            self._written(b, start, start + k)
        return start, k

    # ------------------------------------------------------------------ per frame: GPU
    def upload(self) -> int:
        """Write the rows packed this frame into the VBO, in place; returns the bytes written.

        Only the blocks written this frame are uploaded, and only their written rows; after a
        growth or ``set_constant`` the whole staging array is written once. Allocates nothing
        after warm-up (a transient view per block written).
        """
        vbo = self.vbo
        written = 0
        if self._full_upload:
            vbo.write(self.staging, 0)
            written = self.staging.nbytes
            self._full_upload = False
            for b in range(len(BLOCKS)):
                self._up_lo[b] = 0
                self._up_hi[b] = 0
        else:
            for b in range(len(BLOCKS)):
                lo = self._up_lo[b]
                hi = self._up_hi[b]
                if hi > lo:
                    block = self._blocks[b]
                    width = BLOCKS[b][2]
                    vbo.write(block[lo:hi], self._offsets[b] + lo * width * 4)
                    written += (hi - lo) * width * 4
                    self._up_lo[b] = 0
                    self._up_hi[b] = 0
        self.upload_bytes = written
        rs = self.gfx.render_stats
        rs.upload_bytes += written
        rs.upload_bytes_total += written
        return written

    def _build_vao(self, program: moderngl.Program) -> None:
        gfx = self.gfx
        if self._vao is not None:
            gfx.release(self._vao)
            self._vao = None
        # No per-vertex buffer: the shaders make the quad's corners from gl_VertexID.
        vao = gfx.vertex_array(program, [])
        for b, (_, attr_name, width) in enumerate(BLOCKS):
            attr = program.get(attr_name, None)
            if attr is None or not isinstance(attr, moderngl.Attribute):
                continue  # optimized out by the compiler, or absent from this shader
            vao.bind(attr.location, "f", self.vbo, f"{width}f", offset=self._offsets[b],
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
        program = self.shaders.get(self.program_name)
        if program is not self._vao_program:
            self._build_vao(program)
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
        self.gfx.draw(self._vao, instances=self.count, vertices=4,
                      mode=moderngl.TRIANGLE_STRIP)
        return True

    def release(self) -> None:
        """Release the VBO and vertex array and forget the stats keys (safe twice)."""
        if self._released:
            return
        self._released = True
        gfx = self.gfx
        if self._vao is not None:
            gfx.release(self._vao)
            self._vao = None
        gfx.release(self.vbo)
        gfx.render_stats.unregister_batch(self.name)

    def __repr__(self) -> str:
        return (f"InstanceBatch({self.name!r}, count={self.count}, capacity={self.capacity}, "
                f"policy={self.policy.value}, growths={self.growths})")
