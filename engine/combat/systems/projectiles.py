"""System ``projectiles``: the player's weapon, and every projectile's flight and hits.

The projectile store (columns ``PROJECTILE_COLUMNS``, engine.combat.state) is shared by the
player's weapon and the bosses' bursts; both spawn through the state's ``ProjectileEmitter``.
Each tick this system:

1. fires the player's weapon when its timer is due, aimed at the nearest enemy within range
   (the grid's ``nearest``) or at a boss when one is nearer; no target, no shot (the weapon
   stays ready);
2. moves every projectile and ages it; the spent ones (life over, out of the arena) are
   marked;
3. player's projectiles against the horde, vectorised: the grid cells under each projectile's
   reach are marked in an occupancy grid; the enemies in marked cells (one ``take`` over the
   grid's per-row cells) are the candidates; a projectiles x candidates distance matrix
   (chunked into preallocated scratch) gives each projectile its nearest enemy in contact;
   each hit pushes one damage event and uses one pierce;
4. player's projectiles against bosses, hostile projectiles against the player;
5. flushes the store (its one flush point).
"""

from __future__ import annotations

import math

import numpy as np

from engine.data import Counter, CounterCells

from .._kernels import Compactor, f32, i64
from ..damage import KIND_BOSS, KIND_ENEMY, KIND_PLAYER, SOURCE_PROJECTILE
from ..state import WorldState

__all__ = ["ProjectileSystem", "PAIR_SCRATCH"]

PAIR_SCRATCH = 1 << 15
"""Items of the projectile x candidate distance matrix per chunk."""


