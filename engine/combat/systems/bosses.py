"""System ``bosses``: each tick, the live bosses' animations, movement, contact and timed
state changes.

The bosses themselves and the transitions other systems cause (spawn, damage, entering a
state) are the state's :class:`~engine.combat.bosses.BossRoster`; this system steps them.
"""

from __future__ import annotations

import math
from typing import cast

from ..bosses import EPS, Boss
from ..damage import KIND_PLAYER, SOURCE_BOSS
from ..scene import BossScene
from ..state import WorldState

__all__ = ["BossSystem"]

_ANIM_FRAME = Boss.anim_frame.index
_TRANSITIONS = Boss.transitions.index


class BossSystem:
    """System ``bosses``: state machines, movement, patterns and contact of the live bosses."""

    def __init__(self, state: WorldState) -> None:
        self.state = state

    def __call__(self, dt: float) -> None:
        """Advance every live boss one step.

        Allocation contract: transient Python floats only; retains nothing (state names are
        the scene's own strings, the cooldown dict keeps its keys).
        """
        for boss in self.state.bosses.slots:
            if boss.active:
                self._step(boss, dt)

    def _step(self, boss: Boss, dt: float) -> None:
        w = self.state
        scene = cast(BossScene, boss.scene)
        boss.prev_x = boss.x
        boss.prev_y = boss.y
        boss.state_time += dt
        boss.anim_time += dt
        anim = scene.animations[boss.anim]
        frame = int(boss.anim_time * anim.fps)
        # Per boss per tick: the cell directly (see BossRoster.apply_damage).
        boss._cv[_ANIM_FRAME] = (frame % anim.frames if anim.loop
                                 else min(frame, anim.frames - 1))
        if boss.state == "death":
            if boss.state_time >= anim.duration - EPS:
                w.bosses.release(boss)
            return
        if boss.state == "hurt":
            if boss.state_time >= anim.duration - EPS:
                spec = scene.states[boss.saved_state]
                boss.state = boss.saved_state
                boss.state_time = boss.saved_time
                boss.anim = spec.animation
                boss.anim_time = boss.saved_anim_time
                boss._cv[_TRANSITIONS] += 1
            return
        spec = scene.states[boss.state]
        px = float(w.player.pos[0])
        py = float(w.player.pos[1])
        dx = px - boss.x
        dy = py - boss.y
        dist = math.hypot(dx, dy)
        touch = boss.radius + w.player.radius
        damage = scene.contact_damage
        if spec.action == "chase" and dist > touch:
            step = min(scene.speed * dt, dist - touch)
            boss.x += dx / dist * step
            boss.y += dy / dist * step
        elif spec.action == "attack" and spec.pattern is not None:
            pat = scene.patterns[spec.pattern]
            if pat.kind == "charge" and boss.state_time <= pat.duration + EPS:
                boss.x += boss.vx * dt
                boss.y += boss.vy * dt
                damage = max(damage, pat.damage)
        lo = w.arena_min
        hi = w.arena_max
        boss.x = min(max(boss.x, float(lo[0])), float(hi[0]))
        boss.y = min(max(boss.y, float(lo[1])), float(hi[1]))
        if damage > 0.0 and w.player.alive and w.player.invuln <= 0.0:
            if math.hypot(px - boss.x, py - boss.y) <= touch:
                w.damage_ring.push(0, damage, SOURCE_BOSS, KIND_PLAYER)
        if boss.state_time >= spec.duration - EPS:
            w.bosses.enter(boss, spec.next)
