#!/usr/bin/env python3
"""Boids: a flock and its predators, built on the engine's public API only (``import engine``).

A second prototype, nothing like the horde game, to show the engine embedded from outside:
every engine name it uses is ``engine.X`` from ``engine.__all__`` (see docs/EMBEDDING.md).

* the boids live in an ``EntityStore`` (struct of arrays: pos, prev_pos, vel, heading, tint);
* a ``SpatialHash`` rebuilt each tick gives the local flock (per-cell sums of velocity and
  position, read through ``sorted_rows`` / ``cell_start`` / ``cell_count`` / ``row_cell``) and
  the predators' nearest prey (``nearest``); a ``Neighbours`` over it gives separation
  (``separation``);
* predators are Python objects from an ``ObjectPool`` (Space adds one, Backspace removes one;
  a full pool refuses and counts it); a predator that reaches a boid eats it: the catch is
  pushed into a ``RingBuffer`` and a ``respawn`` system drains it, flushes the store (the one
  flush point of the tick) and brings a new boid in at the edge of the world;
* four systems run on the App's fixed-step ``Scheduler``; two ``InstanceBatch`` draws per frame
  (boids, predators) through a ``GraphicsContext`` and a ``Camera2D``;
* the profiler's dashboard (F1..F8 panels, F12 all) watches the store, the pool, the ring and
  the render stats.

Keys: Space add a predator, Backspace remove one, Z zoom onto the flock / back, P pause,
F1..F8 / F12 dashboard, Escape quit.

Allocation contract: every system allocates no array data and retains nothing after warm-up
(``Boids.step`` is held by tests/test_demos.py with ``engine.measure_steady_state``).

Exit codes: 0 the run ended; 2 bad command-line input.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np

import engine

PROG = "boids.py"

# GLFW key codes (fixed by the GLFW API; engine.App's input takes them as ints).
KEY_SPACE, KEY_BACKSPACE, KEY_P, KEY_Z = 32, 259, 80, 90

BOID_COLUMNS = {
    "pos": ((2,), np.float32),
    "prev_pos": ((2,), np.float32),
    "vel": ((2,), np.float32),
    "heading": ((), np.float32),
    "tint": ((4,), np.float32, 1.0),
}
"""The boid store's columns: what the systems simulate and the batch draws."""


class Predator:
    """One predator (a pooled object: every field is rewritten when it is acquired)."""

    __slots__ = ("slot", "active", "x", "y", "prev_x", "prev_y", "vx", "vy", "meals")

    def __init__(self, slot: int) -> None:
        self.slot = slot
        self.active = False
        self.x = self.y = self.prev_x = self.prev_y = 0.0
        self.vx = self.vy = 0.0
        self.meals = 0


