"""System ``waves``: when, where and what the horde spawns; it also advances the clock.

Rate. Spawns per second ramp linearly from ``start_rate`` to ``max_rate`` over
``ramp_seconds``; fractional spawns accumulate in a budget. Live enemies are capped at
``max_enemies``: at the cap the system waits (the budget is kept, bounded by the cap, so
spawning resumes as soon as enemies die). When the enemy store itself is full (capacity below
the cap) the store refuses the spawn: the refusal is counted in the store's ``PoolStats`` and in
``CombatStats.spawn_refusals`` - visible, never silent.

Where. On a ring around the player just outside the camera view: inner radius = the view's
half-diagonal (``view_half_extent``, a plain value the game sets from its camera) + margin;
clamped inside the arena.

What. The tier mix is interpolated in time between the ``tier_mix`` key points. Each spawn
batch is one ``spawn_batch`` and a vectorised fill of every column from ``rng.random(out=)``
into scratch owned by the system.

Bosses. Scheduled ``BossWave`` entries enter when their time comes, on the same ring.
"""

from __future__ import annotations

import math

import numpy as np

from engine.data import Counter, CounterCells

from .._kernels import f32
from ..state import WorldState
from ..tiers import tier_weights

__all__ = ["WaveSystem"]


class WaveSystem(CounterCells):
    """System ``waves``: advances the clock, then spawns by the schedule, the ring, the tier
    mix and the boss waves.

    Attributes:
        budget: spawns owed (fractional), bounded by ``max_enemies``.
    """

    _next_boss = Counter()
    """Index of the next boss wave (an int64 cell, as every int the systems update)."""

    def __init__(self, state: WorldState) -> None:
        self.state = state
        cfg = state.config.waves
        self.cfg = cfg
        cap = state.enemies.capacity
        self.budget = 0.0
        self._u = np.zeros(cap, np.float32)
        self._a = np.zeros(cap, np.float32)
        self._b = np.zeros(cap, np.float32)
        self._tier = np.zeros(cap, np.int64)
        self._mask = np.zeros(cap, np.bool_)
        self._tier_u8 = np.zeros(cap, np.uint8)
        n_tiers = len(state.tiers)
        self._mix = [(float(t), [float(x) for x in w]) for t, w in cfg.tier_mix]
        self._cum = [f32(1.0) for _ in range(n_tiers - 1)]
        self._inner = f32(0.0)
        self._width = f32(0.0)
        self._tau = f32(math.tau)
        self._one = f32(1.0)
        self._two = f32(2.0)
        self._jitter = f32(cfg.speed_jitter)
        self._bosses = sorted(state.config.bosses, key=lambda b: b.time)

    # ------------------------------------------------------------------ schedule
    @property
    def ring_inner(self) -> float:
        """Inner radius of the spawn ring: the view's half-diagonal + margin. Read from the
        config at every spawn, so the game may update ``config.view_half_extent`` (camera
        zoom, window size) at any time."""
        hx, hy = self.state.config.view_half_extent
        return math.hypot(hx, hy) + self.cfg.spawn_margin

    @property
    def ring_width(self) -> float:
        """Width of the spawn ring."""
        return self.cfg.spawn_ring_width

    def rate(self, t: float) -> float:
        """Spawns per second at time t."""
        c = self.cfg
        f = min(1.0, max(0.0, t / c.ramp_seconds))
        return c.start_rate + (c.max_rate - c.start_rate) * f

    def weights(self, t: float) -> list[float]:
        """Normalised tier weights at time t (interpolated between the key points)."""
        return tier_weights(self._mix, t)

    # ------------------------------------------------------------------ the system
    def __call__(self, dt: float) -> None:
        """Advance the schedule and spawn what is due.

        Allocation contract: allocates no array data after warm-up; transient views, Python
        scalars and a short list of tier weights per spawning tick. Boss entries allocate
        nothing either (bosses come from a pool).
        """
        w = self.state
        clock = w.clock
        clock.time += dt
        now = clock.time
        st = w.stats
        bosses = self._bosses
        while self._next_boss < len(bosses) and now >= bosses[self._next_boss].time:
            wave = bosses[self._next_boss]
            self._next_boss += 1
            x, y = self._ring_point()
            w.bosses.spawn(w.scenes[wave.scene], x, y)
        cfg = self.cfg
        self.budget += self.rate(now) * dt
        want = int(self.budget)
        if want <= 0:
            return
        if cfg.max_per_tick:
            want = min(want, cfg.max_per_tick)
        room = cfg.max_enemies - w.enemies.count
        if want > room:
            st.spawns_capped += 1
            want = max(room, 0)
        self.budget = min(self.budget - want, float(cfg.max_enemies))
        if want:
            self.spawn(want)

    def _ring_point(self) -> tuple[float, float]:
        w = self.state
        rng = w.rng
        a = float(rng.random()) * math.tau
        r = self.ring_inner + float(rng.random()) * self.ring_width
        p = w.player
        lo = w.arena_min
        hi = w.arena_max
        x = min(max(float(p.pos[0]) + r * math.cos(a), float(lo[0])), float(hi[0]))
        y = min(max(float(p.pos[1]) + r * math.sin(a), float(lo[1])), float(hi[1]))
        return x, y

    def spawn(self, n: int) -> int:
        """Spawn n enemies on the ring now, tiers drawn from the current mix.

        Returns:
            Enemies spawned; fewer than n when the store is full (the shortfall is counted in
            ``CombatStats.spawn_refusals`` and the store's ``PoolStats.refusals``).

        Allocation contract: as ``__call__``.
        """
        w = self.state
        store = w.enemies
        start, got = store.spawn_batch(n)
        st = w.stats
        if got < n:
            st.spawn_refusals += n - got
        if got == 0:
            return 0
        end = start + got
        cols = store.columns
        rng = w.rng
        u = self._u[:got]
        a = self._a[:got]
        b = self._b[:got]
        # Position on the ring around the player.
        rng.random(out=u, dtype=np.float32)
        np.multiply(u, self._tau, out=u)
        np.cos(u, out=a)
        np.sin(u, out=b)
        rng.random(out=u, dtype=np.float32)
        self._width[...] = self.ring_width
        self._inner[...] = self.ring_inner
        np.multiply(u, self._width, out=u)
        np.add(u, self._inner, out=u)
        np.multiply(a, u, out=a)
        np.multiply(b, u, out=b)
        pos = cols["pos"][start:end]
        p = w.player.pos
        np.add(a, p[0:1], out=pos[:, 0])
        np.add(b, p[1:2], out=pos[:, 1])
        pos[:, 0].clip(w.arena_min[0:1].reshape(()), w.arena_max[0:1].reshape(()),
                       out=pos[:, 0])
        pos[:, 1].clip(w.arena_min[1:2].reshape(()), w.arena_max[1:2].reshape(()),
                       out=pos[:, 1])
        np.copyto(cols["prev_pos"][start:end], pos)
        # Tier: count the cumulative thresholds at or below a uniform draw.
        weights = self.weights(w.clock.time)
        acc = 0.0
        for c, wt in zip(self._cum, weights):
            acc += wt
            c[...] = acc
        tier = self._tier[:got]
        self._fill_tiers(u, tier)
        self._fill_columns(start, end, tier)
        st.spawns_total += got
        return got

    def _fill_tiers(self, u: np.ndarray, tier: np.ndarray) -> None:
        n = tier.shape[0]
        self.state.rng.random(out=u, dtype=np.float32)
        # Counted in uint8 (a bool operand of an int64 add is cast through a 64 KB buffer).
        t8 = self._tier_u8[:n]
        t8.fill(0)
        m = self._mask[:n]
        for c in self._cum:
            np.greater_equal(u, c, out=m)
            np.add(t8, m.view(np.uint8), out=t8)
        np.copyto(tier, t8, casting="unsafe")

    def _fill_columns(self, start: int, end: int, tier: np.ndarray) -> None:
        """Per-row copies of the tier numbers for rows [start, end) of tiers ``tier``."""
        w = self.state
        cols = w.enemies.columns
        t = w.tiers
        np.copyto(cols["tier"][start:end], tier, casting="unsafe")
        t.hp.take(tier, out=cols["hp"][start:end], mode="clip")
        t.radius.take(tier, out=cols["radius"][start:end], mode="clip")
        t.damage.take(tier, out=cols["damage"][start:end], mode="clip")
        t.anim_fps.take(tier, out=cols["anim_fps"][start:end], mode="clip")
        frames = cols["anim_frames"][start:end]
        t.frames.take(tier, out=frames, mode="clip")
        # Random animation phase, so the horde does not move in lockstep.
        af = cols["anim_frame"][start:end]
        w.rng.random(out=af, dtype=np.float32)
        np.multiply(af, frames, out=af)
        # Speed: the tier's, times 1 +/- jitter.
        speed = cols["speed"][start:end]
        t.speed.take(tier, out=speed, mode="clip")
        u = self._u[:end - start]
        w.rng.random(out=u, dtype=np.float32)
        np.multiply(u, self._two, out=u)
        np.subtract(u, self._one, out=u)
        np.multiply(u, self._jitter, out=u)
        np.add(u, self._one, out=u)
        np.multiply(speed, u, out=speed)

    def place(self, x: float, y: float, tier: int = 0) -> int:
        """Spawn one enemy of a tier at a given spot (tests, scripted events).

        Returns:
            Its handle, or -1 when the store is full (counted as a refusal).

        Raises:
            IndexError: tier out of range.
            ValueError: x or y is not a finite number.
        """
        w = self.state
        if not 0 <= tier < len(w.tiers):
            raise IndexError(f"tier: expected an index in [0, {len(w.tiers)}), got {tier}")
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"spawn_enemy: expected a finite position, got ({x!r}, {y!r})")
        store = w.enemies
        start, got = store.spawn_batch(1)
        if got == 0:
            w.stats.spawn_refusals += 1
            return -1
        cols = store.columns
        cols["pos"][start] = (x, y)
        cols["prev_pos"][start] = (x, y)
        t = self._tier[:1]
        t[0] = tier
        self._fill_columns(start, start + 1, t)
        w.stats.spawns_total += 1
        return int(store.handles[start])
