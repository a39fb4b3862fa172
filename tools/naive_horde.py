"""The horde the object-per-enemy way: the reference ``tools/bench_combat.py`` compares against.

Same rules as ``engine.combat`` (read from the same ``WorldConfig``): ring spawns with the tier
mix, seek with stop-at-contact, separation against the next few neighbours of the cell plus a
bounded step, contact damage, a periodic melee, an auto-aimed weapon with pierce, damage
events applied in a drain, deaths with particle bursts, animation, particles. Written the way
the engine's design moved away from: a list of ``Enemy`` objects, a dict-of-lists spatial hash
rebuilt each tick, one event object per hit, lists rebuilt to remove the dead. Idiomatic and
not deliberately slow (``__slots__``, local variables, ``math`` not numpy).

Bosses are left out (the benchmark runs without them on both sides).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

from engine.combat.config import WorldConfig


class Enemy:
    __slots__ = ("x", "y", "prev_x", "prev_y", "sx", "sy", "hp", "tier", "speed", "radius",
                 "damage", "frame", "fps", "frames", "alive", "serial")

    def __init__(self) -> None:
        self.x = self.y = self.prev_x = self.prev_y = self.sx = self.sy = 0.0
        self.hp = self.speed = self.radius = self.damage = self.frame = self.fps = 0.0
        self.frames = 1.0
        self.tier = 0
        self.alive = True
        self.serial = 0


class Projectile:
    __slots__ = ("x", "y", "prev_x", "prev_y", "vx", "vy", "life", "damage", "radius",
                 "pierce", "last_hit", "alive")

    def __init__(self, x: float, y: float, vx: float, vy: float, damage: float, life: float,
                 radius: float, pierce: int) -> None:
        self.x = self.prev_x = x
        self.y = self.prev_y = y
        self.vx = vx
        self.vy = vy
        self.damage = damage
        self.life = life
        self.radius = radius
        self.pierce = pierce
        self.last_hit: Enemy | None = None
        self.alive = True


class Particle:
    __slots__ = ("x", "y", "prev_x", "prev_y", "vx", "vy", "life", "max_life", "color", "size")

    def __init__(self, x: float, y: float, vx: float, vy: float, life: float,
                 color: tuple[float, float, float, float], size: float) -> None:
        self.x = self.prev_x = x
        self.y = self.prev_y = y
        self.vx = vx
        self.vy = vy
        self.life = self.max_life = life
        self.color = list(color)
        self.size = size


class DamageEvent:
    __slots__ = ("target", "amount")

    def __init__(self, target: Enemy, amount: float) -> None:
        self.target = target
        self.amount = amount


class NaiveHorde:
    """One tick = ``step(dt)``; the same phases in the same order as ``engine.combat``."""

    def __init__(self, cfg: WorldConfig, seed: int = 0) -> None:
        self.cfg = cfg
        self.tiers = cfg.validate().tiers
        self.rng = random.Random(seed)
        self.enemies: list[Enemy] = []
        self.projectiles: list[Projectile] = []
        self.particles: list[Particle] = []
        self.events: list[DamageEvent] = []
        self.grid: dict[tuple[int, int], list[Enemy]] = defaultdict(list)
        self.px = self.py = 0.0
        self.angle = 0.0
        self.time = 0.0
        self.budget = 0.0
        self.melee_timer = cfg.melee.period
        self.fire_timer = 0.0
        self.hp = cfg.player.hp
        self.invuln = 0.0
        self.kills = 0
        self.dead: list[Enemy] = []
        self.half = (cfg.arena_size[0] / 2, cfg.arena_size[1] / 2)
        self.ring = math.hypot(*cfg.view_half_extent) + cfg.waves.spawn_margin

    # ------------------------------------------------------------------ phases
    def spawn(self, n: int) -> None:
        w = self.cfg.waves
        weights = w.tier_mix[-1][1] if self.time >= w.tier_mix[-1][0] else w.tier_mix[0][1]
        total = sum(weights)
        hx, hy = self.half
        for _ in range(n):
            a = self.rng.random() * math.tau
            r = self.ring + self.rng.random() * w.spawn_ring_width
            u = self.rng.random() * total
            t = 0
            while t < len(weights) - 1 and u >= weights[t]:
                u -= weights[t]
                t += 1
            tier = self.tiers[t]
            e = Enemy()
            e.x = e.prev_x = min(max(self.px + r * math.cos(a), -hx), hx)
            e.y = e.prev_y = min(max(self.py + r * math.sin(a), -hy), hy)
            e.tier = t
            e.hp = tier.hp
            e.speed = tier.speed * (1.0 + w.speed_jitter * (2.0 * self.rng.random() - 1.0))
            e.radius = tier.radius
            e.damage = tier.damage
            e.fps = tier.anim_fps
            e.frames = float(tier.frames)
            e.frame = self.rng.random() * tier.frames
            self.enemies.append(e)

    def waves(self, dt: float) -> None:
        w = self.cfg.waves
        self.time += dt
        f = min(1.0, self.time / w.ramp_seconds)
        self.budget += (w.start_rate + (w.max_rate - w.start_rate) * f) * dt
        want = int(self.budget)
        room = w.max_enemies - len(self.enemies)
        want = max(0, min(want, room))
        self.budget = min(self.budget - want, float(w.max_enemies))
        self.spawn(want)

    def player(self, dt: float) -> None:
        p = self.cfg.player
        r = p.autopilot_radius
        self.angle = (self.angle + p.speed * dt / r) % math.tau
        mx = r * math.cos(self.angle + 0.6) - self.px
        my = r * math.sin(self.angle + 0.6) - self.py
        d = math.hypot(mx, my)
        if d > 1e-6:
            self.px += mx / d * p.speed * dt
            self.py += my / d * p.speed * dt
        self.invuln = max(0.0, self.invuln - dt)

    def movement(self, dt: float) -> None:
        px, py = self.px, self.py
        pr = self.cfg.player.radius
        push = self.cfg.separation.max_push_factor
        hx, hy = self.half
        for e in self.enemies:
            e.prev_x = e.x
            e.prev_y = e.y
            dx = px - e.x
            dy = py - e.y
            d = math.hypot(dx, dy)
            step = min(e.speed * dt, max(d - e.radius - pr, 0.0)) / max(d, 1e-4)
            mx = dx * step + e.sx * dt
            my = dy * step + e.sy * dt
            m = max(math.hypot(mx, my), 1e-4)
            s = min(e.speed * push * dt / m, 1.0)
            e.x = min(max(e.x + mx * s, -hx), hx)
            e.y = min(max(e.y + my * s, -hy), hy)

    def rebuild_grid(self) -> None:
        grid = self.grid
        grid.clear()
        cs = self.cfg.cell_size
        for e in self.enemies:
            grid[(int(e.x // cs), int(e.y // cs))].append(e)

    def separation(self, dt: float) -> None:
        k = self.cfg.separation.neighbours
        strength = self.cfg.separation.strength
        for e in self.enemies:
            e.sx = e.sy = 0.0
        for cell in self.grid.values():
            for i, a in enumerate(cell):
                for b in cell[i + 1:i + 1 + k]:
                    dx = a.x - b.x
                    dy = a.y - b.y
                    d = max(math.hypot(dx, dy), 1e-3)
                    g = max(0.0, a.radius + b.radius - d) / d * strength
                    a.sx += dx * g
                    a.sy += dy * g
                    b.sx -= dx * g
                    b.sy -= dy * g

    def near(self, x: float, y: float, r: float) -> list[Enemy]:
        cs = self.cfg.cell_size
        out = []
        for cx in range(int((x - r) // cs), int((x + r) // cs) + 1):
            for cy in range(int((y - r) // cs), int((y + r) // cs) + 1):
                for e in self.grid.get((cx, cy), ()):
                    if math.hypot(e.x - x, e.y - y) < r:
                        out.append(e)
        return out

    def contact(self, dt: float) -> None:
        if not self.cfg.contact_damage or self.invuln > 0.0:
            return
        pr = self.cfg.player.radius
        worst = 0.0
        for e in self.near(self.px, self.py, pr + 16.0):
            if math.hypot(e.x - self.px, e.y - self.py) <= pr + e.radius:
                worst = max(worst, e.damage)
        if worst > 0.0:
            self.hp -= worst
            self.invuln = self.cfg.player.invuln_seconds

    def melee(self, dt: float) -> None:
        m = self.cfg.melee
        self.melee_timer -= dt
        if self.melee_timer > 1e-9:
            return
        self.melee_timer = max(self.melee_timer + m.period, 0.0)
        for e in self.near(self.px, self.py, m.radius):
            self.events.append(DamageEvent(e, m.damage))

    def weapon(self, dt: float) -> None:
        wc = self.cfg.weapon
        self.fire_timer -= dt
        if self.fire_timer <= 1e-9:
            cands = self.near(self.px, self.py, wc.aim_range)
            if cands:
                t = min(cands, key=lambda e: math.hypot(e.x - self.px, e.y - self.py))
                base = math.atan2(t.y - self.py, t.x - self.px)
                spread = math.radians(wc.spread_degrees)
                first = base - spread * (wc.multishot - 1) / 2
                for i in range(wc.multishot):
                    a = first + spread * i
                    self.projectiles.append(Projectile(
                        self.px, self.py, wc.speed * math.cos(a), wc.speed * math.sin(a),
                        wc.damage, wc.lifetime, wc.radius, wc.pierce))
                self.fire_timer = max(self.fire_timer + 1.0 / wc.fire_rate, 0.0)
            else:
                self.fire_timer = 0.0
        hx, hy = self.half
        reach = max(t.radius for t in self.tiers)
        for p in self.projectiles:
            p.prev_x = p.x
            p.prev_y = p.y
            p.x += p.vx * dt
            p.y += p.vy * dt
            p.life -= dt
            if p.life <= 0 or abs(p.x) > hx or abs(p.y) > hy:
                p.alive = False
                continue
            best = None
            best_d = math.inf
            for e in self.near(p.x, p.y, p.radius + reach):
                d = math.hypot(e.x - p.x, e.y - p.y)
                if d <= p.radius + e.radius and d < best_d and e is not p.last_hit:
                    best, best_d = e, d
            if best is not None:
                self.events.append(DamageEvent(best, p.damage))
                p.last_hit = best
                p.pierce -= 1
                if p.pierce < 0:
                    p.alive = False
        self.projectiles = [p for p in self.projectiles if p.alive]

    def damage(self, dt: float) -> None:
        events, self.events = self.events, []
        hit: dict[int, Enemy] = {}
        for ev in events:
            e = ev.target
            if not e.alive:
                continue
            e.hp -= ev.amount
            hit[id(e)] = e
            if e.hp <= 0.0:
                e.alive = False
                self.dead.append(e)
        pc = self.cfg.particles
        sparks = 0
        for e in hit.values():
            if e.alive and sparks < pc.max_hit_bursts:
                sparks += 1
                for _ in range(pc.per_hit):
                    a = self.rng.random() * math.tau
                    v = self.rng.random() * pc.speed
                    self.particles.append(Particle(e.x, e.y, v * math.cos(a), v * math.sin(a),
                                                   pc.life, (1.0, 0.95, 0.7, 1.0), pc.size))

    def deaths(self, dt: float) -> None:
        if not self.dead:
            return
        pc = self.cfg.particles
        for e in self.dead:
            self.kills += 1
            color = self.tiers[e.tier].tint
            for _ in range(pc.per_death):
                a = self.rng.random() * math.tau
                v = self.rng.random() * pc.speed
                life = pc.life * (0.5 + 0.5 * self.rng.random())
                self.particles.append(Particle(e.x, e.y, v * math.cos(a), v * math.sin(a),
                                               life, color, pc.size))
        self.dead.clear()
        self.enemies = [e for e in self.enemies if e.alive]

    def animation(self, dt: float) -> None:
        for e in self.enemies:
            e.frame = math.fmod(e.frame + e.fps * dt, e.frames)

    def particles_step(self, dt: float) -> None:
        pc = self.cfg.particles
        decay = max(0.0, 1.0 - pc.drag * dt)
        keep = []
        for p in self.particles:
            p.prev_x = p.x
            p.prev_y = p.y
            p.x += p.vx * dt
            p.y += p.vy * dt
            p.vx *= decay
            p.vy *= decay
            p.life -= dt
            if p.life > 0.0:
                frac = min(max(p.life / p.max_life, 0.0), 1.0)
                p.color[3] = frac
                p.size = frac * pc.size
                keep.append(p)
        self.particles = keep

    def step(self, dt: float) -> None:
        self.waves(dt)
        self.player(dt)
        self.movement(dt)
        self.rebuild_grid()
        self.separation(dt)
        self.contact(dt)
        self.melee(dt)
        self.weapon(dt)
        self.damage(dt)
        self.deaths(dt)
        self.animation(dt)
        self.particles_step(dt)
