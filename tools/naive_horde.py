"""The horde the object-per-enemy way: the reference ``tools/bench_combat.py`` and
``tools/bench_scale.py`` compare against.

Same rules as ``engine.combat``, every number read from the same ``WorldConfig`` and tier
table (nothing copied): the wave director's ramp, budget, cap, ``max_per_tick``, interpolated
tier mix and spawn ring; the player's autopilot (or input), arena clamp, facing,
invulnerability and immortality; seek with stop-at-contact plus the bounded separation step;
separation against the next ``neighbours`` enemies of the spatial hash's sorted order (cell
rows, then fine columns of ``cell_size / sub``, then row: the order ``SpatialHash`` sorts by);
contact damage (strongest enemy in contact, through a damage event); the periodic melee with
its arc; the auto-aimed weapon (nearest enemy in range, multishot, spread, pierce, last-hit
exclusion, arena and lifetime expiry); damage events applied once per tick; deaths with tier
coloured particle bursts and hit sparks (at most ``max_hit_bursts``); animation; particles
with drag and fade. Store capacities are honoured the way the engine's pools refuse: enemies
beyond ``enemy_capacity``, projectiles beyond ``projectile_capacity`` and particles beyond
``particle_capacity`` are refused and counted.

Written the way the engine's design moved away from: a list of ``Enemy`` objects, a
dict-of-lists grid rebuilt each tick, a Python sort for the neighbour order, one event object
per hit, lists rebuilt to remove the dead. Idiomatic and not deliberately slow (``__slots__``,
local variables, ``math`` not numpy).

Random draws come from ``random.Random(seed)`` in an order of its own: the two sides agree in
distribution (per-tick kills, spawns, shots, particles; ``tests/test_naive_parity.py``), not
bit for bit. Bosses are left out: a config with boss waves is refused.

Run on its own, it holds ``--enemies`` for ``--ticks`` ticks and prints what it did:

    python -m tools.naive_horde --enemies 2000 --ticks 120
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from operator import attrgetter
from typing import Any

from engine.combat.config import WorldConfig
from engine.combat.particles import HIT_COLOR
from engine.combat.tiers import tier_weights
from engine.data.spatial import SpatialHash

__all__ = ["Enemy", "Projectile", "Particle", "DamageEvent", "NaiveHorde"]

_KEY = attrgetter("key")


class Enemy:
    __slots__ = ("x", "y", "prev_x", "prev_y", "sx", "sy", "hp", "tier", "speed", "radius",
                 "damage", "frame", "fps", "frames", "alive", "key")

    def __init__(self) -> None:
        self.x = self.y = self.prev_x = self.prev_y = self.sx = self.sy = 0.0
        self.hp = self.speed = self.radius = self.damage = self.frame = self.fps = 0.0
        self.frames = 1.0
        self.tier = 0
        self.alive = True
        self.key = 0


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
                 color: tuple[float, ...], size: float) -> None:
        self.x = self.prev_x = x
        self.y = self.prev_y = y
        self.vx = vx
        self.vy = vy
        self.life = self.max_life = life
        self.color = list(color)
        self.size = size


class DamageEvent:
    """One hit; ``target`` None is the player (the engine's ``KIND_PLAYER``)."""

    __slots__ = ("target", "amount")

    def __init__(self, target: Enemy | None, amount: float) -> None:
        self.target = target
        self.amount = amount


class NaiveHorde:
    """One tick = ``step(dt)``: the same phases in the same order as ``engine.combat.World``.

    Counters (named as in ``CombatStats`` where it has one): ``kills``, ``kills_by_tier``,
    ``spawns_total``, ``spawn_refusals``, ``projectiles_fired``, ``projectile_refusals``,
    ``projectile_hits_total``, ``melee_swings``, ``melee_hits_total``, ``particles_spawned``,
    ``particle_refusals``, ``player_hits``, ``player_deaths``; ``counts()`` returns them.

    Raises:
        ConfigError, TierError: a bad config (from ``WorldConfig.validate``).
        ValueError: the config has boss waves (the naive reference has no bosses).
    """

    def __init__(self, cfg: WorldConfig, seed: int = 0) -> None:
        table = cfg.validate()
        if cfg.bosses:
            raise ValueError(f"NaiveHorde: expected a config without boss waves (the naive "
                             f"reference has no bosses), got {len(cfg.bosses)}")
        self.cfg = cfg
        self.tiers = table.tiers
        self.max_radius = table.max_radius
        self.rng = random.Random(seed)
        self.enemies: list[Enemy] = []
        self.order: list[Enemy] = []
        self.projectiles: list[Projectile] = []
        self.particles: list[Particle] = []
        self.events: list[DamageEvent] = []
        self.dead: list[Enemy] = []
        self.sparks: list[Enemy] = []
        self.grid: dict[tuple[int, int], list[Enemy]] = defaultdict(list)
        self.half = (cfg.arena_size[0] / 2.0, cfg.arena_size[1] / 2.0)
        # The engine's hash covers the arena plus one cell on each side; its neighbour order
        # sorts by cell row, then by fine column (``sub`` per cell). Ask the hash for ``sub``.
        cs = cfg.cell_size
        hx, hy = self.half
        layout = SpatialHash(1, cs, (-hx - cs, -hy - cs), (hx + cs, hy + cs))
        self.origin = layout.world_min
        self.sub = layout.sub
        self.fine_w = layout.grid_w * layout.sub
        del layout
        # Player.
        p = cfg.player
        self.px = self.py = 0.0
        self.fx, self.fy = 1.0, 0.0
        self.input_x = self.input_y = 0.0
        self.angle = 0.0
        self.hp = p.hp
        self.invuln = 0.0
        self.alive = True
        # Schedules.
        self.time = 0.0
        self.budget = 0.0
        self.melee_timer = cfg.melee.period
        self.fire_timer = 0.0
        # Counters.
        self.kills = 0
        self.kills_by_tier = [0] * len(self.tiers)
        self.spawns_total = 0
        self.spawn_refusals = 0
        self.projectiles_fired = 0
        self.projectile_refusals = 0
        self.projectile_hits_total = 0
        self.melee_swings = 0
        self.melee_hits_total = 0
        self.particles_spawned = 0
        self.particle_refusals = 0
        self.player_hits = 0
        self.player_deaths = 0

    def counts(self) -> dict[str, int]:
        """The cumulative counters (a new dict)."""
        return {"kills": self.kills, "spawns": self.spawns_total,
                "spawn_refusals": self.spawn_refusals, "fired": self.projectiles_fired,
                "projectile_hits": self.projectile_hits_total,
                "melee_swings": self.melee_swings, "melee_hits": self.melee_hits_total,
                "particles": self.particles_spawned,
                "particle_refusals": self.particle_refusals,
                "player_hits": self.player_hits}

    # ------------------------------------------------------------------ waves
    def weights(self, t: float) -> list[float]:
        """Tier weights at time t: the engine's own rule (``engine.combat.tiers.tier_weights``)."""
        return tier_weights(self.cfg.waves.tier_mix, t)

    def spawn(self, n: int) -> int:
        got = min(n, self.cfg.enemy_capacity - len(self.enemies))
        if got < n:
            self.spawn_refusals += n - got
        if got <= 0:
            return 0
        w = self.cfg.waves
        weights = self.weights(self.time)
        last = len(weights) - 1
        rand = self.rng.random
        hx, hy = self.half
        vx, vy = self.cfg.view_half_extent
        inner = math.hypot(vx, vy) + w.spawn_margin
        for _ in range(got):
            a = rand() * math.tau
            r = inner + rand() * w.spawn_ring_width
            u = rand()
            t = 0
            while t < last and u >= weights[t]:
                u -= weights[t]
                t += 1
            tier = self.tiers[t]
            e = Enemy()
            e.x = e.prev_x = min(max(self.px + r * math.cos(a), -hx), hx)
            e.y = e.prev_y = min(max(self.py + r * math.sin(a), -hy), hy)
            e.tier = t
            e.hp = tier.hp
            e.speed = tier.speed * (1.0 + w.speed_jitter * (2.0 * rand() - 1.0))
            e.radius = tier.radius
            e.damage = tier.damage
            e.fps = tier.anim_fps
            e.frames = float(tier.frames)
            e.frame = rand() * tier.frames
            self.enemies.append(e)
        self.spawns_total += got
        return got

    def waves(self, dt: float) -> None:
        w = self.cfg.waves
        self.time += dt
        f = min(1.0, max(0.0, self.time / w.ramp_seconds))
        self.budget += (w.start_rate + (w.max_rate - w.start_rate) * f) * dt
        want = int(self.budget)
        if want <= 0:
            return
        if w.max_per_tick:
            want = min(want, w.max_per_tick)
        want = max(0, min(want, w.max_enemies - len(self.enemies)))
        self.budget = min(self.budget - want, float(w.max_enemies))
        if want:
            self.spawn(want)

    # ------------------------------------------------------------------ player
    def player(self, dt: float) -> None:
        p = self.cfg.player
        if self.invuln > 0.0:
            self.invuln = max(0.0, self.invuln - dt)
        if not self.alive:
            return
        if p.autopilot:
            r = p.autopilot_radius
            self.angle = (self.angle + p.speed * dt / r) % math.tau
            mx = r * math.cos(self.angle + 0.6) - self.px
            my = r * math.sin(self.angle + 0.6) - self.py
        else:
            mx = max(-1.0, min(1.0, self.input_x))
            my = max(-1.0, min(1.0, self.input_y))
        d = math.hypot(mx, my)
        if d < 1e-6:
            return
        step = p.speed * dt / d if (p.autopilot or d > 1.0) else p.speed * dt
        hx, hy = self.half
        self.px = min(max(self.px + mx * step, -hx), hx)
        self.py = min(max(self.py + my * step, -hy), hy)
        self.fx = mx / d
        self.fy = my / d

    def hurt_player(self, amount: float) -> None:
        p = self.cfg.player
        if self.invuln > 0.0 or not self.alive or amount <= 0.0:
            return
        self.hp -= amount
        self.player_hits += 1
        self.invuln = p.invuln_seconds
        if self.hp <= 0.0:
            self.player_deaths += 1
            if p.immortal:
                self.hp = p.hp
            else:
                self.hp = 0.0
                self.alive = False

    # ------------------------------------------------------------------ horde
    def movement(self, dt: float) -> None:
        px, py = self.px, self.py
        pr = self.cfg.player.radius
        push = self.cfg.separation.max_push_factor
        hx, hy = self.half
        hypot = math.hypot
        # Conditional expressions rather than min()/max(): a builtin call per clamp would
        # triple this loop's cost, and the reference is meant to be plain, not slow.
        for e in self.enemies:
            x = e.prev_x = e.x
            y = e.prev_y = e.y
            dx = px - x
            dy = py - y
            d = hypot(dx, dy)
            reach = e.speed * dt
            gap = d - e.radius - pr
            if gap < reach:
                reach = gap if gap > 0.0 else 0.0
            step = reach / (d if d > 1e-4 else 1e-4)
            mx = dx * step + e.sx * dt
            my = dy * step + e.sy * dt
            m = hypot(mx, my)
            s = e.speed * push * dt / (m if m > 1e-4 else 1e-4)
            if s < 1.0:
                mx *= s
                my *= s
            x += mx
            y += my
            e.x = -hx if x < -hx else (hx if x > hx else x)
            e.y = -hy if y < -hy else (hy if y > hy else y)

    def rebuild_grid(self) -> None:
        """The dict grid for the queries, and the neighbour order (cell row, fine column,
        list position: Python's sort is stable) for separation."""
        grid = self.grid
        grid.clear()
        cs = self.cfg.cell_size
        x0, y0 = self.origin
        inv_fine = self.sub / cs
        inv_cell = 1.0 / cs
        sub = self.sub
        fine_w = self.fine_w
        # Enemies are clamped inside the arena, so every index is inside the hash's grid.
        for e in self.enemies:
            fx = int((e.x - x0) * inv_fine)
            cy = int((e.y - y0) * inv_cell)
            e.key = cy * fine_w + fx
            grid[(fx // sub, cy)].append(e)
        self.order = sorted(self.enemies, key=_KEY)

    def separation(self, dt: float) -> None:
        sc = self.cfg.separation
        k = sc.neighbours
        strength = sc.strength
        order = self.order
        for e in order:
            e.sx = e.sy = 0.0
        if not sc.enabled or k <= 0 or strength <= 0.0:
            return
        hypot = math.hypot
        # Pairs (q, q + o) of the order for o = 1..k: each enemy meets its next k.
        for o in range(1, k + 1):
            for a, b in zip(order, order[o:]):
                dx = a.x - b.x
                dy = a.y - b.y
                d = hypot(dx, dy)
                overlap = a.radius + b.radius - d
                if overlap > 0.0:
                    g = overlap / (d if d > 1e-3 else 1e-3) * strength
                    a.sx += dx * g
                    a.sy += dy * g
                    b.sx -= dx * g
                    b.sy -= dy * g

    def cells(self, x: float, y: float, r: float) -> list[list[Enemy]]:
        """The grid cells the square of half side r around (x, y) touches."""
        cs = self.cfg.cell_size
        x0, y0 = self.origin
        get = self.grid.get
        out = []
        for cy in range(int((y - r - y0) // cs), int((y + r - y0) // cs) + 1):
            for cx in range(int((x - r - x0) // cs), int((x + r - x0) // cs) + 1):
                cell = get((cx, cy))
                if cell:
                    out.append(cell)
        return out

    def contact(self, dt: float) -> None:
        if not self.cfg.contact_damage or self.invuln > 0.0 or not self.alive:
            return
        pr = self.cfg.player.radius
        px, py = self.px, self.py
        worst = 0.0
        for cell in self.cells(px, py, pr + self.max_radius):
            for e in cell:
                if math.hypot(e.x - px, e.y - py) <= pr + e.radius and e.damage > worst:
                    worst = e.damage
        if worst > 0.0:
            self.events.append(DamageEvent(None, worst))

    def melee(self, dt: float) -> None:
        m = self.cfg.melee
        if not m.enabled:
            return
        self.melee_timer -= dt
        if self.melee_timer > 1e-9:
            return
        self.melee_timer = max(self.melee_timer + m.period, 0.0)
        if not self.alive:
            return
        self.melee_swings += 1
        px, py = self.px, self.py
        arc = m.arc_degrees < 360.0
        cos_half = math.cos(math.radians(m.arc_degrees) / 2.0)
        r = m.radius
        hits = 0
        for cell in self.cells(px, py, r):
            for e in cell:
                dx = e.x - px
                dy = e.y - py
                d = math.hypot(dx, dy)
                if d < r and (not arc or dx * self.fx + dy * self.fy >= cos_half * d):
                    self.events.append(DamageEvent(e, m.damage))
                    hits += 1
        self.melee_hits_total += hits

    def fire(self) -> bool:
        """One volley at the nearest enemy within range; False when there is none."""
        wc = self.cfg.weapon
        px, py = self.px, self.py
        best = None
        best_d = wc.aim_range
        for cell in self.cells(px, py, wc.aim_range):
            for e in cell:
                d = math.hypot(e.x - px, e.y - py)
                if d < best_d:
                    best, best_d = e, d
        if best is None:
            return False
        base = math.atan2(best.y - py, best.x - px)
        spread = math.radians(wc.spread_degrees)
        first = base - spread * (wc.multishot - 1) / 2.0
        for i in range(wc.multishot):
            if len(self.projectiles) >= self.cfg.projectile_capacity:
                self.projectile_refusals += 1
                continue
            a = first + spread * i
            self.projectiles.append(Projectile(
                px, py, wc.speed * math.cos(a), wc.speed * math.sin(a),
                wc.damage, wc.lifetime, wc.radius, wc.pierce))
            self.projectiles_fired += 1
        return True

    def weapon(self, dt: float) -> None:
        wc = self.cfg.weapon
        if wc.enabled and self.alive:
            self.fire_timer -= dt
            if self.fire_timer <= 1e-9:
                if self.fire():
                    self.fire_timer = max(self.fire_timer + 1.0 / wc.fire_rate, 0.0)
                else:
                    self.fire_timer = 0.0
        if not self.projectiles:
            return
        hx, hy = self.half
        reach = self.max_radius
        for p in self.projectiles:
            p.prev_x = p.x
            p.prev_y = p.y
            p.x += p.vx * dt
            p.y += p.vy * dt
            p.life -= dt
            if p.life <= 0.0 or abs(p.x) > hx or abs(p.y) > hy:
                p.alive = False
                continue
            best = None
            best_d = math.inf
            for cell in self.cells(p.x, p.y, p.radius + reach):
                for e in cell:
                    d = math.hypot(e.x - p.x, e.y - p.y)
                    if d <= p.radius + e.radius and d < best_d and e is not p.last_hit:
                        best, best_d = e, d
            if best is not None:
                self.events.append(DamageEvent(best, p.damage))
                self.projectile_hits_total += 1
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
            if e is None:
                self.hurt_player(ev.amount)
                continue
            if not e.alive:
                continue
            e.hp -= ev.amount
            hit[id(e)] = e
            if e.hp <= 0.0:
                e.alive = False
                self.dead.append(e)
        cap = self.cfg.particles.max_hit_bursts
        self.sparks = [e for e in hit.values() if e.alive][:cap]

    def burst(self, x: float, y: float, count: int, color: tuple[float, ...]) -> None:
        pc = self.cfg.particles
        room = self.cfg.particle_capacity - len(self.particles)
        if count > room:
            self.particle_refusals += count - max(room, 0)
            count = max(room, 0)
        rand = self.rng.random
        for _ in range(count):
            a = rand() * math.tau
            v = rand() * pc.speed
            life = pc.life * (0.5 + 0.5 * rand())
            self.particles.append(Particle(x, y, v * math.cos(a), v * math.sin(a), life,
                                           color, pc.size))
        self.particles_spawned += count

    def deaths(self, dt: float) -> None:
        pc = self.cfg.particles
        if self.dead:
            for e in self.dead:
                self.kills += 1
                self.kills_by_tier[e.tier] += 1
                if pc.per_death:
                    self.burst(e.x, e.y, pc.per_death, self.tiers[e.tier].tint)
            self.dead.clear()
            self.enemies = [e for e in self.enemies if e.alive]
        if self.sparks and pc.per_hit:
            for e in self.sparks:
                self.burst(e.x, e.y, pc.per_hit, HIT_COLOR)
        self.sparks = []

    def animation(self, dt: float) -> None:
        for e in self.enemies:
            e.frame += e.fps * dt
            if e.frame >= e.frames:
                e.frame -= e.frames

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
                frac = p.life / p.max_life
                if frac > 1.0:
                    frac = 1.0
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


def parse_args(argv: list[str] | None = None) -> Any:
    """Parse and validate; bad input exits with one line on stderr and code 2."""
    from tools.common import add_report, add_seed, check_report, tool_parser

    parser = tool_parser("naive_horde", __doc__)
    parser.add_argument("--enemies", type=int, default=500, metavar="N",
                        help="enemies held steady, as tools/bench_combat.py does "
                             "(default: %(default)s)")
    parser.add_argument("--ticks", type=int, default=300, metavar="N",
                        help="ticks of 1/30 s to run (default: %(default)s)")
    add_seed(parser, default=1)
    add_report(parser, None, "also write the counts and the timing here as JSON")
    args = parser.parse_args(argv)
    if not 0 < args.enemies <= 1_000_000:
        parser.error(f"--enemies must be within 1..1000000 (objects, one per enemy), got "
                     f"{args.enemies}")
    if not 0 < args.ticks <= 1_000_000:
        parser.error(f"--ticks must be within 1..1000000, got {args.ticks}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    check_report(parser, args.report)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the naive horde for a number of ticks and print what it did (exit 2 on bad input)."""
    import time

    from tools.bench_combat import DT, bench_config
    from tools.common import write_json_report

    args = parse_args(argv)

    horde = NaiveHorde(bench_config(args.enemies), seed=args.seed)
    t0 = time.perf_counter()
    for _ in range(args.ticks):
        horde.step(DT)
    wall_s = time.perf_counter() - t0
    counts = horde.counts()
    print(f"naive horde: {args.enemies} enemies, {args.ticks} ticks in {wall_s:.2f} s "
          f"({wall_s / args.ticks * 1e3:.2f} ms a tick); "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if args.report is not None:
        write_json_report(args.report, {"enemies": args.enemies, "ticks": args.ticks,
                                        "seed": args.seed, "wall_s": wall_s, "counts": counts})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