class Boids(engine.CounterCells):
    """The simulation: stores, hash, pool, ring, and the four systems.

    Args:
        count: boids to keep alive.
        world_size: (width, height) of the world, origin at the bottom-left.
        seed: the random generator's seed.
        predators: predators alive at the start.
        predator_capacity: the predator pool's size.

    Attributes:
        store: the boid ``EntityStore``; ``hash``: its ``SpatialHash``; ``near``: the
            ``Neighbours`` over that hash.
        predators: the ``ObjectPool`` of ``Predator``; ``predator_slots``: all of its objects.
        caught: the ``RingBuffer`` of catches (predator slot, x, y).
        eaten: boids eaten since the start; ``respawned``: boids brought back.
        centroid: (2,) float64 centre of the flock after the last tick.

    Raises:
        ValueError: count or world size not positive.
    """

    eaten = engine.Counter()
    respawned = engine.Counter()
    """Counters in int64 cells: past 256 a plain int attribute keeps a heap int alive."""

    CELL = 40.0
    """Cell size of the hash = the flock's perception range (pixels)."""
    SEP_RADIUS = 14.0
    """Boids closer than this push apart."""
    MIN_SPEED = 70.0
    MAX_SPEED = 170.0
    ALIGN = 1.6
    """Steering toward the local mean velocity (1/s)."""
    COHESION = 0.7
    """Steering toward the local centre (1/s^2)."""
    SEPARATION = 60.0
    """Push per pixel of overlap (1/s^2)."""
    WALL_MARGIN = 80.0
    WALL = 6.0
    """Push back per pixel beyond the margin (1/s^2)."""
    FLEE_RADIUS = 90.0
    FLEE = 900.0
    """Flee acceleration next to a predator (px/s^2), falling to 0 at FLEE_RADIUS."""
    PREDATOR_SPEED = 150.0
    HUNT_RADIUS = 300.0
    CATCH_RADIUS = 9.0

    def __init__(self, count: int, world_size: tuple[float, float] = (1600.0, 900.0), *,
                 seed: int = 0, predators: int = 2, predator_capacity: int = 8) -> None:
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            raise ValueError(f"count: expected a positive int, got {count!r}")
        w, h = float(world_size[0]), float(world_size[1])
        if not (w > 0 and h > 0):
            raise ValueError(f"world_size: expected two positive numbers, got {world_size!r}")
        self.count_target = count
        self.world_size = (w, h)
        self.rng = np.random.default_rng(seed)
        cap = count + 64
        self.store = engine.EntityStore("boids", cap, BOID_COLUMNS)
        self.hash = engine.SpatialHash(cap, self.CELL, (0.0, 0.0), (w, h))
        self.near = engine.Neighbours(self.hash)
        self.predator_slots: list[Predator] = []
        self.predators = engine.ObjectPool("predators", self._make_predator, predator_capacity)
        self.caught = engine.RingBuffer("caught", 256, {"predator": np.int32, "x": np.float32,
                                                        "y": np.float32})
        self.centroid = np.array([w / 2.0, h / 2.0])

        # Scratch: made once, reused every tick (the allocation contract).
        ncells = self.hash.grid_w * self.hash.grid_h
        self._sep = np.zeros((cap, 2), np.float32)
        self._flee = np.zeros((cap, 2), np.float32)
        self._acc = np.zeros((cap, 2), np.float32)
        self._flee_c = self._flee.view(np.complex64).reshape(cap)
        self._acc_c = self._acc.view(np.complex64).reshape(cap)
        self._avg = np.zeros((cap, 2), np.float32)
        self._s32 = np.zeros((cap, 2), np.float32)
        self._s64 = np.zeros((cap, 2), np.float64)
        self._cum = np.zeros((cap + 1, 2), np.float64)
        self._cell_end = np.zeros(ncells, np.int64)
        self._cell_begin = np.zeros(ncells, np.int64)
        self._cell_lo = np.zeros((ncells, 2), np.float64)
        self._cell_hi = np.zeros((ncells, 2), np.float64)
        self._cnt_i = np.zeros(cap, np.int64)
        self._order = np.zeros(cap, np.int64)
        self._cnt = np.zeros(cap, np.float32)
        self._speed = np.zeros(cap, np.float32)
        self._tmp = np.zeros(cap, np.float32)
        self._rows = np.zeros(cap, np.int64)
        self._near = np.zeros((cap, 2), np.float32)
        self._d = np.zeros(cap, np.float32)
        self._drain = {"predator": np.zeros(256, np.int32), "x": np.zeros(256, np.float32),
                       "y": np.zeros(256, np.float32)}
        self._u = np.zeros(256, np.float32)
        self._v = np.zeros(256, np.float32)
        self._tint = np.zeros((256, 4), np.float32)
        self._lo = (np.array(self.WALL_MARGIN, np.float32), np.array(self.WALL_MARGIN, np.float32))
        self._hi = (np.array(w - self.WALL_MARGIN, np.float32),
                    np.array(h - self.WALL_MARGIN, np.float32))
        self._zero = np.array(0.0, np.float32)
        self._max = (np.array(w, np.float32), np.array(h, np.float32))
        self._dt = np.array(0.0, np.float32)
        self._k = np.array(0.0, np.float32)
        self._eps = np.array(1e-3, np.float32)
        self._min_speed = np.array(self.MIN_SPEED, np.float32)
        self._max_speed = np.array(self.MAX_SPEED, np.float32)
        self._c = {name: np.array(getattr(self, name), np.float32)
                   for name in ("ALIGN", "COHESION", "SEPARATION", "WALL", "FLEE")}
        self._inv_flee_r = np.array(1.0 / self.FLEE_RADIUS, np.float32)
        self._one = np.array(1.0, np.float32)
        self._two = np.array(2.0, np.float32)

        self._spawn(count, anywhere=True)
        for _ in range(predators):
            self.add_predator()

    # ------------------------------------------------------------------ set-up
    def _make_predator(self) -> Predator:
        p = Predator(len(self.predator_slots))
        self.predator_slots.append(p)
        return p

    def add_predator(self) -> Predator | None:
        """A predator from the pool at a random edge, or None when the pool is full (the
        refusal is counted in ``predators.stats.refusals``)."""
        p = self.predators.acquire()
        if p is None:
            return None
        w, h = self.world_size
        side = float(self.rng.random())
        p.x = w * side
        p.y = 0.0 if side < 0.5 else h
        p.prev_x, p.prev_y = p.x, p.y
        p.vx = p.vy = 0.0
        p.meals = 0
        p.active = True
        return p

    def remove_predator(self) -> bool:
        """Give the last active predator back to the pool; False when there is none."""
        for p in reversed(self.predator_slots):
            if p.active:
                p.active = False
                self.predators.release(p)
                return True
        return False

    def _spawn(self, n: int, *, anywhere: bool = False) -> int:
        """Bring ``n`` boids in: anywhere (at start) or at a random edge point each, with a
        random heading and a pastel tint. Allocates no array data (rng ``out=`` into scratch;
        at most 256 per call)."""
        store = self.store
        start, got = store.spawn_batch(n)
        if got == 0:
            return 0
        cols = store.columns
        w, h = self.world_size
        done = 0
        while done < got:
            k = min(256, got - done)
            a, b = start + done, start + done + k
            u, v = self._u[:k], self._v[:k]
            pos = cols["pos"][a:b]
            self.rng.random(out=u, dtype=np.float32)
            self.rng.random(out=v, dtype=np.float32)
            if anywhere:
                np.multiply(u, self._max[0], out=pos[:, 0])
                np.multiply(v, self._max[1], out=pos[:, 1])
            else:  # the bottom or top edge: x anywhere, y at 0 or h
                np.multiply(u, self._max[0], out=pos[:, 0])
                np.multiply(v, self._two, out=v)
                np.floor(v, out=v)
                np.multiply(v, self._max[1], out=pos[:, 1])
            np.copyto(cols["prev_pos"][a:b], pos)
            self.rng.random(out=u, dtype=np.float32)
            np.multiply(u, np.float32(2 * math.pi), out=u)
            vel = cols["vel"][a:b]
            np.cos(u, out=vel[:, 0])
            np.sin(u, out=vel[:, 1])
            np.multiply(vel, self._max_speed, out=vel)
            np.copyto(cols["heading"][a:b], u)
            tint = self._tint[:k]
            self.rng.random(out=tint, dtype=np.float32)
            np.multiply(tint, np.float32(0.45), out=tint)
            np.add(tint, np.float32(0.55), out=tint)
            tint[:, 3] = 1.0
            np.copyto(cols["tint"][a:b], tint)
            done += k
        return got

    # ------------------------------------------------------------------ systems
    def systems(self) -> list[tuple[str, Any]]:
        """``(name, fn(dt))`` of each system, in run order."""
        return [("boids.hash", self.rebuild), ("predators", self.hunt),
                ("boids.rules", self.flock), ("boids.respawn", self.respawn)]

    def step(self, dt: float) -> None:
        """Run every system once (tests; the demo runs them on the App's scheduler).

        Allocation contract: allocates no array data and retains nothing after warm-up.
        """
        self.rebuild(dt)
        self.hunt(dt)
        self.flock(dt)
        self.respawn(dt)

    def rebuild(self, dt: float) -> None:
        """System ``boids.hash``: remember positions for interpolation, rebuild the hash.
        Allocates no array data."""
        n = self.store.count
        cols = self.store.columns
        np.copyto(cols["prev_pos"][:n], cols["pos"][:n])
        self.hash.rebuild(cols["pos"][:n])
        self._flee[:n] = 0.0

    def hunt(self, dt: float) -> None:
        """System ``predators``: each predator chases the nearest boid (or the flock's
        centre), eats one in reach (a catch event in the ring) and scares those around it.
        Allocates no array data (Python floats; views)."""
        n = self.store.count
        if n == 0:
            return
        cols = self.store.columns
        pos = cols["pos"]
        for p in self.predator_slots:
            if not p.active:
                continue
            p.prev_x, p.prev_y = p.x, p.y
            row = self.hash.nearest(p.x, p.y, self.HUNT_RADIUS)
            if row >= 0:
                tx, ty = pos.item(row, 0), pos.item(row, 1)
            else:
                tx, ty = self.centroid.item(0), self.centroid.item(1)
            dx, dy = tx - p.x, ty - p.y
            d = math.hypot(dx, dy)
            if d > 1e-6:
                # Steer (not snap) toward the prey: predators turn wider than boids.
                p.vx += (dx / d * self.PREDATOR_SPEED - p.vx) * min(1.0, 3.0 * dt)
                p.vy += (dy / d * self.PREDATOR_SPEED - p.vy) * min(1.0, 3.0 * dt)
            p.x = min(max(p.x + p.vx * dt, 0.0), self.world_size[0])
            p.y = min(max(p.y + p.vy * dt, 0.0), self.world_size[1])
            if 0 <= row and d < self.CATCH_RADIUS and self.store.kill_row(row):
                p.meals += 1
                self.caught.push(p.slot, tx, ty)
            self._scare(p.x, p.y, n)

    def _scare(self, x: float, y: float, n: int) -> None:
        k = self.hash.query_radius(x, y, self.FLEE_RADIUS, self._rows)
        if k == 0:
            return
        rows = self._rows[:k]
        near = self._near[:k]
        self.store.columns["pos"].take(rows, axis=0, out=near, mode="clip")
        near[:, 0] -= np.float32(x)
        near[:, 1] -= np.float32(y)
        d = self._d[:k]
        np.hypot(near[:, 0], near[:, 1], out=d)
        np.maximum(d, self._eps, out=d)
        # Unit vector away, times FLEE * (1 - d / r).
        np.divide(near[:, 0], d, out=near[:, 0])
        np.divide(near[:, 1], d, out=near[:, 1])
        np.multiply(d, self._inv_flee_r, out=d)
        np.subtract(self._one, d, out=d)
        np.multiply(d, self._c["FLEE"], out=d)
        np.multiply(near[:, 0], d, out=near[:, 0])
        np.multiply(near[:, 1], d, out=near[:, 1])
        acc = self._acc[:k]
        self._flee.take(rows, axis=0, out=acc, mode="clip")
        np.add(acc, near, out=acc)
        # Scatter through (x, y) -> complex64 views: a 1-D fancy assignment; the 2-D one
        # buffers its iteration (~3 KB each call).
        self._flee_c[rows] = self._acc_c[:k]

    def _local_means(self, src: np.ndarray, n: int, out: np.ndarray) -> None:
        """``out[:n]`` = the mean of ``src`` over each boid's hash cell (itself included)."""
        h = self.hash
        # The hash's index views are read-only, and take() copies read-only indices (a
        # temporary of n int64): gather through writeable copies instead.
        order = self._order[:n]
        np.copyto(order, h.sorted_rows)
        s32 = self._s32[:n]
        src.take(order, axis=0, out=s32, mode="clip")
        s64 = self._s64[:n]
        np.copyto(s64, s32)
        # Sums per cell from a prefix sum over the cell-sorted order (float64: positions
        # summed over 100k rows would lose whole pixels in float32).
        np.add.accumulate(s64, axis=0, out=self._cum[1:n + 1])
        cum = self._cum[:n + 1]
        np.add(h.cell_start, h.cell_count, out=self._cell_end)  # both views: no copy
        cum.take(self._cell_end, axis=0, out=self._cell_hi, mode="clip")
        np.copyto(self._cell_begin, h.cell_start)
        cum.take(self._cell_begin, axis=0, out=self._cell_lo, mode="clip")
        np.subtract(self._cell_hi, self._cell_lo, out=self._cell_hi)
        rc = self._order[:n]
        np.copyto(rc, h.row_cell)
        self._cell_hi.take(rc, axis=0, out=s64, mode="clip")
        np.copyto(out[:n], s64, casting="unsafe")
        cnt = self._cnt_i[:n]
        h.cell_count.take(rc, out=cnt, mode="clip")
        c = self._cnt[:n]
        np.copyto(c, cnt, casting="unsafe")
        np.divide(out[:n, 0], c, out=out[:n, 0])
        np.divide(out[:n, 1], c, out=out[:n, 1])

    def flock(self, dt: float) -> None:
        """System ``boids.rules``: separation, alignment, cohesion, fleeing, soft walls; then
        integrate, clamp the speed and point each boid along its velocity. Allocates no array
        data."""
        n = self.store.count
        if n == 0:
            return
        cols = self.store.columns
        pos, vel = cols["pos"][:n], cols["vel"][:n]
        self._dt[...] = dt
        acc = self._acc[:n]
        avg = self._avg[:n]
        # Alignment: toward the cell's mean velocity.
        self._local_means(cols["vel"], n, self._avg)
        np.subtract(avg, vel, out=acc)
        np.multiply(acc, self._c["ALIGN"], out=acc)
        # Cohesion: toward the cell's centre (the total gives the flock's centroid too).
        self._local_means(cols["pos"], n, self._avg)
        total = self._cum[n]
        self.centroid[0] = total.item(0) / n
        self.centroid[1] = total.item(1) / n
        np.subtract(avg, pos, out=avg)
        np.multiply(avg, self._c["COHESION"], out=avg)
        np.add(acc, avg, out=acc)
        # Separation: push-apart vectors of the hash's neighbours (length = overlap in pixels).
        sep = self._sep[:n]
        self.near.separation(self.SEP_RADIUS, 6, sep)
        np.multiply(sep, self._c["SEPARATION"], out=sep)
        np.add(acc, sep, out=acc)
        np.add(acc, self._flee[:n], out=acc)
        # Soft walls: pushed back by how far past the margin.
        for axis in (0, 1):
            over = self._tmp[:n]
            pos[:, axis].clip(self._lo[axis], self._hi[axis], out=over)
            np.subtract(pos[:, axis], over, out=over)
            np.multiply(over, self._c["WALL"], out=over)
            np.subtract(acc[:, axis], over, out=acc[:, axis])
        # Integrate, then hold the speed in [MIN_SPEED, MAX_SPEED].
        np.multiply(acc, self._dt, out=acc)
        np.add(vel, acc, out=vel)
        speed = self._speed[:n]
        np.hypot(vel[:, 0], vel[:, 1], out=speed)
        np.maximum(speed, self._eps, out=speed)
        scale = self._tmp[:n]
        speed.clip(self._min_speed, self._max_speed, out=scale)
        np.divide(scale, speed, out=scale)
        np.multiply(vel[:, 0], scale, out=vel[:, 0])
        np.multiply(vel[:, 1], scale, out=vel[:, 1])
        np.multiply(vel, self._dt, out=acc)
        np.add(pos, acc, out=pos)
        pos[:, 0].clip(self._zero, self._max[0], out=pos[:, 0])
        pos[:, 1].clip(self._zero, self._max[1], out=pos[:, 1])
        np.arctan2(vel[:, 1], vel[:, 0], out=cols["heading"][:n])

    def respawn(self, dt: float) -> None:
        """System ``boids.respawn``: drain the catches, flush the store (its one flush point)
        and bring as many boids back in at the edges. Allocates no array data."""
        eaten = self.caught.drain(self._drain)
        self.eaten += eaten
        self.store.flush()
        missing = self.count_target - self.store.count
        if missing > 0:
            self.respawned += self._spawn(missing)


