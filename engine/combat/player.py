"""The player's state: position, input, hit points and counters.

The game sets ``player.input_x`` / ``player.input_y`` (each in [-1, 1]) from its input every
frame; this module never imports the window layer. With ``autopilot`` on, the ``player``
system kites it on a circle around the arena centre instead (the stress test); the
``contact`` system hurts it where the horde touches it.
"""

from __future__ import annotations

import math

import numpy as np

from engine.data import Counter, CounterCells

from .config import PlayerConfig

__all__ = ["Player"]


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
        """Place the player (no interpolation from the old spot).

        Raises:
            ValueError: x or y is not a finite number.
        """
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"player.teleport: expected a finite position, got ({x!r}, {y!r})")
        self.pos[0] = x
        self.pos[1] = y
        self.prev_pos[0] = x
        self.prev_pos[1] = y

    def take_damage(self, amount: float) -> bool:
        """Apply one hit unless invulnerable or dead.

        An amount that is not a finite number > 0 (NaN, infinite, zero or negative) does not
        land: hp stays finite and a hit never heals.

        Returns:
            True when the hit landed.
        """
        if self.invuln > 0.0 or not self.alive or not 0.0 < amount < math.inf:
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
