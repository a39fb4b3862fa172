"""The player: state, keyboard/autopilot movement, and contact damage from the horde.

The game sets ``player.input_x`` / ``player.input_y`` (each in [-1, 1]) from its input every
frame; this module never imports the window layer. With ``autopilot`` on, the player kites on
a circle around the arena centre instead (the stress test).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from engine.data import Counter, CounterCells

from ._kernels import f32
from .config import PlayerConfig
from .damage import KIND_PLAYER, SOURCE_CONTACT

if TYPE_CHECKING:
    from .world import World

__all__ = ["Player", "PlayerControl", "ContactDamage"]


class Player(CounterCells):
    """The player's state (one object, updated in place).

    Attributes:
        pos: ``(2,)`` float32 position (updated in place, never replaced).
        prev_pos: position at the start of the tick (render interpolation).
        facing: unit ``(2,)`` float32, the last direction moved (melee arcs use it).
        input_x, input_y: the game's movement input, each in [-1, 1].
        autopilot: kite on a circle instead of reading the input.
        hp, max_hp: hit points.
        invuln: seconds of invulnerability left.
        alive: False once hp reached 0 (unless ``immortal``).
        kills, xp: counters.
        hits_taken, deaths: counters.

    The four counters are int64 cells (``engine.data.counters``): kills and xp pass 256 in the
    first seconds of a horde, and a plain int past 256 would keep a heap int alive.
    """

    kills = Counter()
    xp = Counter()
    hits_taken = Counter()
    deaths = Counter()

    def __init__(self, cfg: PlayerConfig) -> None:
        self.cfg = cfg
        self.pos = np.zeros(2, np.float32)
        self.prev_pos = np.zeros(2, np.float32)
        self.facing = np.array([1.0, 0.0], np.float32)
        self.input_x = 0.0
        self.input_y = 0.0
        self.autopilot = cfg.autopilot
        self.autopilot_angle = 0.0
        self.speed = cfg.speed
        self.radius = cfg.radius
        self.hp = cfg.hp
        self.max_hp = cfg.hp
        self.invuln = 0.0
        self.alive = True

    @property
    def x(self) -> float:
        return float(self.pos[0])

    @property
    def y(self) -> float:
        return float(self.pos[1])

    @property
    def prev_x(self) -> float:
        return float(self.prev_pos[0])

    @property
    def prev_y(self) -> float:
        return float(self.prev_pos[1])

    def teleport(self, x: float, y: float) -> None:
        """Place the player (no interpolation from the old spot)."""
        self.pos[0] = x
        self.pos[1] = y
        self.prev_pos[0] = x
        self.prev_pos[1] = y

    def take_damage(self, amount: float) -> bool:
        """Apply one hit unless invulnerable or dead.

        Returns:
            True when the hit landed.
        """
        if self.invuln > 0.0 or not self.alive or amount <= 0.0:
            return False
        self.hp -= amount
        self._cv[_HITS_TAKEN] += 1  # per hit: the cell directly, not the descriptor
        self.invuln = self.cfg.invuln_seconds
        if self.hp <= 0.0:
            self.deaths += 1
            if self.cfg.immortal:
                self.hp = self.max_hp
            else:
                self.hp = 0.0
                self.alive = False
        return True


_HITS_TAKEN = Player.hits_taken.index


class PlayerControl:
    """System ``player``: moves the player from its input (or the autopilot)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.player = world.player
        self._min = world.arena_min
        self._max = world.arena_max

    def __call__(self, dt: float) -> None:
        """Move the player one step.

        Allocation contract: transient Python floats only; allocates no array data and
        retains nothing.
        """
        p = self.player
        p.prev_pos[0] = p.pos[0]
        p.prev_pos[1] = p.pos[1]
        if p.invuln > 0.0:
            p.invuln = max(0.0, p.invuln - dt)
        if not p.alive:
            return
        x = float(p.pos[0])
        y = float(p.pos[1])
        if p.autopilot:
            # Kite: aim at a point running ahead on a circle; the player catches the circle
            # from wherever it is and then orbits at its full speed.
            r = p.cfg.autopilot_radius
            p.autopilot_angle = (p.autopilot_angle + p.speed * dt / r) % math.tau
            ahead = p.autopilot_angle + 0.6
            mx = r * math.cos(ahead) - x
            my = r * math.sin(ahead) - y
        else:
            mx = max(-1.0, min(1.0, float(p.input_x)))
            my = max(-1.0, min(1.0, float(p.input_y)))
        d = math.hypot(mx, my)
        if d < 1e-6:
            return
        step = p.speed * dt / d if (p.autopilot or d > 1.0) else p.speed * dt
        x += mx * step
        y += my * step
        p.pos[0] = min(max(x, float(self._min[0])), float(self._max[0]))
        p.pos[1] = min(max(y, float(self._min[1])), float(self._max[1]))
        p.facing[0] = mx / d
        p.facing[1] = my / d


class ContactDamage:
    """System ``contact``: enemies touching the player push one damage event.

    Runs after the spatial hash rebuild; one event per tick at most (the strongest enemy in
    contact), and none while the player is invulnerable.
    """

    def __init__(self, world: World) -> None:
        self.world = world
        cap = world.enemies.capacity
        self._rows = np.zeros(cap + 1, np.int64)
        self._d = np.zeros(cap, np.float32)
        self._xy = np.zeros((cap, 2), np.float32)
        self._r = np.zeros(cap, np.float32)
        self._dmg = np.zeros(cap, np.float32)
        self._hit = np.zeros(cap, np.bool_)
        self._pr = f32(world.player.radius)
        self._zero = f32(0.0)
        self.enabled = world.config.contact_damage

    def __call__(self, dt: float) -> None:
        """Find enemies overlapping the player; push the largest contact damage.

        Allocation contract: allocates no array data; transient views and Python scalars only.
        """
        p = self.world.player
        if not self.enabled or p.invuln > 0.0 or not p.alive:
            return
        w = self.world
        if w.enemies.count == 0:
            return
        reach = p.radius + w.tiers.max_radius
        n = w.hash.query_radius(float(p.pos[0]), float(p.pos[1]), reach, self._rows)
        if n == 0:
            return
        rows = self._rows[:n]
        cols = w.enemies.columns
        xy = self._xy[:n]
        cols["pos"].take(rows, axis=0, out=xy, mode="clip")
        np.subtract(xy[:, 0], p.pos[0:1], out=xy[:, 0])
        np.subtract(xy[:, 1], p.pos[1:2], out=xy[:, 1])
        np.multiply(xy, xy, out=xy)
        d = self._d[:n]
        np.add(xy[:, 0], xy[:, 1], out=d)
        # In contact: squared distance <= (player radius + enemy radius)^2.
        r = self._r[:n]
        cols["radius"].take(rows, out=r, mode="clip")
        np.add(r, self._pr, out=r)
        np.multiply(r, r, out=r)
        hit = np.less_equal(d, r, out=self._hit[:n])
        if not hit.any():
            return
        dmg = self._dmg[:n]
        cols["damage"].take(rows, out=dmg, mode="clip")
        np.copyto(dmg, self._zero, where=np.logical_not(hit, out=hit))
        amount = float(dmg.max())
        if amount > 0.0:
            w.damage_ring.push(0, amount, SOURCE_CONTACT, KIND_PLAYER)