class BoidsDemo:
    """The App around the simulation: systems on the scheduler, two instanced draws, a
    camera, the profiler and its dashboard.

    Args:
        args: the parsed command line (``parse_args``).

    Attributes:
        app, sim, gfx, shaders, atlas, camera, boid_batch, predator_batch, profiler,
        dashboard: the parts.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.app = engine.App(engine.AppConfig(
            width=args.width, height=args.height, title="horde engine - boids",
            headless=True if args.headless else None, benchmark=args.benchmark,
            seed=args.seed, clear_color=(0.03, 0.05, 0.09, 1.0)))
        app = self.app
        self.sim = Boids(args.boids, (1600.0, 900.0), seed=app.seed, predators=args.predators)
        sim = self.sim
        for name, fn in sim.systems():
            app.scheduler.add(name, fn)

        self.gfx = engine.GraphicsContext(app.ctx)
        self.shaders = engine.ShaderLibrary(self.gfx, engine.DEFAULT_SHADER_DIR)
        self.atlas = engine.build_atlas()
        texture = self.atlas.upload(self.gfx)
        self.boid_batch = engine.InstanceBatch(
            self.gfx, "boids", self.shaders, texture=texture,
            frame_uvs=self.atlas.frame_uvs("projectile")[:1], size=(16.0, 8.0),
            capacity=sim.store.capacity)
        self.predator_batch = engine.InstanceBatch(
            self.gfx, "predators", self.shaders, texture=texture,
            frame_uvs=self.atlas.frame_uvs("elite"), size=(30.0, 30.0),
            tint=(1.0, 0.45, 0.35, 1.0), capacity=len(sim.predator_slots))
        cap = len(sim.predator_slots)
        self._ppos = np.zeros((cap, 2), np.float32)
        self._pprev = np.zeros((cap, 2), np.float32)
        self._pframe = np.zeros(cap, np.float32)
        self._anim_t = 0.0
        self.camera = engine.Camera2D(*app.size)
        self.zoomed = False
        self._fit_camera()

        app.render_hooks.append(self.draw)
        app.resize_hooks.append(self._on_resize)
        app.shutdown_hooks.append(self._release)

        self.profiler = engine.Profiler()
        prof = self.profiler
        prof.watch_pool(sim.store.stats)
        prof.watch_pool(sim.predators.stats)
        prof.watch_ring(sim.caught)
        prof.watch_render(self.gfx.render_stats)
        prof.watch_counter("boids", lambda: float(sim.store.count))
        prof.watch_counter("eaten", lambda: float(sim.eaten))
        self.dashboard = prof.attach(app, dashboard=not args.no_dashboard)
        prof.gc_policy.after_loading()

        inp = app.input
        inp.bind("boids.predator+", KEY_SPACE, sim.add_predator)
        inp.bind("boids.predator-", KEY_BACKSPACE, sim.remove_predator)
        inp.bind("boids.zoom", KEY_Z, self.toggle_zoom)
        inp.bind("boids.pause", KEY_P, app.scheduler.toggle_pause)

    # ------------------------------------------------------------------ camera
    def _fit_camera(self) -> None:
        w, h = self.sim.world_size
        cam = self.camera
        cam.set_zoom(2.0 if self.zoomed else min(cam.width / w, cam.height / h) * 0.98)
        cam.move_to(w / 2.0, h / 2.0)

    def toggle_zoom(self) -> None:
        """Z: follow the flock's centre at 2x, or show the whole world."""
        self.zoomed = not self.zoomed
        self.camera.set_smoothing(0.25 if self.zoomed else 0.0)
        self._fit_camera()

    def _on_resize(self, width: int, height: int) -> None:
        if width > 0 and height > 0:
            self.camera.resize(width, height)
            self._fit_camera()

    # ------------------------------------------------------------------ the frame
    def draw(self, alpha: float) -> None:
        """Render hook: pack, upload and draw the boids and the predators (two draws).

        Allocation contract: allocates no array data after warm-up (the batches' contract;
        Python floats for the predators and the camera).
        """
        sim = self.sim
        self.gfx.begin_frame()
        if self.zoomed:
            self.camera.follow(sim.centroid.item(0), sim.centroid.item(1),
                               self.app.frame_ns_last / 1e9)
        matrix = self.camera.matrix
        store = sim.store
        cols = store.columns
        b = self.boid_batch
        b.begin()
        b.pack_range(store.count, cols["pos"], cols["prev_pos"], alpha,
                     rotation=cols["heading"], tint=cols["tint"])
        b.upload()
        b.draw(matrix)
        k = 0
        self._anim_t += self.app.frame_ns_last / 1e9
        frame = float(int(self._anim_t * 8.0) % 8)
        for p in sim.predator_slots:
            if p.active:
                self._ppos[k, 0], self._ppos[k, 1] = p.x, p.y
                self._pprev[k, 0], self._pprev[k, 1] = p.prev_x, p.prev_y
                self._pframe[k] = frame
                k += 1
        pb = self.predator_batch
        pb.begin()
        pb.pack_range(k, self._ppos, self._pprev, alpha, frame=self._pframe)
        pb.upload()
        pb.draw(matrix)

    def _release(self) -> None:
        if self.args.screenshot is not None and self.app.size[0] > 0:
            path = engine.save_screenshot(self.app.target, self.args.screenshot)
            print(f"{PROG}: screenshot {path}")
        self.gfx.release()  # every GL object it made: batches, programs, the atlas texture

    def run(self, frames: int | None = None) -> str:
        """Run until ``frames`` (None: until closed); returns the App's exit reason."""
        return self.app.run(max_frames=frames)

    def summary(self) -> str:
        """One line: what happened in the run."""
        sim = self.sim
        pool = sim.predators.stats
        return (f"{self.app.frame} frames, {self.app.scheduler.steps_total} steps; "
                f"{sim.store.count} boids, {sim.eaten} eaten, {sim.respawned} respawned; "
                f"predators {pool.in_use} active ({pool.refusals} refused); "
                f"exit: {self.app.exit_reason}")


