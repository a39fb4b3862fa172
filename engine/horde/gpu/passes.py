"""HordeCompute: the enemy horde's movement and separation as GL 4.3 compute passes.

State lives in storage buffers, one array per quantity (SoA), ``capacity`` rows each:
``pos``, ``prev_pos``, ``sep`` (vec2), ``speed``, ``radius`` (float); the grid's ``cell``,
``rank`` (uint per enemy), ``count`` (uint per cell), ``start`` (uint per cell + 1), and
``sorted`` (vec4 per enemy: x, y, radius, row bits) plus ``kept`` (uint per enemy: how many
neighbours its push summed).

One tick is five dispatches (``shaders/horde_*.comp``), each followed by a storage barrier:

1. ``seek``: prev_pos = pos; seek the player at per-enemy speed plus last tick's ``sep``;
   integrate; clamp to the arena (the rules of ``engine.combat.systems.movement``).
2. ``count``: each enemy's cell, ``rank = atomicAdd(count[cell], 1)``.
3. ``scan``: exclusive prefix sum of the counts into ``start``, in a single workgroup (each
   of 1024 invocations sums a chunk of cells, Hillis-Steele over the 1024 partial sums in
   shared memory): the grid has far fewer cells than the horde has enemies, so one dispatch
   with no intermediate buffers is simpler and cheaper than a multi-pass Blelloch scan. It
   zeroes the counts for the next tick.
4. ``scatter``: ``sorted[start[cell] + rank] = (pos, radius, row)``: a counting sort.
5. ``separate``: each enemy sums pushes from its neighbours in the cells its reach touches
   (exact: every pair closer than the sum of radii is seen), capped to the ``cap`` nearest
   (ties by row), summed in fixed point: the result does not depend on the order atomics
   gave the rows of a cell. ``kept`` (diagnostic) gets each enemy's neighbour count, capped.

The neighbour pass is exact for any cell size: each enemy visits every cell its reach
(its radius plus the largest radius) touches, row by row. Nothing here knows the combat
World; ``engine.horde.gpu.horde`` wires it in.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import moderngl
import numpy as np

from engine.render import DEFAULT_SHADER_DIR, GraphicsContext

__all__ = ["HordeCompute", "ComputeUnavailableError", "load_compute_source", "PASSES",
           "MAX_CAP", "MIN_GL_VERSION"]

MIN_GL_VERSION = 430
"""Compute shaders and storage buffers are core in OpenGL 4.3."""
MAX_CAP = 32
"""The largest neighbour cap: the kept neighbours are a per-invocation list in registers."""
PASSES = ("seek", "count", "scan", "scatter", "separate")
"""The passes of one tick, in dispatch order (``horde_<name>.comp``, grid passes ``grid_``)."""
_FILES = {"seek": "horde_seek", "count": "horde_grid_count", "scan": "horde_grid_scan",
          "scatter": "horde_grid_scatter", "separate": "horde_separate"}
_GROUP = {"seek": 256, "count": 256, "scatter": 256, "separate": 128}
_MAX_GROUPS = 65535
_MAX_CELLS = 1 << 24  # the scan is one workgroup: 16k cells per invocation at most
# binding point -> buffer name (the layout(binding = N) of the shaders)
_BINDINGS = ("pos", "prev_pos", "sep", "speed", "radius", "cell", "rank", "count", "start",
             "sorted", "kept")


class ComputeUnavailableError(RuntimeError):
    """The GL context is older than 4.3: no compute shaders (use the CPU path)."""


def load_compute_source(name: str, directory: str | os.PathLike[str] = DEFAULT_SHADER_DIR
                        ) -> str:
    """The text of ``<directory>/<name>.comp``.

    Raises:
        FileNotFoundError: the file does not exist (the message names it).
    """
    path = Path(directory) / f"{name}.comp"
    try:
        return path.read_text()
    except FileNotFoundError:
        raise FileNotFoundError(f"compute shader {name!r}: file {str(path)!r} not found "
                                f"(expected {name}.comp in {str(directory)!r})") from None


class HordeCompute:
    """The horde's GPU state and passes over one GL context.

    Attributes:
        capacity: rows of every per-enemy buffer.
        count: live rows (``[0, count)``), set by :meth:`set_count`.
        buffers: name -> moderngl.Buffer (names of the module docstring).
        grid_min: ``(2,)`` float32 low corner of the grid; grid_dim: (columns, rows);
        cell_size: the grid's cell size.
        cap: the neighbour cap of the separation pass; strength: its stiffness (1/s).
    """

    def __init__(self, gfx: GraphicsContext, capacity: int, arena_min: Any, arena_max: Any, *,
                 max_radius: float, cap: int = 8, strength: float = 30.0,
                 max_push_factor: float = 1.5, cell_size: float | None = None,
                 shader_dir: str | os.PathLike[str] = DEFAULT_SHADER_DIR) -> None:
        """Allocate every buffer for ``capacity`` enemies and compile the passes.

        Raises:
            ComputeUnavailableError: the context is older than GL 4.3.
            ValueError: capacity not in [1, 65535 * 128], cap not in [1, MAX_CAP], a
                non-positive max_radius, or an empty arena.
            FileNotFoundError: a shader file is missing (named).
            moderngl.Error: a shader failed to compile (the driver's log).
        """
        ctx = gfx.ctx
        if ctx.version_code < MIN_GL_VERSION:
            raise ComputeUnavailableError(f"the GPU horde needs OpenGL >= 4.3 (compute shaders),"
                                          f" this context is {ctx.version_code}")
        capacity = int(capacity)
        if not 1 <= capacity <= _MAX_GROUPS * 128:
            raise ValueError(f"capacity must be in [1, {_MAX_GROUPS * 128}], got {capacity}")
        if not 1 <= int(cap) <= MAX_CAP:
            raise ValueError(f"cap must be in [1, {MAX_CAP}], got {cap}")
        if not max_radius > 0:
            raise ValueError(f"max_radius must be > 0, got {max_radius}")
        lo = np.asarray(arena_min, np.float32).reshape(2)
        hi = np.asarray(arena_max, np.float32).reshape(2)
        if not (hi > lo).all():
            raise ValueError(f"arena_max must exceed arena_min, got {lo} and {hi}")
        self.gfx = gfx
        self.ctx = ctx
        self.capacity = capacity
        self.count = 0
        self.cap = int(cap)
        self.strength = float(strength)
        self.max_push_factor = float(max_push_factor)
        # The arena plus one cell. Any cell size is exact (the neighbour pass visits every cell
        # its reach touches); small cells test fewer candidates, but make the scan longer.
        self.max_radius = float(max_radius)
        self.cell_size = cs = float(cell_size) if cell_size is not None else self.max_radius
        if not cs > 0:
            raise ValueError(f"cell_size must be > 0, got {cell_size}")
        self.grid_min = (lo - np.float32(cs)).astype(np.float32)
        span = (hi - lo) + np.float32(2 * cs)
        self.grid_dim = (int(np.ceil(span[0] / cs)), int(np.ceil(span[1] / cs)))
        self.cells = self.grid_dim[0] * self.grid_dim[1]
        if self.cells > _MAX_CELLS:
            raise ValueError(f"a grid of {self.grid_dim[0]} x {self.grid_dim[1]} cells is over "
                             f"{_MAX_CELLS}: expected a larger cell_size than {cs}")
        self.arena_min = lo
        self.arena_max = hi
        per_row = {"pos": 8, "prev_pos": 8, "sep": 8, "speed": 4, "radius": 4, "cell": 4,
                   "rank": 4, "sorted": 16, "kept": 4}
        self.buffers: dict[str, moderngl.Buffer] = {
            name: gfx.buffer(reserve=size * capacity) for name, size in per_row.items()}
        self.buffers["count"] = gfx.buffer(reserve=4 * self.cells)
        self.buffers["start"] = gfx.buffer(reserve=4 * (self.cells + 1))
        self.buffers["count"].clear()  # pass 2 adds to it; the scan zeroes it after that
        self._bound = tuple(self.buffers[name] for name in _BINDINGS)
        self.programs: dict[str, moderngl.ComputeShader] = {}
        try:
            for name in PASSES:
                source = load_compute_source(_FILES[name], shader_dir)
                if name == "separate":  # the cap sizes register arrays: a compile-time constant
                    source = source.replace("#define CAP 8", f"#define CAP {self.cap}", 1)
                self.programs[name] = ctx.compute_shader(source)
        except Exception:
            self.release()
            raise
        self._uniforms = {(p, u): prog[u] for p, prog in self.programs.items()
                          for u in prog if isinstance(prog[u], moderngl.Uniform)}
        self._set_static_uniforms()

    def _u(self, program: str, name: str) -> Any:
        return self._uniforms[(program, name)]

    def _set_static_uniforms(self) -> None:
        for prog in ("count", "separate"):
            self._u(prog, "u_grid_min").value = tuple(float(v) for v in self.grid_min)
            self._u(prog, "u_inv_cell").value = 1.0 / self.cell_size
            self._u(prog, "u_grid_dim").value = self.grid_dim
        self._u("seek", "u_arena_min").value = tuple(float(v) for v in self.arena_min)
        self._u("seek", "u_arena_max").value = tuple(float(v) for v in self.arena_max)
        self._u("scan", "u_cells").value = self.cells
        self._u("separate", "u_strength").value = self.strength
        self._u("separate", "u_max_radius").value = self.max_radius
        # Fixed-point push units: the largest sum (cap pairs of at most 2 r_max each) in 2**30.
        bound = self.cap * 2.0 * self.max_radius
        self._u("separate", "u_scale").value = 2.0 ** np.floor(np.log2(2.0**30 / bound))

    # ------------------------------------------------------------------ state
    def set_count(self, n: int) -> None:
        """Make rows ``[0, n)`` the live ones (their data is whatever the buffers hold).

        Allocation contract: transient objects only (four uniform writes when n changes).

        Raises:
            ValueError: n outside [0, capacity].
        """
        if not 0 <= n <= self.capacity:
            raise ValueError(f"count must be in [0, {self.capacity}], got {n}")
        if n != self.count:
            self.count = n
            for prog in ("seek", "count", "scatter", "separate"):
                self._u(prog, "u_count").value = n

    def write_rows(self, start: int, pos: np.ndarray, speed: np.ndarray,
                   radius: np.ndarray, sep: np.ndarray | None = None) -> None:
        """Write rows ``[start, start + len(pos))`` in place (spawns); ``sep`` zero if None.

        Allocation contract: allocates no array data when ``sep`` is given (moderngl reads the
        arrays through the buffer protocol); with ``sep=None`` it clears the rows' sep.
        """
        k = pos.shape[0]
        if k == 0:
            return
        if start < 0 or start + k > self.capacity:
            raise ValueError(f"rows [{start}, {start + k}) outside [0, {self.capacity})")
        b = self.buffers
        b["pos"].write(pos, offset=8 * start)
        b["prev_pos"].write(pos, offset=8 * start)
        b["speed"].write(speed, offset=4 * start)
        b["radius"].write(radius, offset=4 * start)
        if sep is None:
            b["sep"].clear(size=8 * k, offset=8 * start)
        else:
            b["sep"].write(sep, offset=8 * start)

    # ------------------------------------------------------------------ passes
    def bind(self) -> None:
        """Bind every buffer to its storage binding point (other GL users may rebind them).

        Allocation contract: allocates nothing."""
        for i, buf in enumerate(self._bound):
            buf.bind_to_storage_buffer(i)

    def _dispatch(self, name: str) -> None:
        n = self.count
        if name == "scan":
            self.programs[name].run(1)
        else:
            g = _GROUP[name]
            self.programs[name].run((n + g - 1) // g)
        self.ctx.memory_barrier()

    def seek(self, dt: float, player: tuple[float, float], player_radius: float) -> None:
        """Pass 1: seek + integrate + clamp. Allocation contract: transient objects only."""
        u = self._u
        u("seek", "u_dt").value = dt
        u("seek", "u_max_step").value = self.max_push_factor * dt
        u("seek", "u_player").value = player
        u("seek", "u_player_radius").value = player_radius
        if self.count:
            self._dispatch("seek")

    def build_grid(self) -> None:
        """Passes 2-4: the counting sort. Allocation contract: transient objects only."""
        if self.count:
            self._dispatch("count")
            self._dispatch("scan")
            self._dispatch("scatter")

    def separate(self) -> None:
        """Pass 5: capped separation into ``sep``. Allocation contract: transient objects only."""
        if self.count:
            self._dispatch("separate")

    # ------------------------------------------------------------------ readback
    def read_into(self, name: str, out: np.ndarray, rows: int | None = None) -> int:
        """Read the first ``rows`` rows (default ``count``) of buffer ``name`` into ``out``.

        Returns the bytes read. Allocation contract: allocates no array data (``out`` is
        written through the buffer protocol).

        Raises:
            ValueError: ``out`` is smaller than the rows asked for.
        """
        n = self.count if rows is None else rows
        buf = self.buffers[name]
        per_row = buf.size // (self.cells + 1 if name == "start" else
                               self.cells if name == "count" else self.capacity)
        size = per_row * n
        if out.nbytes < size:
            raise ValueError(f"out has {out.nbytes} bytes, reading {n} rows of {name!r} needs "
                             f"{size}")
        if size:
            buf.read_into(out, size=size)
        return size

    def release(self) -> None:
        """Release the programs and buffers (idempotent)."""
        for prog in self.programs.values():
            prog.release()
        self.programs.clear()
        for buf in self.buffers.values():
            self.gfx.release(buf)
        self.buffers.clear()
