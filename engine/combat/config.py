"""Configuration of the horde kit: plain dataclasses, each attribute documented.

``WorldConfig`` gathers everything ``World`` needs; the game (or a test, or a benchmark)
changes what it wants and leaves the rest. ``WorldConfig.validate()`` runs when a World is
built and raises :class:`ConfigError` naming the attribute, what was expected and what was
found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .tiers import Tier, TierTable, default_tiers

__all__ = [
    "ConfigError", "WaveSchedule", "BossWave", "PlayerConfig", "MeleeConfig", "WeaponConfig",
    "SeparationConfig", "ParticleConfig", "WorldConfig",
]


class ConfigError(ValueError):
    """A configuration value is out of range or of the wrong type."""


def _show(value: object) -> str:
    # Python refuses to print an int of over 4300 digits.
    if isinstance(value, int) and value.bit_length() > 64:
        return f"an int of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    return repr(value)


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond the float range
        return False


def _num(where: str, value: object, *, minimum: float = 0.0, strict: bool = True) -> None:
    ok = (not isinstance(value, bool) and isinstance(value, (int, float)) and _finite(value)
          and (value > minimum if strict else value >= minimum))
    if not ok:
        rel = ">" if strict else ">="
        raise ConfigError(f"{where}: expected a number {rel} {minimum:g}, got {_show(value)}")


def _int(where: str, value: object, *, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where}: expected an int >= {minimum}, got {_show(value)}")


@dataclass
class WaveSchedule:
    """How the wave director spawns the horde."""

    start_rate: float = 4.0
    """Spawns per second at time 0."""
    max_rate: float = 120.0
    """Spawns per second once the ramp is over (the ramp is linear in time)."""
    ramp_seconds: float = 90.0
    """Seconds from ``start_rate`` to ``max_rate``."""
    max_enemies: int = 500
    """Cap on live enemies; the director waits (does not count a refusal) above it."""
    max_per_tick: int = 0
    """At most this many spawns in one tick (0: no limit)."""
    tier_mix: tuple[tuple[float, tuple[float, ...]], ...] = (
        (0.0, (1.0, 0.0, 0.0)),
        (30.0, (0.75, 0.25, 0.0)),
        (90.0, (0.55, 0.35, 0.10)),
    )
    """``(time_s, weights per tier)`` key points, time ascending; the weights in between are
    interpolated linearly and normalised. One weight per tier of the tier table."""
    spawn_margin: float = 48.0
    """Spawn ring inner radius = half-diagonal of the view + this margin (pixels)."""
    spawn_ring_width: float = 96.0
    """Width of the spawn ring (pixels)."""
    speed_jitter: float = 0.1
    """Per-enemy speed varies by +/- this fraction of its tier's speed."""


@dataclass
class BossWave:
    """A boss that enters at a scheduled time."""

    time: float
    """Seconds since the start of the run."""
    scene: str
    """Path of the boss scene file (TOML)."""


@dataclass
class PlayerConfig:
    """The player."""

    hp: float = 100.0
    """Hit points."""
    speed: float = 170.0
    """Pixels per second."""
    radius: float = 12.0
    """Body radius in pixels (contact with enemies, hostile projectiles)."""
    invuln_seconds: float = 0.5
    """Invulnerability after a hit."""
    immortal: bool = False
    """When hp reaches 0, refill it and count a death instead of stopping (stress tests)."""
    autopilot: bool = False
    """Kite on a circle around the arena centre instead of reading ``input_x/input_y``."""
    autopilot_radius: float = 260.0
    """Radius of the autopilot's circle (pixels)."""


@dataclass
class MeleeConfig:
    """The player's periodic area attack."""

    enabled: bool = True
    """Whether it swings at all."""
    radius: float = 70.0
    """Reach from the player's centre (an enemy is hit when its centre is within it)."""
    damage: float = 12.0
    """Damage per hit."""
    period: float = 0.8
    """Seconds between swings."""
    arc_degrees: float = 360.0
    """Full angle of the swing around the player's facing (360: all around)."""


