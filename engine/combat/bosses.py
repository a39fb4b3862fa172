"""Scene-based bosses: pooled Python objects driven by the state machine of their scene file.

This module holds the bosses and their transitions (:class:`BossRoster`: spawn, damage,
entering a state); the ``bosses`` system (engine.combat.systems.bosses) steps them each tick.

A boss is a :class:`Boss` from an ``ObjectPool`` (capacity ``WorldConfig.boss_capacity``);
its behaviour is its :class:`~engine.combat.scene.BossScene`: each state plays an animation,
does an action for a duration and names the next state:

* ``wait`` - stand still;
* ``chase`` - walk toward the player at the scene's speed;
* ``attack`` - use the state's pattern once, on entry: ``radial_burst`` fires ``count``
  hostile projectiles around the boss, ``charge`` dashes toward the player at the pattern's
  speed for its duration (contact then deals the pattern's damage). A pattern still cooling
  down skips its state (the machine goes straight to the next one).

Built-in states: ``hurt`` on damage (at most once per ``hurt_cooldown``; plays the hurt
animation once, then resumes the interrupted state where it was) and ``death`` at hp <= 0
(plays the death animation once, then the boss goes back to the pool).

The renderer reads ``x, y, prev_x, prev_y``, ``anim`` (animation name), ``anim_frame`` (int)
and ``scene.sprite_sheet`` of the bosses in ``BossRoster.slots`` that are ``active``.
Damage reaches a boss through the damage ring (``KIND_BOSS``, target ``Boss.handle``), applied
by :meth:`BossRoster.apply_damage`; a handle of a boss that died (or of a reused pool object)
no longer matches and the event is counted as stale.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np

from engine.data import Counter, CounterCells, ObjectPool

from .clock import SimClock
from .player import Player
from .projectiles import ProjectileEmitter
from .scene import BossScene
from .stats import CombatStats

__all__ = ["Boss", "BossRoster", "EPS"]

_SLOT_BITS = 8
EPS = 1e-9
"""Slack on time comparisons: a duration that is a whole number of steps ends on that step."""
_SLOT_MASK = (1 << _SLOT_BITS) - 1


class Boss(CounterCells):
    """One boss (a pooled object; all fields are rewritten when it is spawned).

    Attributes:
        slot: index in ``BossRoster.slots``.
        handle: ``serial << 8 | slot``: changes every time the object is reused.
        active: alive or dying (False when back in the pool).
        scene: the BossScene (``scene.sprite_sheet`` names the sprite sheet).
        x, y, prev_x, prev_y: position now and at the start of the tick.
        hp, max_hp, radius: numbers from the scene.
        state: current state name ("hurt" and "death" are built in).
        state_time: seconds in the current state.
        anim: current animation name; anim_frame: its frame index (int); anim_time: seconds
            since the animation started.
        dying: in the death state.
        serial, hits_taken, transitions: counters.

    ``serial``, ``handle``, ``anim_frame``, ``hits_taken`` and ``transitions`` are int64 cells
    (``engine.data.counters``): the handle is past 256 from the first spawn, and a plain int
    that changes would keep a heap int of its own alive.
    """

    __slots__ = ("slot", "active", "scene", "x", "y", "prev_x", "prev_y",
                 "hp", "max_hp", "radius", "state", "state_time", "anim",
                 "anim_time", "dying", "hurt_ready", "saved_state", "saved_time",
                 "saved_anim_time", "vx", "vy", "cooldowns")
    serial = Counter()
    """Times this pooled object was spawned."""
    handle = Counter()
    """``serial << 8 | slot`` (-1 before the first spawn)."""
    anim_frame = Counter()
    """Frame index of the current animation."""
    hits_taken = Counter()
    """Damage events applied since the spawn."""
    transitions = Counter()
    """State changes since the spawn (tests, debugging)."""

    def __init__(self, slot: int) -> None:
        self.slot = slot
        self.handle = -1
        self.active = False
        self.scene: BossScene | None = None
        self.x = self.y = self.prev_x = self.prev_y = 0.0
        self.hp = self.max_hp = self.radius = 0.0
        self.state = ""
        self.state_time = 0.0
        self.anim = ""
        self.anim_time = 0.0
        self.dying = False
        self.hurt_ready = 0.0
        self.saved_state = ""
        self.saved_time = 0.0
        self.saved_anim_time = 0.0
        self.vx = self.vy = 0.0
        self.cooldowns: dict[str, float] = {}
        """Pattern name -> simulated time when it may be used again."""

    def __repr__(self) -> str:
        name = self.scene.name if self.scene else None
        return (f"Boss(slot={self.slot}, scene={name!r}, active={self.active}, "
                f"state={self.state!r}, anim={self.anim!r}:{self.anim_frame}, hp={self.hp:g})")


_HANDLE = Boss.handle.index
_ANIM_FRAME = Boss.anim_frame.index
_HITS_TAKEN = Boss.hits_taken.index
_TRANSITIONS = Boss.transitions.index


class BossRoster:
    """The bosses: their pool, every pooled object by slot, and the transitions other systems
    cause (a wave spawns a boss, a damage event hurts one).

    Attributes:
        pool: the ``ObjectPool`` of Boss objects (its ``stats`` go to the profiler).
        slots: every Boss object of the pool, active or not, in slot order.
    """

    def __init__(self, capacity: int, clock: SimClock, stats: CombatStats, player: Player,
                 rng: np.random.Generator, projectiles: ProjectileEmitter) -> None:
        """
        Args:
            capacity: bosses alive at once (at most 256: the slot is 8 bits of the handle).
            clock: the simulated clock (cooldowns, hurt timing).
            stats: spawns, refusals, kills and ``bosses_live`` are counted there.
            player: the target of charges; a boss kill gives it xp.
            rng: the world's random generator (the phase of a radial burst).
            projectiles: where radial bursts are fired.
        """
        self.clock = clock
        self.stats = stats
        self.player = player
        self.rng = rng
        self.projectiles = projectiles
        self.slots: list[Boss] = []
        self.pool: ObjectPool[Boss] = ObjectPool("bosses", self._make, capacity)

    def _make(self) -> Boss:
        boss = Boss(len(self.slots))
        self.slots.append(boss)
        return boss

    # ------------------------------------------------------------------ life cycle
    def spawn(self, scene: BossScene, x: float, y: float) -> Boss | None:
        """Bring a boss of ``scene`` in at (x, y).

        Returns:
            The boss, or None when the pool is full (counted in the pool's refusals and in
            ``CombatStats.boss_refusals``).

        Allocation contract: transient Python scalars only (the object is pooled, its cooldown
        dict is reused).
        """
        st = self.stats
        boss = self.pool.acquire()
        if boss is None:
            st.boss_refusals += 1
            return None
        boss.serial += 1
        boss.handle = (boss.serial << _SLOT_BITS) | boss.slot
        boss.active = True
        boss.scene = scene
        boss.x = boss.prev_x = float(x)
        boss.y = boss.prev_y = float(y)
        boss.hp = boss.max_hp = scene.hp
        boss.radius = scene.size
        boss.dying = False
        boss.hurt_ready = 0.0
        boss.vx = boss.vy = 0.0
        boss.hits_taken = 0
        boss.transitions = 0
        boss.cooldowns.clear()
        for name in scene.patterns:
            boss.cooldowns[name] = 0.0
        self.enter(boss, scene.initial_state)
        st.boss_spawns += 1
        st.bosses_live += 1
        return boss

    def release(self, boss: Boss) -> None:
        """Send a boss back to the pool (its death animation is over).

        Allocation contract: allocates nothing (the pool keeps the object).
        """
        boss.active = False
        boss.dying = False
        self.pool.release(boss)
        self.stats.bosses_live -= 1

    def apply_damage(self, handle: int, amount: float) -> bool:
        """Hurt the boss named by ``handle``.

        Returns:
            False when the handle is stale (the boss died or the object was reused), the
            boss is already dying, or the amount is not a finite number >= 0 (refused: hp
            never becomes NaN and damage never heals); True when the damage was applied.

        Allocation contract: transient Python scalars only.
        """
        slot = handle & _SLOT_MASK
        if handle < 0 or slot >= len(self.slots) or not 0.0 <= amount < math.inf:
            return False
        boss = self.slots[slot]
        # Per damage event: the handle and hit count are read and written through the cells
        # directly (a Counter descriptor call costs ~4x a cell access).
        cells = boss._cv
        if not boss.active or cells[_HANDLE] != handle or boss.dying:
            return False
        boss.hp -= amount
        cells[_HITS_TAKEN] += 1
        scene = cast(BossScene, boss.scene)  # an active boss always has its scene
        now = self.clock.time
        if boss.hp <= 0.0:
            boss.hp = 0.0
            boss.dying = True
            self.set_state(boss, "death", "death")
            self.stats.boss_kills += 1
            self.player.xp += scene.xp
        elif now >= boss.hurt_ready:
            boss.hurt_ready = now + scene.hurt_cooldown
            if boss.state != "hurt":
                boss.saved_state = boss.state
                boss.saved_time = boss.state_time
                boss.saved_anim_time = boss.anim_time
            self.set_state(boss, "hurt", "hurt")
        return True

    # ------------------------------------------------------------------ state machine
    def set_state(self, boss: Boss, state: str, anim: str) -> None:
        """Switch ``boss`` to ``state`` playing ``anim`` from its first frame.

        Allocation contract: allocates nothing (the names are the scene's own strings).
        """
        boss.state = state
        boss.state_time = 0.0
        boss.anim = anim
        boss.anim_time = 0.0
        cells = boss._cv  # per state change: the cells directly (see apply_damage)
        cells[_ANIM_FRAME] = 0
        cells[_TRANSITIONS] += 1

    def enter(self, boss: Boss, name: str) -> None:
        """Enter a declared state; an attack whose pattern cools down is skipped.

        Allocation contract: transient Python scalars only (an attack fires through the
        projectile emitter, whose contract holds).
        """
        scene = cast(BossScene, boss.scene)
        now = self.clock.time
        for _ in range(len(scene.states)):
            spec = scene.states[name]
            if spec.action != "attack" or spec.pattern is None:
                break
            if now >= boss.cooldowns[spec.pattern]:
                break
            name = spec.next
        spec = scene.states[name]
        self.set_state(boss, name, spec.animation)
        boss.vx = boss.vy = 0.0
        if spec.action == "attack" and spec.pattern is not None:
            self._use_pattern(boss, spec.pattern)

    def _use_pattern(self, boss: Boss, name: str) -> None:
        scene = cast(BossScene, boss.scene)
        pat = scene.patterns[name]
        now = self.clock.time
        if now < boss.cooldowns[name]:
            return
        boss.cooldowns[name] = now + pat.cooldown
        if pat.kind == "radial_burst":
            phase = float(self.rng.random()) * math.tau / pat.count
            self.projectiles.fire_radial(boss.x, boss.y, pat.count, pat.speed,
                                         damage=pat.damage, life=pat.lifetime,
                                         radius=pat.radius, phase=phase, hostile=True)
        else:  # charge: dash toward where the player is now
            dx = float(self.player.pos[0]) - boss.x
            dy = float(self.player.pos[1]) - boss.y
            d = math.hypot(dx, dy)
            if d > 1e-6:
                boss.vx = dx / d * pat.speed
                boss.vy = dy / d * pat.speed
