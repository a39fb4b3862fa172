"""The CPU side of an ``InstanceBatch``: one float32 staging array in planar blocks.

Layout. One array of ``capacity * STRIDE`` floats holds the per-instance attributes as planar
blocks (struct of arrays), not interleaved, in ``BLOCKS`` order::

    pos   (capacity, 2)  world position of the sprite's center (interpolated)
    size  (capacity, 2)  world width, height (a negative width mirrors the sprite)
    rot   (capacity,)    rotation in radians, counter-clockwise
    frame (capacity,)    animation frame: index into the batch's frame table (uv rects)
    tint  (capacity, 4)  rgba multiplier

The VBO has the same layout, byte for byte. Planar blocks make every numpy write contiguous
(an interleaved (n, 10) layout made the interpolation 5x slower through 2-float strided rows),
and let a block that holds the batch's constant (a per-tier tint, size, rotation) stay on the
GPU untouched.

Dirty ranges. Each block keeps the row range written since the last upload (``upload`` writes
only those rows of only those blocks) and a high-water mark below which rows may hold
per-instance data: a pack call that gives no column for a block refills only rows under the
mark with the constant. A new constant or a new array (growth) makes the next upload whole.

Allocation contract: everything here but ``__init__``, ``make`` and ``set_constant`` allocates
no array data after warm-up, given float32 columns; a column of another dtype is converted
into scratch made on its first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["BLOCKS", "STRIDE", "MAX_FRAMES", "POS", "SIZE", "ROT", "FRAME", "TINT",
           "const_values", "Staging"]

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

POS, SIZE, ROT, FRAME, TINT = range(5)


def const_values(values: Sequence[float] | float, width: int, what: str) -> np.ndarray:
    """A block's constant as ``width`` finite float32s.

    Raises:
        ValueError: not ``width`` finite numbers.
    """
    arr = np.asarray(values, dtype=np.float32).reshape(-1)
    if arr.size != width or not np.all(np.isfinite(arr)):
        raise ValueError(f"expected {width} finite number(s) for {what}, got {values!r}")
    return arr.copy()


class Staging:
    """The planar staging array of one batch, its constants and dirty ranges.

    Attributes:
        staging: the float32 array (``capacity * STRIDE``).
        blocks: the five planar blocks (views of ``staging``), in ``BLOCKS`` order.
        offsets: byte offset of each block in ``staging`` (and in the VBO).
        consts: each block's constant (None for ``pos``, which has none).
        full_upload: the next upload writes the whole array.
    """

    def __init__(self, name: str, capacity: int, consts: list[np.ndarray | None]) -> None:
        self.name = name
        self.consts = consts
        self.alpha = np.zeros((), dtype=np.float32)
        self._scratch: dict[tuple[Any, ...], np.ndarray] = {}
        self.blocks: list[np.ndarray] = []
        self.nonconst_hw = [0] * len(BLOCKS)
        self.make(capacity, keep_rows=0)

    def make(self, capacity: int, keep_rows: int) -> None:
        """(Re)make the array for ``capacity`` rows, keeping rows ``[0, keep_rows)``."""
        old = self.blocks
        staging = np.zeros(capacity * STRIDE, dtype=np.float32)
        blocks: list[np.ndarray] = []
        offsets: list[int] = []
        at = 0
        for _, _, width in BLOCKS:
            flat = staging[at:at + capacity * width]
            blocks.append(flat.reshape(capacity, width) if width > 1 else flat)
            offsets.append(at * 4)
            at += capacity * width
        for b, const in enumerate(self.consts):
            if const is not None:
                blocks[b][...] = const if const.size > 1 else const[0]
        if old and keep_rows:
            for b in range(len(BLOCKS)):
                blocks[b][:keep_rows] = old[b][:keep_rows]
        self.capacity = capacity
        self.staging = staging
        self.blocks = blocks
        self.offsets = offsets
        # Rows [0, hw) of a block may hold per-instance data; rows >= hw hold the constant.
        self.nonconst_hw = [min(h, keep_rows) for h in self.nonconst_hw]
        self._up_lo = [0] * 5
        self._up_hi = [0] * 5
        self._scratch.clear()
        self.full_upload = True

    def written(self, b: int, start: int, end: int) -> None:
        """Rows [start, end) of block b were written with per-instance data."""
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
        if b != POS and end > self.nonconst_hw[b]:
            self.nonconst_hw[b] = end

    def constant(self, b: int, start: int, end: int) -> None:
        """Rows [start, end) of block b take the constant: refill only what is not constant."""
        hw = self.nonconst_hw[b]
        if start >= hw:
            return
        hi = end if end < hw else hw
        const = self.consts[b]
        assert const is not None
        self.blocks[b][start:hi] = const if const.size > 1 else const[0]
        if self._up_hi[b] <= self._up_lo[b]:
            self._up_lo[b] = start
            self._up_hi[b] = hi
        else:
            if start < self._up_lo[b]:
                self._up_lo[b] = start
            if hi > self._up_hi[b]:
                self._up_hi[b] = hi
        if end >= hw:
            self.nonconst_hw[b] = start

    def set_constant(self, b: int, const: np.ndarray) -> None:
        """A new constant for block b: the whole block takes it (set-up time; allocates)."""
        self.consts[b] = const
        self.blocks[b][...] = const if const.size > 1 else const[0]
        self.nonconst_hw[b] = 0
        self.full_upload = True

    def scratch_for(self, dtype: np.dtype, tail: tuple[int, ...], slot: int = 0) -> np.ndarray:
        """A ``(capacity, *tail)`` scratch array of dtype, made on first use per slot."""
        key = (dtype, tail, slot)
        arr = self._scratch.get(key)
        if arr is None or arr.shape[0] < self.capacity:
            arr = np.empty((self.capacity, *tail), dtype=dtype)
            self._scratch[key] = arr
        return arr

    def f32_rows(self, src: np.ndarray, k: int, slot: int) -> np.ndarray:
        """``src[:k]`` as float32: a view when it already is, else converted into scratch."""
        if src.dtype == np.float32:
            return src[:k]
        tmp = self.scratch_for(np.dtype(np.float32), src.shape[1:], slot)[:k]
        np.copyto(tmp, src[:k], casting="unsafe")
        return tmp

    def gather_f32(self, src: np.ndarray, rows: np.ndarray, k: int, slot: int) -> np.ndarray:
        """``src[rows]`` as float32 in scratch (slots ``slot`` and ``slot + 1``)."""
        out = self.scratch_for(np.dtype(np.float32), src.shape[1:], slot)[:k]
        if src.dtype == np.float32:
            src.take(rows, axis=0, out=out, mode="clip")
        else:
            tmp = self.scratch_for(src.dtype, src.shape[1:], slot + 1)[:k]
            src.take(rows, axis=0, out=tmp, mode="clip")
            np.copyto(out, tmp, casting="unsafe")
        return out

    def interp_into(self, dst: np.ndarray, prev: np.ndarray) -> None:
        """``dst`` holds pos; becomes ``prev + (pos - prev) * alpha``, in place."""
        np.subtract(dst, prev, out=dst)
        np.multiply(dst, self.alpha, out=dst)
        np.add(dst, prev, out=dst)

    def copy_range(self, b: int, src: np.ndarray, start: int, k: int, width: int,
                   what: str) -> None:
        """Rows ``[0, k)`` of ``src`` into block b at ``start``."""
        if src.shape[0] < k or (width > 1 and src.shape[1:] != (width,)) or \
                (width == 1 and src.ndim != 1):
            want = f"({k},)" if width == 1 else f"({k}, {width})"
            raise ValueError(f"batch {self.name!r}: expected {what} of shape {want} or longer, "
                             f"got {src.shape}")
        np.copyto(self.blocks[b][start:start + k], src[:k], casting="unsafe")
        self.written(b, start, start + k)

    def gather(self, b: int, src: np.ndarray, rows: np.ndarray, start: int, k: int,
               width: int, what: str) -> None:
        """``src[rows]`` into block b at ``start`` (``take`` with ``mode='clip'``)."""
        if (width > 1 and (src.ndim != 2 or src.shape[1] != width)) or \
                (width == 1 and src.ndim != 1):
            want = "(N,)" if width == 1 else f"(N, {width})"
            raise ValueError(f"batch {self.name!r}: expected {what} of shape {want}, "
                             f"got {src.shape}")
        dst = self.blocks[b][start:start + k]
        if src.dtype == np.float32:
            src.take(rows, axis=0, out=dst, mode="clip")
        else:
            tmp = self.scratch_for(src.dtype, src.shape[1:], 3)[:k]
            src.take(rows, axis=0, out=tmp, mode="clip")
            np.copyto(dst, tmp, casting="unsafe")
        self.written(b, start, start + k)

    def scaled_size(self, scale: np.ndarray, start: int, end: int) -> None:
        """Rows [start, end) of the size block = ``scale`` times the constant size."""
        # One 1-D multiply per component: a broadcast (k, 1) * (2,) made numpy buffer its
        # iteration (~8 KB temporary).
        const = self.consts[SIZE]
        assert const is not None  # every block but pos has a constant
        size = self.blocks[SIZE]
        np.multiply(scale, const[0, ...], out=size[start:end, 0])
        np.multiply(scale, const[1, ...], out=size[start:end, 1])
        self.written(SIZE, start, end)

    def columns_range(self, start: int, k: int, frame: np.ndarray | None,
                      tint: np.ndarray | None, size: np.ndarray | None,
                      scale: np.ndarray | None, rotation: np.ndarray | None) -> None:
        """Rows ``[0, k)`` of the given columns (a block's constant where None) at ``start``;
        ``scale`` multiplies the constant size where ``size`` is None."""
        end = start + k
        if frame is None:
            self.constant(FRAME, start, end)
        else:
            self.copy_range(FRAME, frame, start, k, 1, "frame")
        if tint is None:
            self.constant(TINT, start, end)
        else:
            self.copy_range(TINT, tint, start, k, 4, "tint")
        if rotation is None:
            self.constant(ROT, start, end)
        else:
            self.copy_range(ROT, rotation, start, k, 1, "rotation")
        if size is not None:
            self.copy_range(SIZE, size, start, k, 2, "size")
        elif scale is not None:
            if scale.ndim != 1 or scale.shape[0] < k:
                raise ValueError(f"batch {self.name!r}: expected scale of shape ({k},) or "
                                 f"longer, got {scale.shape}")
            self.scaled_size(self.f32_rows(scale, k, 2), start, end)
        else:
            self.constant(SIZE, start, end)

    def columns_rows(self, rows: np.ndarray, start: int, k: int, frame: np.ndarray | None,
                     tint: np.ndarray | None, size: np.ndarray | None,
                     scale: np.ndarray | None, rotation: np.ndarray | None) -> None:
        """``columns_range`` for the rows listed in ``rows`` (gathered)."""
        end = start + k
        if frame is None:
            self.constant(FRAME, start, end)
        else:
            self.gather(FRAME, frame, rows, start, k, 1, "frame")
        if tint is None:
            self.constant(TINT, start, end)
        else:
            self.gather(TINT, tint, rows, start, k, 4, "tint")
        if rotation is None:
            self.constant(ROT, start, end)
        else:
            self.gather(ROT, rotation, rows, start, k, 1, "rotation")
        if size is not None:
            self.gather(SIZE, size, rows, start, k, 2, "size")
        elif scale is not None:
            if scale.ndim != 1:
                raise ValueError(f"batch {self.name!r}: expected scale of shape (N,), got "
                                 f"{scale.shape}")
            self.scaled_size(self.gather_f32(scale, rows, k, 6), start, end)
        else:
            self.constant(SIZE, start, end)

    def upload(self, vbo: Any) -> int:
        """Write the dirty rows (or, once after ``make``/``set_constant``, everything) into
        ``vbo`` in place with ``Buffer.write(view, offset)``; return the bytes written."""
        written = 0
        if self.full_upload:
            vbo.write(self.staging, 0)
            written = self.staging.nbytes
            self.full_upload = False
            for b in range(len(BLOCKS)):
                self._up_lo[b] = 0
                self._up_hi[b] = 0
        else:
            for b in range(len(BLOCKS)):
                lo = self._up_lo[b]
                hi = self._up_hi[b]
                if hi > lo:
                    block = self.blocks[b]
                    width = BLOCKS[b][2]
                    vbo.write(block[lo:hi], self.offsets[b] + lo * width * 4)
                    written += (hi - lo) * width * 4
                    self._up_lo[b] = 0
                    self._up_hi[b] = 0
        return written
