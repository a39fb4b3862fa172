"""CombatStats: the counters the profiler reads from a combat World (``world.stats``)."""

from __future__ import annotations

import numpy as np

__all__ = ["CombatStats"]


class CombatStats:
    """Plain counters updated by the combat systems; read-only for everyone else.

    Pool counters (capacity, in use, refusals, reuses...) are on each pool's ``PoolStats``
    (``world.pools()``); ring overflows are on the ring (``world.rings()``).
    """

    __slots__ = (
        "tier_names", "ticks", "time", "enemies_by_tier", "kills_by_tier", "enemies_live",
        "damage_events_last_tick", "damage_events_total", "stale_damage_events",
        "projectiles_live", "particles_live", "bosses_live",
        "spawns_total", "spawn_refusals", "spawns_capped",
        "boss_spawns", "boss_refusals", "boss_kills",
        "melee_swings", "melee_hits_total", "projectiles_fired", "projectile_hits_total",
        "player_hits", "player_deaths",
    )

    def __init__(self, tier_names: tuple[str, ...]) -> None:
        n_tiers = len(tier_names)
        self.tier_names = tier_names
        """Tier names, in the order of the per-tier arrays."""
        self.ticks = 0
        """Steps simulated."""
        self.time = 0.0
        """Simulated seconds."""
        self.enemies_by_tier = np.zeros(n_tiers, np.int64)
        """Live enemies per tier (after this tick's flush)."""
        self.kills_by_tier = np.zeros(n_tiers, np.int64)
        """Enemies killed per tier since the start."""
        self.enemies_live = 0
        """Live enemies (after this tick's flush)."""
        self.damage_events_last_tick = 0
        """Damage events drained in the last tick."""
        self.damage_events_total = 0
        """Damage events drained since the start."""
        self.stale_damage_events = 0
        """Events whose target was already gone (stale handle): dropped, counted."""
        self.projectiles_live = 0
        """Live projectiles (player's and bosses')."""
        self.particles_live = 0
        """Live particles."""
        self.bosses_live = 0
        """Bosses alive (dying ones included until their death animation ends)."""
        self.spawns_total = 0
        """Enemies spawned since the start."""
        self.spawn_refusals = 0
        """Enemy spawns refused because the enemy store was full (never silent)."""
        self.spawns_capped = 0
        """Ticks in which the wave director held spawns back at ``max_enemies``."""
        self.boss_spawns = 0
        """Bosses that entered."""
        self.boss_refusals = 0
        """Boss waves refused because the boss pool was full."""
        self.boss_kills = 0
        """Bosses killed."""
        self.melee_swings = 0
        """Melee swings."""
        self.melee_hits_total = 0
        """Damage events pushed by melee."""
        self.projectiles_fired = 0
        """Projectiles the player fired."""
        self.projectile_hits_total = 0
        """Damage events pushed by projectiles (player's)."""
        self.player_hits = 0
        """Hits the player took (after invulnerability)."""
        self.player_deaths = 0
        """Times the player's hp reached 0."""

    def as_dict(self) -> dict[str, object]:
        """A plain snapshot for reports (allocates: not for per-frame use)."""
        out: dict[str, object] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            out[name] = value.tolist() if isinstance(value, np.ndarray) else value
        return out

    def __repr__(self) -> str:
        return (f"CombatStats(ticks={self.ticks}, enemies={self.enemies_live}, "
                f"kills={int(self.kills_by_tier.sum())}, refusals={self.spawn_refusals}, "
                f"projectiles={self.projectiles_live}, particles={self.particles_live}, "
                f"bosses={self.bosses_live})")