# ----------------------------------------------------------------------------- command line

class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one clear line, exit 2 (no usage dump)
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and validate; bad input exits with one line on stderr and code 2. The options and
    their wording are the engine's shared ones (engine/core/options.py); the demo spells them
    out to stay on the public ``engine.X`` API."""
    p = _Parser(prog=PROG, description=__doc__,
                formatter_class=argparse.RawDescriptionHelpFormatter,
                epilog="Examples:\n"
                       "  python demos/boids.py                        # a window\n"
                       "  python demos/boids.py --boids 20000 --predators 4\n"
                       "  python demos/boids.py --headless --frames 300 --benchmark\n")
    p.add_argument("--boids", type=int, default=4000, metavar="N",
                   help="boids in the flock (default: %(default)s)")
    p.add_argument("--predators", type=int, default=2, metavar="N",
                   help="predators at the start, at most 8 (default: %(default)s)")
    p.add_argument("--headless", action="store_true",
                   help="render offscreen (EGL) even when a display exists; without a display "
                        "the run is headless anyway (default: off)")
    p.add_argument("--frames", type=int, default=None, metavar="N",
                   help="stop after N frames (default: until closed)")
    p.add_argument("--seed", type=int, default=None, metavar="N",
                   help="random seed, >= 0 (default: fresh entropy; 0 with --benchmark)")
    p.add_argument("--benchmark", action="store_true",
                   help="fixed frame time (1/60 s per frame, whatever the wall clock) and a "
                        "seeded RNG: the same simulation on every machine (default: off)")
    p.add_argument("--size", default="1280x720", metavar="WxH",
                   help=f"window / framebuffer size in pixels, at most {MAX_SIDE} per side "
                        f"(default: %(default)s)")
    p.add_argument("--no-dashboard", action="store_true",
                   help="no profiler dashboard (default: off)")
    p.add_argument("--screenshot", type=Path, default=None, metavar="PATH",
                   help="save the last frame as a PNG when the run ends (default: none)")
    args = p.parse_args(argv)
    if args.boids <= 0:
        p.error(f"--boids must be a positive integer, got {args.boids}")
    if not 0 <= args.predators <= 8:
        p.error(f"--predators must be in [0, 8], got {args.predators}")
    if args.frames is not None and args.frames < 0:
        p.error(f"--frames must be >= 0, got {args.frames}")
    if args.seed is not None and args.seed < 0:
        p.error(f"--seed must be >= 0, got {args.seed}")
    try:
        args.width, args.height = engine.AppConfig.parse_size(args.size)
    except ValueError as exc:
        p.error(f"--{exc}")
    if max(args.width, args.height) > MAX_SIDE:
        p.error(f"--size must be at most {MAX_SIDE} pixels per side, got {args.size!r}")
    need = args.boids * BOID_ROW_BYTES
    memory = _physical_memory()
    if memory and need > memory / 2:
        p.error(f"--boids {args.boids} would need about {need / 2**30:.1f} GiB, more than half "
                f"of this machine's {memory / 2**30:.1f} GiB of memory")
    if args.screenshot is not None:
        _check_writable(p, args.screenshot)
    return args


MAX_SIDE = 16384
"""The largest framebuffer side asked of GL before a context exists (the engine's rule)."""
BOID_ROW_BYTES = sum(int(np.prod(spec[0])) * np.dtype(spec[1]).itemsize
                     for spec in BOID_COLUMNS.values()) + 128
"""At least what one boid costs: its store columns, plus the grid's and the instance buffer's
share."""


def _physical_memory() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            return next(int(line.split()[1]) * 1024 for line in fh
                        if line.startswith("MemTotal:"))
    except (OSError, ValueError, StopIteration):
        return None


def _check_writable(p: argparse.ArgumentParser, path: Path) -> None:
    """The screenshot's directory exists (or is made) and takes a file, before the run."""
    try:
        if path.is_dir():
            raise OSError(f"{str(path)!r} is a directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = path.parent / f".{path.name}.probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        p.error(f"--screenshot: cannot write {str(path)!r}: {exc.strerror or exc}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    demo = BoidsDemo(args)
    demo.run(args.frames)
    print(f"{PROG}: {demo.summary()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