@dataclass
class WeaponConfig:
    """The player's auto-aimed projectile weapon."""

    enabled: bool = True
    """Whether it fires at all."""
    fire_rate: float = 4.0
    """Volleys per second."""
    multishot: int = 1
    """Projectiles per volley."""
    spread_degrees: float = 12.0
    """Angle between the projectiles of a volley."""
    speed: float = 480.0
    """Projectile speed (pixels per second)."""
    damage: float = 18.0
    """Damage per hit."""
    lifetime: float = 1.2
    """Seconds a projectile flies."""
    radius: float = 4.0
    """Projectile radius (pixels)."""
    pierce: int = 0
    """Enemies a projectile passes through before it is spent."""
    aim_range: float = 520.0
    """Auto-aim picks the nearest enemy within this distance; no target, no shot."""


@dataclass
class SeparationConfig:
    """Enemies pushing each other apart."""

    enabled: bool = True
    """Whether enemies push each other at all."""
    strength: float = 30.0
    """Stiffness (1/s): two overlapping enemies push each other apart at ``strength`` times
    the overlap in pixels per second (0 when just touching: distance = sum of radii)."""
    max_push_factor: float = 1.5
    """An enemy's step (seek + push) is at most this times its speed: no overshoot in
    crowds."""
    neighbours: int = 3
    """Neighbours examined per enemy in the spatial hash's sorted order."""


@dataclass
class ParticleConfig:
    """Hit and death particles."""

    per_death: int = 6
    """Particles per enemy death."""
    per_hit: int = 1
    """Particles per enemy hit that did not kill."""
    max_hit_bursts: int = 64
    """Hit bursts spawned per tick at most (the rest are skipped, not refused)."""
    life: float = 0.45
    """Longest particle life (seconds); each gets 50-100% of it."""
    speed: float = 140.0
    """Fastest initial speed (pixels per second)."""
    drag: float = 4.0
    """Velocity decay per second (fraction)."""
    size: float = 3.0
    """Initial size in pixels."""


