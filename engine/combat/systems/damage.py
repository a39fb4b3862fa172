"""System ``damage``: the damage ring, drained and applied once per tick.

Events. Systems that hurt something push ``(target, amount, source, kind)`` into
``state.damage_ring``: ``kind`` says what ``target`` names - ``KIND_ENEMY`` (an enemy store
handle), ``KIND_BOSS`` (a boss handle) or ``KIND_PLAYER`` (target 0); ``source`` says who hit
(``SOURCE_*``, for statistics; engine.combat.damage).

Amounts. An event's amount must be a finite number >= 0: one that is NaN, infinite or
negative is refused where it enters (right after the drain, before any hp is touched) and
counted in ``CombatStats.damage_refused``; so hp (enemies', bosses', the player's) never
becomes NaN and damage never heals.

Applying. ``DamageSystem`` drains the ring into preallocated arrays. Enemy handles resolve to
rows with ``EntityStore.rows_of`` (any number of events per tick, more than the store has
rows included); stale ones (the enemy died before its event was applied, or its row is marked
for despawn this tick, e.g. quarantined) are dropped and counted in
``CombatStats.stale_damage_events``. Several events on one enemy in one
tick add up: they are accumulated per row in rounds (each round applies one event per distinct
row: the last writer of an ``np.put`` into a per-row owner table), because ``np.add.at`` keeps a
fixed ~5 KB transient that breaks the 4 KB per-tick contract. Each event is applied exactly
once. Enemies at hp <= 0 are marked with ``kill_rows`` (deferred despawn); their positions
and tiers, and the positions of enemies hit and not killed, are recorded in
``state.casualties`` for the ``deaths`` system, which flushes the store.
"""

from __future__ import annotations

import numpy as np

from engine.data import Counter, CounterCells

from .._kernels import Compactor, f32, i64
from ..damage import KIND_BOSS, KIND_ENEMY, KIND_PLAYER
from ..state import WorldState

__all__ = ["DamageSystem"]

