"""System ``melee``: the player's periodic area attack, found through the grid.

Every ``period`` seconds the player swings: every enemy whose centre is within ``radius`` of
the player (and, for ``arc_degrees < 360``, within the arc around the player's facing) gets one
damage event, pushed as a batch of handles into the damage ring. Bosses in reach are hit too.
"""

from __future__ import annotations

import math

import numpy as np

from engine.data import Counter, CounterCells

from .._kernels import Compactor, f32
from ..damage import KIND_BOSS, KIND_ENEMY, SOURCE_MELEE
from ..state import WorldState

__all__ = ["MeleeSystem"]


class MeleeSystem(CounterCells):
    """System ``melee``.

    Attributes:
        timer: seconds to the next swing.
        swings: swings so far.
        last_hits: enemies hit by the last swing.
        last_swing_time: simulated time of the last swing (for effects), or -1.

    ``swings`` and ``last_hits`` are int64 cells (``engine.data.counters``).
    """

    swings = Counter()
    last_hits = Counter()

    def __init__(self, state: WorldState) -> None:
        self.state = state
        cfg = state.config.melee
        self.cfg = cfg
        self.enabled = cfg.enabled
        cap = state.enemies.capacity
        self.timer = cfg.period
        self.last_swing_time = -1.0
        self._rows = np.zeros(cap + 1, np.int64)
        self._rows2 = np.zeros(cap + 1, np.int64)
        self._targets = np.zeros(cap, np.int64)
        self._amount = np.full(cap, cfg.damage, np.float32)
        self._source = np.full(cap, SOURCE_MELEE, np.int16)
        self._kind = np.full(cap, KIND_ENEMY, np.uint8)
        self._xy = np.zeros((cap, 2), np.float32)
        self._dot = np.zeros(cap, np.float32)
        self._len = np.zeros(cap, np.float32)
        self._mask = np.zeros(cap, np.bool_)
        self._compact = Compactor(cap)
        self._cos_half = f32(math.cos(math.radians(cfg.arc_degrees) / 2.0))
        self.arc = cfg.arc_degrees < 360.0

    def __call__(self, dt: float) -> None:
        """Count down; on a swing push one damage event per enemy (and boss) in reach.

        Allocation contract: allocates no array data; transient views and Python scalars.
        """
        if not self.enabled:
            return
        w = self.state
        self.timer -= dt
        if self.timer > 1e-9:  # a period that is a whole number of steps lands on a step
            return
        self.timer = max(self.timer + self.cfg.period, 0.0)
        if not w.player.alive:
            return
        self.swings += 1
        w.stats.melee_swings += 1
        self.last_swing_time = w.clock.time
        p = w.player
        px = float(p.pos[0])
        py = float(p.pos[1])
        n = 0
        if w.enemies.count:
            n = w.grid.query_radius(px, py, self.cfg.radius, self._rows)
            rows = self._rows
            if n and self.arc:
                n = self._in_arc(n)
                rows = self._rows2
            if n:
                targets = self._targets[:n]
                w.enemies.handles.take(rows[:n], out=targets, mode="clip")
                w.damage_ring.push_batch(n, targets, self._amount, self._source, self._kind)
        self.last_hits = n
        w.stats.melee_hits_total += n
        reach = self.cfg.radius
        fx = float(p.facing[0])
        fy = float(p.facing[1])
        cos_half = float(self._cos_half)
        for b in w.bosses.slots:
            if not b.active or b.dying:
                continue
            dx = b.x - px
            dy = b.y - py
            dist = math.hypot(dx, dy)
            if dist > reach + b.radius:
                continue
            if self.arc and dist > 1e-6 and (dx * fx + dy * fy) < cos_half * dist:
                continue
            w.damage_ring.push(b.handle, self.cfg.damage, SOURCE_MELEE, KIND_BOSS)

    def _in_arc(self, n: int) -> int:
        """Keep the rows within the arc around the player's facing; return how many."""
        p = self.state.player
        rows = self._rows[:n]
        xy = self._xy[:n]
        self.state.enemies.columns["pos"].take(rows, axis=0, out=xy, mode="clip")
        np.subtract(xy[:, 0], p.pos[0:1], out=xy[:, 0])
        np.subtract(xy[:, 1], p.pos[1:2], out=xy[:, 1])
        dot = self._dot[:n]
        ln = self._len[:n]
        # Inside the arc: dot(offset, facing) >= cos(half arc) * |offset|.
        np.multiply(xy[:, 0], p.facing[0:1], out=dot)
        np.multiply(xy[:, 1], p.facing[1:2], out=ln)
        np.add(dot, ln, out=dot)
        np.multiply(xy, xy, out=xy)
        np.add(xy[:, 0], xy[:, 1], out=ln)
        np.sqrt(ln, out=ln)
        np.multiply(ln, self._cos_half, out=ln)
        keep = np.greater_equal(dot, ln, out=self._mask[:n])
        return self._compact(keep, rows, self._rows2)