@dataclass
class WorldConfig:
    """Everything a combat ``World`` is built from.

    The arena is ``[-arena_size[0] / 2, arena_size[0] / 2] x [-arena_size[1] / 2,
    arena_size[1] / 2]`` (pixels, y up or down: the kit does not care).
    """

    enemy_capacity: int = 10_000
    """Enemy store rows (a full store refuses spawns and counts them)."""
    projectile_capacity: int = 1024
    """Projectile store rows (player's and bosses')."""
    particle_capacity: int = 8192
    """Particle store rows."""
    boss_capacity: int = 4
    """Bosses alive at once (an ObjectPool; at most 256)."""
    ring_capacity: int = 16384
    """Damage events the ring holds per tick; overflows are counted on the ring."""
    arena_size: tuple[float, float] = (4096.0, 4096.0)
    """Arena width and height, centred on the origin; everything is clamped inside."""
    view_half_extent: tuple[float, float] = (640.0, 360.0)
    """Half width and half height of the camera view; spawns happen outside it. The game may
    change it at any time (it is read at every spawn)."""
    cell_size: float = 32.0
    """Spatial hash cell size (pixels); at least twice the largest enemy radius works well."""
    tiers: tuple[Tier, ...] = field(default_factory=default_tiers)
    """The enemy tiers (index = the ``tier`` column value)."""
    waves: WaveSchedule = field(default_factory=WaveSchedule)
    """Spawn ramp, cap and tier mix."""
    bosses: tuple[BossWave, ...] = ()
    """Scheduled boss waves."""
    player: PlayerConfig = field(default_factory=PlayerConfig)
    """The player."""
    melee: MeleeConfig = field(default_factory=MeleeConfig)
    """The player's area attack."""
    weapon: WeaponConfig = field(default_factory=WeaponConfig)
    """The player's projectile weapon."""
    separation: SeparationConfig = field(default_factory=SeparationConfig)
    """Enemy separation."""
    particles: ParticleConfig = field(default_factory=ParticleConfig)
    """Hit and death particles."""
    contact_damage: bool = True
    """Enemies touching the player hurt it."""

    def validate(self) -> TierTable:
        """Check every value; return the tier table built from ``tiers``.

        Raises:
            ConfigError: a value out of range or of the wrong type (names the attribute).
            TierError: a bad tier.
        """
        for name in ("enemy_capacity", "projectile_capacity", "particle_capacity",
                     "boss_capacity", "ring_capacity"):
            _int(name, getattr(self, name), minimum=1)
        if self.boss_capacity > 256:
            raise ConfigError(f"boss_capacity: expected at most 256 (boss handles keep the slot "
                              f"in 8 bits), got {self.boss_capacity}")
        for name in ("arena_size", "view_half_extent"):
            value = getattr(self, name)
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise ConfigError(f"{name}: expected 2 numbers, got {value!r}")
            for v in value:
                _num(name, v)
        _num("cell_size", self.cell_size)
        table = TierTable(self.tiers)
        w = self.waves
        _num("waves.start_rate", w.start_rate, strict=False)
        _num("waves.max_rate", w.max_rate, strict=False)
        _num("waves.ramp_seconds", w.ramp_seconds)
        _int("waves.max_enemies", w.max_enemies)
        _int("waves.max_per_tick", w.max_per_tick)
        _num("waves.spawn_margin", w.spawn_margin, strict=False)
        _num("waves.spawn_ring_width", w.spawn_ring_width, strict=False)
        _num("waves.speed_jitter", w.speed_jitter, strict=False)
        if w.speed_jitter >= 1:
            raise ConfigError(f"waves.speed_jitter: expected a fraction < 1, "
                              f"got {w.speed_jitter!r}")
        if not isinstance(w.tier_mix, (tuple, list)) or not w.tier_mix:
            raise ConfigError(f"waves.tier_mix: expected at least one (time, weights) point, "
                              f"got {w.tier_mix!r}")
        last = -math.inf
        for i, point in enumerate(w.tier_mix):
            where = f"waves.tier_mix[{i}]"
            if not isinstance(point, (tuple, list)) or len(point) != 2:
                raise ConfigError(f"{where}: expected (time, weights), got {point!r}")
            t, weights = point
            _num(f"{where} time", t, strict=False)
            if t < last:
                raise ConfigError(f"{where} time: expected times in ascending order, got {t!r} "
                                  f"after {last!r}")
            last = t
            if not isinstance(weights, (tuple, list)) or len(weights) != len(table):
                raise ConfigError(f"{where} weights: expected {len(table)} weights (one per "
                                  f"tier: {', '.join(table.names)}), got {weights!r}")
            for v in weights:
                _num(f"{where} weights", v, strict=False)
            if sum(weights) <= 0:
                raise ConfigError(f"{where} weights: expected a positive sum, got {weights!r}")
        if not isinstance(self.bosses, (tuple, list)):
            raise ConfigError(f"bosses: expected a tuple of BossWave, got {self.bosses!r}")
        for i, b in enumerate(self.bosses):
            if not isinstance(b, BossWave):
                raise ConfigError(f"bosses[{i}]: expected a BossWave, got {type(b).__name__}")
            _num(f"bosses[{i}].time", b.time, strict=False)
        p = self.player
        for name in ("hp", "speed", "radius", "autopilot_radius"):
            _num(f"player.{name}", getattr(p, name))
        _num("player.invuln_seconds", p.invuln_seconds, strict=False)
        m = self.melee
        _num("melee.radius", m.radius)
        _num("melee.damage", m.damage, strict=False)
        _num("melee.period", m.period)
        _num("melee.arc_degrees", m.arc_degrees)
        if m.arc_degrees > 360:
            raise ConfigError(f"melee.arc_degrees: expected at most 360, got {m.arc_degrees!r}")
        wp = self.weapon
        for name in ("fire_rate", "speed", "lifetime", "radius", "aim_range"):
            _num(f"weapon.{name}", getattr(wp, name))
        _num("weapon.damage", wp.damage, strict=False)
        _num("weapon.spread_degrees", wp.spread_degrees, strict=False)
        _int("weapon.multishot", wp.multishot, minimum=1)
        _int("weapon.pierce", wp.pierce)
        if wp.radius + table.max_radius > self.cell_size:
            raise ConfigError(f"weapon.radius: expected at most cell_size - largest tier radius "
                              f"= {self.cell_size - table.max_radius:g}, got {wp.radius!r}")
        s = self.separation
        _num("separation.strength", s.strength, strict=False)
        _int("separation.neighbours", s.neighbours)
        _num("separation.max_push_factor", s.max_push_factor, minimum=1.0, strict=False)
        pc = self.particles
        _int("particles.per_death", pc.per_death)
        _int("particles.per_hit", pc.per_hit)
        _int("particles.max_hit_bursts", pc.max_hit_bursts)
        for name in ("life", "size"):
            _num(f"particles.{name}", getattr(pc, name))
        _num("particles.speed", pc.speed, strict=False)
        _num("particles.drag", pc.drag, strict=False)
        return table
