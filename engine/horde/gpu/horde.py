"""GpuHorde: a combat World whose enemy movement and separation run as compute passes.

The World's systems run in their order, except that ``movement`` and ``separation`` are
replaced by five GPU-side systems (so a scheduler times each like any system):

* ``gpu_sync`` (before ``movement``): rows the CPU kit changed since the last tick (spawned,
  or moved by a flush: their store handle differs from the one last written) go to the GPU
  in place: one staging write and a patch dispatch, or a contiguous ``buffer.write(offset=)``
  for rows appended at the end. A changed row starts with no separation push for one tick.
  Game code that moves an existing enemy itself calls :meth:`GpuHorde.invalidate`.
* ``movement``: the seek pass (prev_pos kept on both sides).
* ``gpu_readback`` (right after it): positions read once per tick straight into the store's
  ``pos`` column, which every CPU system (contact, melee, projectiles, deaths) reads.
* ``gpu_grid`` and ``separation``: the counting-sort grid and the capped separation pass, on
  the GPU only (``sep`` never comes back); they run where the CPU ``separation`` ran.

With ``finish_each_pass`` (default) each GPU system waits for its work, so its wall time is
the pass's time; without it the grid and separation overlap the CPU kit until the next
readback. ``pass_ns`` holds the last tick's wall ns per system, ``readback_bytes`` and
``upload_bytes`` the last tick's traffic, ``buffer_bytes`` the GPU memory held.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import moderngl
import numpy as np

from engine.combat import World
from engine.render import GraphicsContext

from .passes import MIN_GL_VERSION, HordeCompute, load_compute_source

__all__ = ["GpuHorde", "GPU_SYSTEMS"]

GPU_SYSTEMS = ("gpu_sync", "movement", "gpu_readback", "gpu_grid", "separation")
"""The scheduler names of the GPU-side systems (``pass_ns`` is indexed in this order)."""

SystemFn = Callable[[float], None]


class _Scheduler(Protocol):
    def add(self, name: str, fn: SystemFn) -> Any: ...


class GpuHorde:
    """A World stepped with its horde on the GPU.

    Attributes:
        world: the World (its stores stay the truth for everything but ``sep``).
        compute: the HordeCompute holding the buffers and passes.
        pass_ns: int64 ``(len(GPU_SYSTEMS),)``: the last tick's wall ns of each GPU system.
        readback_bytes, upload_bytes: bytes read back / written in the last tick.

    The buffers are sized once, for the enemy store's capacity (the World's stores refuse
    spawns when full, they never grow).
    """

    def __init__(self, world: World, gfx: GraphicsContext, *, cap: int = 8,
                 finish_each_pass: bool = True) -> None:
        """Allocate the GPU state for the world's enemy capacity (the first tick uploads the
        enemies).

        Raises:
            ComputeUnavailableError: the context is older than GL 4.3 (use the CPU path).
        """
        self.world = world
        self.gfx = gfx
        self.cap = cap
        self.finish_each_pass = finish_each_pass
        self.pass_ns = np.zeros(len(GPU_SYSTEMS), np.int64)
        self.readback_bytes = 0
        self.upload_bytes = 0
        self._patch: moderngl.ComputeShader | None = gfx.ctx.compute_shader(
            load_compute_source("horde_patch"))
        self._u_patch = self._patch["u_rows"]
        self._alloc(world.enemies.capacity)
        ours = {"movement": self.move, "separation": self.separate}
        systems: list[tuple[str, SystemFn]] = []
        for name, fn in world.systems():
            if name == "movement":
                systems.append(("gpu_sync", self.sync))
            systems.append((name, ours.get(name, fn)))
            if name == "movement":
                systems.append(("gpu_readback", self.readback))
            if name == "separation":
                systems.insert(len(systems) - 1, ("gpu_grid", self.grid))
        self._systems = systems

    def _alloc(self, capacity: int) -> None:
        st = self.world.state
        sep = st.config.separation
        self.compute = HordeCompute(
            self.gfx, capacity, st.arena_min, st.arena_max, max_radius=st.tiers.max_radius,
            cap=self.cap, strength=sep.strength if sep.enabled else 0.0,
            max_push_factor=sep.max_push_factor)
        # Store handle of each GPU row as last written (-1: never): the change detector.
        self._handles = np.full(capacity, -1, np.int64)
        self._changed = np.zeros(capacity, np.bool_)
        self._iota = np.arange(capacity, dtype=np.int64)
        self._rows = np.zeros(capacity, np.int64)
        # Patch records: (x, y, speed, radius) + row, as the staging buffers' layout.
        self._stage = np.zeros((capacity, 4), np.float32)
        self._stage_rows = np.zeros(capacity, np.uint32)
        self._stage_buf = self.gfx.buffer(reserve=16 * capacity)
        self._stage_rows_buf = self.gfx.buffer(reserve=4 * capacity)

    @staticmethod
    def supported(gfx: GraphicsContext) -> bool:
        """True when the context has compute shaders (GL >= 4.3); else use the CPU path."""
        return bool(gfx.ctx.version_code >= MIN_GL_VERSION)

    def invalidate(self, start: int = 0, stop: int | None = None) -> None:
        """Make the next ``gpu_sync`` upload rows ``[start, stop)`` (default: all) again.

        For game code that writes an enemy's ``pos``, ``speed`` or ``radius`` in place (a
        teleport, a knockback): the GPU's copy wins otherwise. Allocates nothing.
        """
        self._handles[start:stop] = -1

    @property
    def buffer_bytes(self) -> int:
        """GPU memory held by the horde's buffers."""
        return (sum(b.size for b in self.compute.buffers.values()) + self._stage_buf.size
                + self._stage_rows_buf.size)

    # ------------------------------------------------------------------ wiring
    def systems(self) -> list[tuple[str, SystemFn]]:
        """``(name, fn)`` in run order: the World's, with the GPU systems in (a new list)."""
        return list(self._systems)

    def install(self, scheduler: _Scheduler) -> None:
        """Register every system with a fixed-step scheduler (``scheduler.add(name, fn)``)."""
        for name, fn in self._systems:
            scheduler.add(name, fn)

    def step(self, dt: float) -> None:
        """One tick (as ``World.step``). Allocation contract: allocates no array data and
        retains nothing after warm-up (held by tests/test_horde_gpu_world.py)."""
        for _, fn in self._systems:
            fn(dt)
        stats = self.world.stats
        stats.ticks += 1
        stats.time = self.world.state.clock.time

    def _done(self, i: int, t0: int) -> None:
        if self.finish_each_pass:
            self.gfx.ctx.finish()
        self.pass_ns[i] = time.perf_counter_ns() - t0

    # ------------------------------------------------------------------ systems
    def sync(self, dt: float) -> None:
        """System ``gpu_sync``: changed rows to the GPU in place.

        Allocation contract: allocates no array data after warm-up.
        """
        t0 = time.perf_counter_ns()
        store = self.world.enemies
        n = store.count
        hc = self.compute
        hc.set_count(n)
        self.upload_bytes = 0
        if n:
            changed = self._changed[:n]
            np.not_equal(store.handles[:n], self._handles[:n], out=changed)
            k = int(np.count_nonzero(changed))
            if k:
                self._upload(n, k, changed)
        self._done(0, t0)

    def _upload(self, n: int, k: int, changed: np.ndarray) -> None:
        store = self.world.enemies
        cols = store.columns
        hc = self.compute
        if np.count_nonzero(changed[n - k:]) == k:  # exactly the tail: plain writes
            lo = n - k
            hc.write_rows(lo, cols["pos"][lo:n], cols["speed"][lo:n], cols["radius"][lo:n])
            self.upload_bytes = 24 * k
        else:
            rows = self._rows[:k]
            np.compress(changed, self._iota[:n], out=rows)
            stage = self._stage[:k]
            cols["pos"].take(rows, axis=0, out=stage[:, 0:2], mode="clip")
            cols["speed"].take(rows, out=stage[:, 2], mode="clip")
            cols["radius"].take(rows, out=stage[:, 3], mode="clip")
            np.copyto(self._stage_rows[:k], rows, casting="unsafe")
            self._stage_buf.write(stage)
            self._stage_rows_buf.write(self._stage_rows[:k])
            assert self._patch is not None, "GpuHorde used after release()"
            self._u_patch.value = k
            self._stage_buf.bind_to_storage_buffer(11)
            self._stage_rows_buf.bind_to_storage_buffer(12)
            hc.bind()
            self._patch.run((k + 255) // 256)
            hc.ctx.memory_barrier()
            self.upload_bytes = 20 * k
        np.copyto(self._handles[:n], store.handles[:n])

    def move(self, dt: float) -> None:
        """System ``movement`` (GPU): the seek pass. Allocation contract: transient objects
        only."""
        t0 = time.perf_counter_ns()
        p = self.world.player
        self.compute.bind()
        self.compute.seek(dt, (float(p.pos[0]), float(p.pos[1])), p.radius)
        self._done(1, t0)

    def readback(self, dt: float) -> None:
        """System ``gpu_readback``: positions into the store's ``pos`` column (prev_pos from
        the CPU copy, as the GPU's). Allocation contract: allocates no array data."""
        t0 = time.perf_counter_ns()
        store = self.world.enemies
        n = min(store.count, self.compute.count)
        cols = store.columns
        np.copyto(cols["prev_pos"][:n], cols["pos"][:n])
        self.readback_bytes = self.compute.read_into("pos", cols["pos"], rows=n)
        self._done(2, t0)

    def grid(self, dt: float) -> None:
        """System ``gpu_grid``: the counting sort. Allocation contract: transient objects
        only."""
        t0 = time.perf_counter_ns()
        self.compute.build_grid()
        self._done(3, t0)

    def separate(self, dt: float) -> None:
        """System ``separation`` (GPU): pushes into the GPU's ``sep``. Allocation contract:
        transient objects only."""
        t0 = time.perf_counter_ns()
        self.compute.separate()
        self._done(4, t0)

    def release(self) -> None:
        """Release every GL object of the horde (idempotent)."""
        self.compute.release()
        if self._patch is not None:
            self._patch.release()
            self._patch = None
        self.gfx.release(self._stage_buf)
        self.gfx.release(self._stage_rows_buf)
