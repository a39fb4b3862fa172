"""System ``player``: moves the player from the game's input, or kites on the autopilot."""

from __future__ import annotations

import math

from ..state import WorldState

__all__ = ["PlayerControlSystem"]


class PlayerControlSystem:
    """System ``player``: moves the player from its input (or the autopilot).

    The input is clamped to [-1, 1] and a NaN input counts as 0; a non-finite position
    (written by game code) goes back to the previous one, counted in
    ``CombatStats.nonfinite_quarantined``. So the player's position stays finite.
    """

    def __init__(self, state: WorldState) -> None:
        self.state = state
        self.player = state.player
        self._min = state.arena_min
        self._max = state.arena_max

    def __call__(self, dt: float) -> None:
        """Move the player one step.

        Allocation contract: transient Python floats only; allocates no array data and
        retains nothing.
        """
        p = self.player
        if not (math.isfinite(p.pos[0]) and math.isfinite(p.pos[1])):
            # Written from outside the kit: back to where this position was last finite (every
            # enemy seeks the player, so a NaN here would reach the whole horde).
            p.pos[0] = p.prev_pos[0]
            p.pos[1] = p.prev_pos[1]
            self.state.stats.nonfinite_quarantined += 1
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
            ix = float(p.input_x)
            iy = float(p.input_y)
            # A NaN input is no input (min/max would turn it into a full step).
            mx = max(-1.0, min(1.0, ix)) if ix == ix else 0.0
            my = max(-1.0, min(1.0, iy)) if iy == iy else 0.0
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