class ProjectileSystem(CounterCells):
    """System ``projectiles``.

    Attributes:
        timer: seconds until the weapon may fire again.
        fired: projectiles fired by the player (an int64 cell, ``engine.data.counters``).
    """

    fired = Counter()

    def __init__(self, state: WorldState) -> None:
        self.state = state
        cfg = state.config.weapon
        self.cfg = cfg
        self.enabled = cfg.enabled
        self.timer = 0.0
        cap = state.projectiles.capacity
        ecap = state.enemies.capacity
        self._dt = f32(0.0)
        self._step = np.zeros((cap, 2), np.float32)
        self._dead = np.zeros(cap, np.bool_)
        self._b = np.zeros(cap, np.bool_)
        self._b2 = np.zeros(cap, np.bool_)
        self._iota = np.arange(max(cap, ecap) + 1, dtype=np.int64)
        self._pidx = np.zeros(cap + 1, np.int64)
        self._f = np.zeros(cap, np.float32)
        self._f2 = np.zeros(cap, np.float32)
        self._compact_p = Compactor(cap)
        self._compact_e = Compactor(ecap)
        # Friendly projectiles against the horde.
        self._fpos = np.zeros((cap, 2), np.float32)
        self._fx = np.zeros(cap, np.float32)
        self._fy = np.zeros(cap, np.float32)
        self._ex = np.zeros(ecap, np.float32)
        self._ey = np.zeros(ecap, np.float32)
        self._freach = np.zeros(cap, np.float32)
        self._fr = np.zeros(cap, np.float32)
        self._flast = np.zeros(cap, np.int64)
        self._corner_cells = np.zeros((4, cap), np.int64)
        self._xlo = np.zeros(cap, np.float32)
        self._xhi = np.zeros(cap, np.float32)
        self._ylo = np.zeros(cap, np.float32)
        self._yhi = np.zeros(cap, np.float32)
        self._cand_mask = np.zeros(ecap, np.bool_)
        self._row_cell = np.zeros(ecap, np.int64)
        self._cand = np.zeros(ecap + 1, np.int64)
        self._cpos = np.zeros((ecap, 2), np.float32)
        self._cr = np.zeros(ecap, np.float32)
        self._ch = np.zeros(ecap, np.int64)
        self._pair_d = np.zeros(PAIR_SCRATCH, np.float32)
        self._pair_t = np.zeros(PAIR_SCRATCH, np.float32)
        self._pair_b = np.zeros(PAIR_SCRATCH, np.bool_)
        self._pair_u = np.zeros(PAIR_SCRATCH, np.float32)
        self._pair_h = np.zeros(PAIR_SCRATCH, np.int64)
        self._pair_g = np.zeros(PAIR_SCRATCH, np.int64)
        self._best_d = np.zeros(cap, np.float32)
        self._best_i = np.zeros(cap, np.int64)
        self._chunk_d = np.zeros(cap, np.float32)
        self._chunk_i = np.zeros(cap, np.int64)
        self._hidx = np.zeros(cap + 1, np.int64)
        self._hrows = np.zeros(cap, np.int64)
        self._htargets = np.zeros(cap, np.int64)
        self._hdmg = np.zeros(cap, np.float32)
        self._hpierce = np.zeros(cap, np.int16)
        self._hsource = np.full(cap, SOURCE_PROJECTILE, np.int16)
        self._hkind_enemy = np.full(cap, KIND_ENEMY, np.uint8)
        self._hkind_boss = np.full(cap, KIND_BOSS, np.uint8)
        self._inf = f32(np.inf)
        self._zero = f32(0.0)
        self._zero_i16 = np.array(0, np.int16)
        self._one_i16 = np.array(1, np.int16)
        self._one_i = i64(1)
        self._max_r = f32(state.tiers.max_radius)
        lo, hi = state.arena_min, state.arena_max
        self._xmin, self._xmax = lo[0:1].reshape(()), hi[0:1].reshape(())
        self._ymin, self._ymax = lo[1:2].reshape(()), hi[1:2].reshape(())
        self._pr = f32(state.player.radius)
        # Occupancy per grid cell (the grid's own cell ids: cells_of, row_cell).
        h = state.grid
        self._occ = np.zeros(h.grid_w * h.grid_h + 1, np.bool_)

    # ------------------------------------------------------------------ firing
    def _fire_weapon(self) -> bool:
        """One volley at the nearest enemy in range; False when there is no target."""
        w = self.state
        p = w.player
        px = float(p.pos[0])
        py = float(p.pos[1])
        reach = self.cfg.aim_range
        row = w.grid.nearest(px, py, reach) if w.enemies.count else -1
        best = reach
        if row >= 0:
            ex, ey = w.enemies.columns["pos"][row]
            tx = float(ex)
            ty = float(ey)
            best = math.hypot(tx - px, ty - py)
        # A boss nearer than the nearest enemy is the target instead.
        for boss in w.bosses.slots:
            if boss.active and not boss.dying:
                d = math.hypot(boss.x - px, boss.y - py)
                if d < best:
                    best = d
                    tx = boss.x
                    ty = boss.y
                    row = 0
        if row < 0:
            return False
        base = math.atan2(ty - py, tx - px)
        cfg = self.cfg
        spread = math.radians(cfg.spread_degrees)
        first = base - spread * (cfg.multishot - 1) / 2.0
        shots = 0
        fire = w.projectile_emitter.fire
        for i in range(cfg.multishot):
            a = first + spread * i
            h = fire(px, py, cfg.speed * math.cos(a), cfg.speed * math.sin(a),
                     damage=cfg.damage, life=cfg.lifetime, radius=cfg.radius,
                     pierce=cfg.pierce)
            if h >= 0:
                shots += 1
        if shots:  # once per volley, not per shot: each counter write is a descriptor call
            self.fired += shots
            w.stats.projectiles_fired += shots
        return True

    # ------------------------------------------------------------------ the system
    def __call__(self, dt: float) -> None:
        """Fire, move, collide, expire, flush.

        Allocation contract: allocates no array data after warm-up; transient views and
        Python scalars only (a volley sets a few values one by one).
        """
        w = self.state
        if self.enabled and w.player.alive:
            self.timer -= dt
            if self.timer <= 1e-9:  # see Melee: a whole number of steps lands on a step
                if self._fire_weapon():
                    self.timer += 1.0 / self.cfg.fire_rate
                    if self.timer < 0.0:
                        self.timer = 0.0
                else:
                    self.timer = 0.0
        store = w.projectiles
        n = store.count
        if n == 0:
            w.stats.projectiles_live = 0
            return
        self._dt[...] = dt
        c = store.columns
        pos = c["pos"][:n]
        np.copyto(c["prev_pos"][:n], pos)
        step = self._step[:n]
        np.multiply(c["vel"][:n], self._dt, out=step)
        np.add(pos, step, out=pos)
        life = c["life"][:n]
        np.subtract(life, self._dt, out=life)
        dead = np.less_equal(life, self._zero, out=self._dead[:n])
        b = self._b[:n]
        x = pos[:, 0]
        y = pos[:, 1]
        np.logical_or(dead, np.less(x, self._xmin, out=b), out=dead)
        np.logical_or(dead, np.greater(x, self._xmax, out=b), out=dead)
        np.logical_or(dead, np.less(y, self._ymin, out=b), out=dead)
        np.logical_or(dead, np.greater(y, self._ymax, out=b), out=dead)
        hostile = c["hostile"][:n]
        # Friendly and still flying.
        friendly = np.logical_not(hostile, out=self._b2[:n])
        np.logical_and(friendly, np.logical_not(dead, out=b), out=friendly)
        k = self._compact_p(friendly, self._iota[:n], self._pidx)
        if k and w.enemies.count:
            self._hit_enemies(k, dead)
        if k:
            self._hit_bosses(n, dead)
        if w.player.alive:
            self._hit_player(n, dead)
        if store.kill_rows(dead):
            store.flush()
        w.stats.projectiles_live = store.count

    def _hit_enemies(self, k: int, dead: np.ndarray) -> None:
        """The k friendly projectiles in ``_pidx`` against the horde.

        Split in steps so that few views are alive at once (each view is ~120 B of the
        4 KB per-tick transient budget).
        """
        self._gather_projectiles(k)
        nc = self._candidates(k)
        if nc == 0:
            return
        self._gather_candidates(k, nc)
        chunk = max(1, PAIR_SCRATCH // k)
        for c0 in range(0, nc, chunk):
            self._pair_chunk(k, c0, min(nc, c0 + chunk))
        self._apply_hits(k, dead)

    def _gather_projectiles(self, k: int) -> None:
        c = self.state.projectiles.columns
        pidx = self._pidx[:k]
        fpos = self._fpos[:k]
        c["pos"].take(pidx, axis=0, out=fpos, mode="clip")
        c["radius"].take(pidx, out=self._fr[:k], mode="clip")
        c["last_hit"].take(pidx, out=self._flast[:k], mode="clip")
        # Column copies, contiguous: the pair matrix broadcasts them through copyto.
        np.copyto(self._fx[:k], fpos[:, 0])
        np.copyto(self._fy[:k], fpos[:, 1])

    def _corners(self, k: int) -> None:
        """Grid cells of the four corners of each projectile's reach box -> ``_corner_cells``."""
        reach = self._freach[:k]
        xlo, xhi, ylo, yhi = self._xlo[:k], self._xhi[:k], self._ylo[:k], self._yhi[:k]
        np.subtract(self._fx[:k], reach, out=xlo)
        np.add(self._fx[:k], reach, out=xhi)
        np.subtract(self._fy[:k], reach, out=ylo)
        np.add(self._fy[:k], reach, out=yhi)
        cells = self._corner_cells
        grid = self.state.grid
        grid.cells_of(xlo, ylo, cells[0, :k])
        grid.cells_of(xhi, ylo, cells[1, :k])
        grid.cells_of(xlo, yhi, cells[2, :k])
        grid.cells_of(xhi, yhi, cells[3, :k])

    def _mark(self, k: int, value: bool) -> None:
        """Set the occupancy of the (up to 2 x 2) cells under each projectile's reach."""
        for corner in range(4):
            np.put(self._occ, self._corner_cells[corner, :k], value, mode="clip")

    def _candidates(self, k: int) -> int:
        """Enemies in the grid cells under the projectiles' reach -> ``_cand``; return how many."""
        w = self.state
        # Reach: projectile radius + largest enemy radius, at most one cell (checked by the
        # config), so the reach box spans at most 2 x 2 cells.
        np.add(self._fr[:k], self._max_r, out=self._freach[:k])
        self._corners(k)
        self._mark(k, True)
        n_e = w.enemies.count
        cand_mask = self._cand_mask[:n_e]
        # A writeable copy: ``take`` copies read-only index arrays (80 KB at 10k rows).
        row_cell = self._row_cell[:n_e]
        np.copyto(row_cell, w.grid.row_cell[:n_e])
        self._occ.take(row_cell, out=cand_mask, mode="clip")
        self._mark(k, False)
        return self._compact_e(cand_mask, self._iota[:n_e], self._cand)

    def _gather_candidates(self, k: int, nc: int) -> None:
        e = self.state.enemies
        cand = self._cand[:nc]
        cpos = self._cpos[:nc]
        e.columns["pos"].take(cand, axis=0, out=cpos, mode="clip")
        np.copyto(self._ex[:nc], cpos[:, 0])
        np.copyto(self._ey[:nc], cpos[:, 1])
        e.columns["radius"].take(cand, out=self._cr[:nc], mode="clip")
        e.handles.take(cand, out=self._ch[:nc], mode="clip")
        self._best_d[:k].fill(np.inf)
        self._best_i[:k].fill(0)

    def _pair_chunk(self, k: int, c0: int, c1: int) -> None:
        """Nearest enemy in contact per projectile among candidates [c0, c1)."""
        m = c1 - c0
        dd = self._pair_d[:k * m].reshape(k, m)
        tt = self._pair_t[:k * m].reshape(k, m)
        uu = self._pair_u[:k * m].reshape(k, m)
        # Broadcasts only through copyto: a 2-D broadcasting ufunc makes a temporary copy.
        np.copyto(dd, self._ex[None, c0:c1])
        np.copyto(uu, self._fx[:k, None])
        np.subtract(dd, uu, out=dd)
        np.multiply(dd, dd, out=dd)
        np.copyto(tt, self._ey[None, c0:c1])
        np.copyto(uu, self._fy[:k, None])
        np.subtract(tt, uu, out=tt)
        np.multiply(tt, tt, out=tt)
        np.add(dd, tt, out=dd)
        np.copyto(tt, self._cr[None, c0:c1])
        np.copyto(uu, self._fr[:k, None])
        np.add(tt, uu, out=tt)
        np.multiply(tt, tt, out=tt)
        del uu
        bb = self._pair_b[:k * m].reshape(k, m)
        np.greater(dd, tt, out=bb)
        np.copyto(dd, self._inf, where=bb)
        del tt
        # Not the enemy this projectile hit last (a piercing shot moves on).
        hh = self._pair_h[:k * m].reshape(k, m)
        gg = self._pair_g[:k * m].reshape(k, m)
        np.copyto(hh, self._ch[None, c0:c1])
        np.copyto(gg, self._flast[:k, None])
        np.equal(hh, gg, out=bb)
        np.copyto(dd, self._inf, where=bb)
        del hh, gg, bb
        cd = self._chunk_d[:k]
        ci = self._chunk_i[:k]
        dd.min(axis=1, out=cd)
        dd.argmin(axis=1, out=ci)
        if c0:
            np.add(ci, c0, out=ci)
        better = np.less(cd, self._best_d[:k], out=self._b[:k])
        np.copyto(self._best_d[:k], cd, where=better)
        np.copyto(self._best_i[:k], ci, where=better)

    def _apply_hits(self, k: int, dead: np.ndarray) -> None:
        w = self.state
        c = w.projectiles.columns
        hit = np.less(self._best_d[:k], self._inf, out=self._b[:k])
        h = self._compact_p(hit, self._iota[:k], self._hidx)
        if h == 0:
            return
        hidx = self._hidx[:h]
        rows = self._hrows[:h]
        self._pidx[:k].take(hidx, out=rows, mode="clip")   # projectile rows that hit
        targets = self._htargets[:h]
        self._best_i[:k].take(hidx, out=self._chunk_i[:h], mode="clip")
        self._ch.take(self._chunk_i[:h], out=targets, mode="clip")
        del hidx
        dmg = self._hdmg[:h]
        c["damage"].take(rows, out=dmg, mode="clip")
        w.damage_ring.push_batch(h, targets, dmg, self._hsource, self._hkind_enemy)
        np.put(c["last_hit"], rows, targets, mode="clip")
        del dmg, targets
        pierce = self._hpierce[:h]
        c["pierce"].take(rows, out=pierce, mode="clip")
        np.subtract(pierce, self._one_i16, out=pierce)
        np.put(c["pierce"], rows, pierce, mode="clip")
        spent = np.less(pierce, self._zero_i16, out=self._b[:h])
        np.put(dead, rows, spent, mode="clip")
        w.stats.projectile_hits_total += h

    def _hit_bosses(self, n: int, dead: np.ndarray) -> None:
        w = self.state
        c = w.projectiles.columns
        pos = c["pos"][:n]
        for boss in w.bosses.slots:
            if not boss.active or boss.dying:
                continue
            d = self._f[:n]
            t = self._f2[:n]
            np.subtract(pos[:, 0], boss.x, out=d)
            np.multiply(d, d, out=d)
            np.subtract(pos[:, 1], boss.y, out=t)
            np.multiply(t, t, out=t)
            np.add(d, t, out=d)
            np.add(c["radius"][:n], boss.radius, out=t)
            np.multiply(t, t, out=t)
            hit = np.less_equal(d, t, out=self._b[:n])
            np.logical_and(hit, np.logical_not(c["hostile"][:n], out=self._b2[:n]), out=hit)
            np.logical_and(hit, np.logical_not(dead, out=self._b2[:n]), out=hit)
            h = self._compact_p(hit, self._iota[:n], self._hidx)
            if h == 0:
                continue
            rows = self._hidx[:h]
            targets = self._htargets[:h]
            targets.fill(boss.handle)
            dmg = self._hdmg[:h]
            c["damage"].take(rows, out=dmg, mode="clip")
            w.damage_ring.push_batch(h, targets, dmg, self._hsource, self._hkind_boss)
            np.logical_or(dead, hit, out=dead)

    def _hit_player(self, n: int, dead: np.ndarray) -> None:
        w = self.state
        c = w.projectiles.columns
        hostile = c["hostile"][:n]
        if not hostile.any():
            return
        pos = c["pos"][:n]
        p = w.player.pos
        d = self._f[:n]
        t = self._f2[:n]
        np.subtract(pos[:, 0], p[0:1], out=d)
        np.multiply(d, d, out=d)
        np.subtract(pos[:, 1], p[1:2], out=t)
        np.multiply(t, t, out=t)
        np.add(d, t, out=d)
        np.add(c["radius"][:n], self._pr, out=t)
        np.multiply(t, t, out=t)
        hit = np.less_equal(d, t, out=self._b[:n])
        np.logical_and(hit, hostile, out=hit)
        np.logical_and(hit, np.logical_not(dead, out=self._b2[:n]), out=hit)
        if not hit.any():
            return
        np.copyto(d, c["damage"][:n])
        np.copyto(d, self._zero, where=np.logical_not(hit, out=self._b2[:n]))
        w.damage_ring.push(0, float(d.max()), SOURCE_PROJECTILE, KIND_PLAYER)
        np.logical_or(dead, hit, out=dead)