class DamageSystem(CounterCells):
    """System ``damage``: drain the damage ring and apply every event once.

    Enemies killed and hurt this tick are written to ``state.casualties``.

    Attributes:
        events_applied: enemy events applied since the start.
        last_rounds: accumulation rounds of the last tick (1 unless an enemy was hit twice).

    The counts are int64 cells (``engine.data.counters``): ``events_applied`` passes 256 in the
    first seconds, and the per-tick counts exceed 256 in a big horde.
    """

    events_applied = Counter()
    last_rounds = Counter()

    def __init__(self, state: WorldState) -> None:
        self.state = state
        ring = state.damage_ring
        rcap = ring.capacity
        ecap = state.enemies.capacity
        self._out: dict[str, np.ndarray] = {
            "target": np.zeros(rcap, np.int64), "amount": np.zeros(rcap, np.float32),
            "source": np.zeros(rcap, np.int16), "kind": np.zeros(rcap, np.uint8)}
        self._dump = ecap
        self._owner = np.zeros(ecap + 1, np.int64)
        self._acc = np.zeros(ecap + 1, np.float32)
        self._iota = np.arange(rcap + 1, dtype=np.int64)
        self._rows = np.zeros(rcap + 1, np.int64)
        self._rows_p = np.zeros(rcap + 1, np.int64)
        self._tmp_i = np.zeros(rcap + 1, np.int64)
        self._vals = np.zeros(rcap, np.float32)
        self._valid = np.zeros(rcap, np.bool_)
        self._pending = np.zeros(rcap, np.bool_)
        self._rep = np.zeros(rcap, np.bool_)
        self._tmpb = np.zeros(rcap, np.bool_)
        self._urows = np.zeros(rcap + 1, np.int64)
        self._uhp = np.zeros(rcap, np.float32)
        self._ubool = np.zeros(rcap, np.bool_)
        self._dead_rows = np.zeros(rcap + 1, np.int64)
        self._hit_rows = np.zeros(rcap + 1, np.int64)
        self._kill_mask = np.zeros(ecap, np.bool_)
        self._ok = np.zeros(rcap, np.bool_)
        self._c_inf = f32(np.inf)
        self._tier_u8 = np.zeros(rcap, np.uint8)
        self._compact = Compactor(rcap)
        self._c_enemy = np.array(KIND_ENEMY, np.uint8)
        self._c_zero_i = i64(0)
        self._c_zero_f = f32(0.0)

    def __call__(self, dt: float) -> None:
        """Drain the ring and apply the events.

        Allocation contract: allocates no array data after warm-up; transient views and
        Python scalars only (boss and player events are applied in a short Python loop).
        """
        w = self.state
        out = self._out
        n = w.damage_ring.drain(out)
        st = w.stats
        st.damage_events_last_tick = n
        st.damage_events_total += n
        w.casualties.hit_count = 0
        if n == 0:
            return
        # Amounts: finite and >= 0 (NaN fails both comparisons), else refused and counted.
        amount = out["amount"][:n]
        ok = np.greater_equal(amount, self._c_zero_f, out=self._ok[:n])
        np.logical_and(ok, np.less(amount, self._c_inf, out=self._tmpb[:n]), out=ok)
        n_ok = int(np.count_nonzero(ok))
        is_enemy = np.equal(out["kind"][:n], self._c_enemy, out=self._valid[:n])
        if n_ok != n:
            st.damage_refused += n - n_ok
            np.logical_and(is_enemy, ok, out=is_enemy)
        n_enemy = int(np.count_nonzero(is_enemy))
        if n_enemy != n_ok:
            self._apply_others(n)
        if n_enemy:
            self._apply_enemies(n, n_enemy)

    def _apply_others(self, n: int) -> None:
        """Boss and player events with a valid amount: few, applied one by one."""
        w = self.state
        others = np.logical_not(self._valid[:n], out=self._tmpb[:n])
        np.logical_and(others, self._ok[:n], out=others)
        k = self._compact(others, self._iota[:n], self._tmp_i)
        targets = self._out["target"]
        amounts = self._out["amount"]
        kinds = self._out["kind"]
        stale = 0
        player_hits = 0
        for j in range(k):
            i = int(self._tmp_i[j])
            kind = int(kinds[i])
            amount = float(amounts[i])
            if kind == KIND_BOSS:
                if not w.bosses.apply_damage(int(targets[i]), amount):
                    stale += 1
            elif kind == KIND_PLAYER:
                if w.player.take_damage(amount):
                    player_hits += 1
            else:
                stale += 1
        # The counters once per tick, not per event (each write is a descriptor call).
        st = w.stats
        if stale:
            st.stale_damage_events += stale
        if player_hits:
            st.player_hits += player_hits
            st.player_deaths = w.player.deaths

    def _apply_enemies(self, n: int, n_enemy: int) -> None:
        w = self.state
        enemies = w.enemies
        rows = self._rows[:n]
        enemies.rows_of(self._out["target"][:n], rows)
        valid = self._valid[:n]
        np.logical_and(valid, np.greater_equal(rows, self._c_zero_i, out=self._tmpb[:n]),
                       out=valid)
        if enemies.pending:
            # Rows marked for despawn before this step (quarantined, or despawned by game
            # code) are gone for damage: their events are stale (no second death).
            marked = enemies.marked.take(rows, out=self._tmpb[:n], mode="clip")
            np.logical_and(valid, np.logical_not(marked, out=marked), out=valid)
        n_valid = int(np.count_nonzero(valid))
        if n_valid != n_enemy:  # a counter write is a descriptor call: none when nothing is stale
            w.stats.stale_damage_events += n_enemy - n_valid
        if n_valid == 0:
            return
        self.events_applied += n_valid
        dump = self._dump
        np.copyto(rows, dump, where=np.logical_not(valid, out=self._tmpb[:n]))
        pending = self._pending[:n]
        np.copyto(pending, valid)
        iota = self._iota[:n]
        rows_p = self._rows_p[:n]
        tmp = self._tmp_i[:n]
        rep = self._rep[:n]
        vals = self._vals[:n]
        acc = self._acc
        amount = self._out["amount"][:n]
        n_unique = 0
        rounds = 0
        while True:
            rounds += 1
            # Rows of the pending events; the others write to the dump slot.
            np.copyto(rows_p, rows)
            np.copyto(rows_p, dump, where=np.logical_not(pending, out=self._tmpb[:n]))
            np.put(self._owner, rows_p, iota, mode="clip")
            self._owner.take(rows_p, out=tmp, mode="clip")
            np.equal(tmp, iota, out=rep)
            np.logical_and(rep, pending, out=rep)
            if rounds == 1:
                # One representative per distinct row: the set of rows hit this tick.
                n_unique = self._compact(rep, rows, self._urows)
            np.copyto(rows_p, dump, where=np.logical_not(rep, out=self._tmpb[:n]))
            acc.take(rows_p, out=vals, mode="clip")
            np.add(vals, amount, out=vals)
            np.put(acc, rows_p, vals, mode="clip")
            np.logical_and(pending, np.logical_not(rep, out=self._tmpb[:n]), out=pending)
            if not pending.any():
                break
        self.last_rounds = rounds
        # Apply the sums to the rows hit, then clear the accumulator there.
        urows = self._urows[:n_unique]
        hp = enemies.columns["hp"]
        uhp = self._uhp[:n_unique]
        udmg = self._vals[:n_unique]
        hp.take(urows, out=uhp, mode="clip")
        acc.take(urows, out=udmg, mode="clip")
        np.subtract(uhp, udmg, out=uhp)
        np.put(hp, urows, uhp, mode="clip")
        np.put(acc, urows, self._c_zero_f, mode="clip")
        acc[dump] = 0.0
        # Deaths: mark (deferred), and remember where they were and what they were.
        cas = w.casualties
        dead = np.less_equal(uhp, self._c_zero_f, out=self._ubool[:n_unique])
        k = self._compact(dead, urows, self._dead_rows)
        if k:
            count = enemies.count
            mask = self._kill_mask[:count]
            mask.fill(False)
            dead_rows = self._dead_rows[:k]
            np.put(mask, dead_rows, True, mode="clip")
            enemies.kill_rows(mask)
            enemies.columns["pos"].take(dead_rows, axis=0, out=cas.death_pos[:k], mode="clip")
            tier_u8 = self._tier_u8[:k]
            enemies.columns["tier"].take(dead_rows, out=tier_u8, mode="clip")
            np.copyto(cas.death_tier[:k], tier_u8, casting="unsafe")
        cas.death_count = k
        # Hits that did not kill: where the hit sparks go.
        cap = w.config.particles.max_hit_bursts
        if cap and n_unique > k:
            alive = np.logical_not(dead, out=self._ubool[:n_unique])
            h = self._compact(alive, urows, self._hit_rows)
            h = min(h, cap)
            enemies.columns["pos"].take(self._hit_rows[:h], axis=0, out=cas.hit_pos[:h],
                                        mode="clip")
            cas.hit_count = h
