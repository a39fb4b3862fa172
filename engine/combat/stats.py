"""CombatStats: the counters the profiler reads from a combat World (``world.stats``)."""

from __future__ import annotations

import numpy as np

from engine.data import Counter, CounterCells

__all__ = ["CombatStats"]


class CombatStats(CounterCells):
    """Counters updated by the combat systems; read-only for everyone else.

    The int counters are int64 cells (``engine.data.counters``): reading one gives a plain
    int, and a counter past 256 keeps no Python int alive. Pool counters (capacity, in use,
    refusals, reuses...) are on each pool's ``PoolStats`` (``world.pools()``); ring overflows
    are on the ring (``world.rings()``).
    """

    __slots__ = ("tier_names", "time", "enemies_by_tier", "kills_by_tier")

    ticks = Counter()
    """Steps simulated."""
    enemies_live = Counter()
    """Live enemies (after this tick's flush)."""
    damage_events_last_tick = Counter()
    """Damage events drained in the last tick."""
    damage_events_total = Counter()
    """Damage events drained since the start."""
    stale_damage_events = Counter()
    """Events whose target was already gone (stale handle): dropped, counted."""
    damage_refused = Counter()
    """Damage events refused for their amount (NaN, infinite or negative): dropped, counted."""
    nonfinite_quarantined = Counter()
    """Non-finite numbers contained: enemy rows quarantined for a NaN or infinite position,
    separation velocity or hp (removed at the tick's flush, no kill credited), and player
    positions put back to the previous tick's."""
    projectiles_live = Counter()
    """Live projectiles (player's and bosses')."""
    particles_live = Counter()
    """Live particles."""
    bosses_live = Counter()
    """Bosses alive (dying ones included until their death animation ends)."""
    spawns_total = Counter()
    """Enemies spawned since the start."""
    spawn_refusals = Counter()
    """Enemy spawns refused because the enemy store was full (never silent)."""
    spawns_capped = Counter()
    """Ticks in which the wave director held spawns back at ``max_enemies``."""
    boss_spawns = Counter()
    """Bosses that entered."""
    boss_refusals = Counter()
    """Boss waves refused because the boss pool was full."""
    boss_kills = Counter()
    """Bosses killed."""
    melee_swings = Counter()
    """Melee swings."""
    melee_hits_total = Counter()
    """Damage events pushed by melee."""
    projectiles_fired = Counter()
    """Projectiles the player fired."""
    projectile_hits_total = Counter()
    """Damage events pushed by projectiles (player's)."""
    player_hits = Counter()
    """Hits the player took (after invulnerability)."""
    player_deaths = Counter()
    """Times the player's hp reached 0."""

    def __init__(self, tier_names: tuple[str, ...]) -> None:
        n_tiers = len(tier_names)
        self.tier_names = tier_names
        """Tier names, in the order of the per-tier arrays."""
        self.time = 0.0
        """Simulated seconds."""
        self.enemies_by_tier = np.zeros(n_tiers, np.int64)
        """Live enemies per tier (after this tick's flush)."""
        self.kills_by_tier = np.zeros(n_tiers, np.int64)
        """Enemies killed per tier since the start."""

    def as_dict(self) -> dict[str, object]:
        """A plain snapshot for reports (allocates: not for per-frame use)."""
        out: dict[str, object] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            out[name] = value.tolist() if isinstance(value, np.ndarray) else value
        out.update(self.counters())
        return out

    def __repr__(self) -> str:
        return (f"CombatStats(ticks={self.ticks}, enemies={self.enemies_live}, "
                f"kills={int(self.kills_by_tier.sum())}, refusals={self.spawn_refusals}, "
                f"projectiles={self.projectiles_live}, particles={self.particles_live}, "
                f"bosses={self.bosses_live})")
