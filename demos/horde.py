#!/usr/bin/env python3
"""Horde: the playable demo. Survive the waves: move, and the weapons fire on their own.

The whole engine in one game: the App's fixed-step loop and input, the horde kit's World
(waves, melee, auto-aimed projectiles, scene-driven bosses, particles), the instanced
Renderer, a camera that follows the player, and the profiler's dashboard over it all.

Keys:
  WASD / arrows  move                      P       pause / resume
  B              summon the next boss now  R       revive after a death (the waves go on)
  F1..F8         dashboard panels          F12     show / hide the dashboard
  Escape         quit

The melee swing hits everything around the player every 0.8 s; the bolt fires at the nearest
enemy in range. Bosses walk in on the schedule (--first-boss, then every --boss-every
seconds), alternating brute and spitter.

Exit codes: 0 the run ended (frames done, window closed, Escape); 2 bad command-line input.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from engine.combat import (
    BossWave,
    PlayerConfig,
    WaveSchedule,
    World,
    WorldConfig,
)
from engine.combat.state import ENEMY_COLUMNS
from engine.combat.stock_scenes import stock_scene
from engine.core import App, AppConfig
from engine.core.keys import (
    KEY_A,
    KEY_B,
    KEY_D,
    KEY_DOWN,
    KEY_LEFT,
    KEY_P,
    KEY_R,
    KEY_RIGHT,
    KEY_S,
    KEY_UP,
    KEY_W,
)
from engine.core.options import (
    OptionParser,
    add_benchmark,
    add_frames,
    add_headless,
    add_seed,
    add_size,
    check_memory,
    check_writable,
    layout_bytes,
)
from engine.horde import attach
from engine.profiler import Profiler
from engine.render import Font, TextLayer

PROG = "horde.py"
BOSS_SCENES = (stock_scene("brute"), stock_scene("spitter"))

WARMUP_S = 3.0
"""Simulated seconds before the profiler's warm-up mark (loading and first spawns are over)."""


# ----------------------------------------------------------------------------- command line

def build_parser() -> argparse.ArgumentParser:
    """The command line; its help is the documentation of the demo."""
    p = OptionParser(prog=PROG, description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="Examples:\n"
                            "  python demos/horde.py                       # play (needs a "
                            "display)\n"
                            "  python demos/horde.py --enemies 20000 --god # a bigger horde\n"
                            "  python demos/horde.py --headless --frames 300 --benchmark\n")
    add_headless(p)
    add_frames(p, when_none="play until closed")
    add_seed(p)
    p.add_argument("--enemies", type=int, default=3000, metavar="N",
                   help="cap on live enemies (default: %(default)s)")
    add_benchmark(p)
    p.add_argument("--god", action="store_true",
                   help="the player cannot die (hp refills; deaths are counted) (default: off)")
    p.add_argument("--first-boss", type=float, default=30.0, metavar="S",
                   help="seconds until the first boss (default: %(default)s)")
    p.add_argument("--boss-every", type=float, default=45.0, metavar="S",
                   help="seconds between bosses after the first (default: %(default)s)")
    add_size(p)
    p.add_argument("--no-dashboard", action="store_true",
                   help="no profiler dashboard (the meter still runs) (default: off)")
    p.add_argument("--screenshot", type=Path, default=None, metavar="PATH",
                   help="save the last frame as a PNG when the run ends (default: none)")
    return p


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and validate; bad input exits with one line on stderr and code 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.frames is not None and args.frames < 0:
        parser.error(f"--frames must be >= 0, got {args.frames}")
    if args.seed is not None and args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    if args.enemies <= 0:
        parser.error(f"--enemies must be a positive integer, got {args.enemies}")
    for name in ("first_boss", "boss_every"):
        value = getattr(args, name)
        if not math.isfinite(value) or value <= 0:
            parser.error(f"--{name.replace('_', '-')} must be a positive number of seconds, "
                         f"got {value}")
    args.width, args.height = args.size
    # The enemy store holds 1.25 x --enemies rows (world_config); each row also costs the
    # grid's and the renderer's share.
    why = check_memory(1.25 * args.enemies * (layout_bytes(ENEMY_COLUMNS) + 104),
                       f"--enemies {args.enemies}")
    if why is None and args.screenshot is not None:
        why = check_writable(args.screenshot)
        why = why and f"--screenshot: {why}"
    if why is not None:
        parser.error(why)
    return args


# ----------------------------------------------------------------------------- the HUD

class Hud:
    """hp, kills and time at the top-left, "GAME OVER" in the middle while the player is down:
    one screen-space ``TextLayer`` drawn over the sprites (one draw call).

    A line is formatted only when a figure it shows changed (whole hp, kills, whole seconds),
    so a frame where nothing changed formats and allocates no string.
    """

    def __init__(self, game: HordeGame) -> None:
        r = game.renderer
        self.world = game.world
        self.font = Font(size=20)
        self.layer = TextLayer(r.gfx, r.shaders, self.font, name="hud")
        layer = self.layer
        self.status = layer.add("", 14, 10, color=(1.0, 1.0, 1.0), max_chars=64)
        self.over = layer.add("GAME OVER", 0, 0, anchor="cm", scale=3.0,
                              color=(1.0, 0.3, 0.3))
        self.hint = layer.add("press R to revive, Escape to quit", 0, 0, anchor="ct",
                              color=(1.0, 0.85, 0.6))
        self.resize(*game.app.size)
        self._hp = self._kills = self._seconds = -1
        self._down = False
        layer.set_visible(self.over, False)
        layer.set_visible(self.hint, False)

    def resize(self, width: int, height: int) -> None:
        """Resize hook: keep the game-over lines centred above the player, who stands in
        the middle of the view (0 x 0 ignored)."""
        if width > 0 and height > 0:
            self.layer.set_position(self.over, width / 2.0, height / 2.0 - 90.0)
            self.layer.set_position(self.hint, width / 2.0, height / 2.0 - 50.0)

    def draw(self, alpha: float) -> None:
        """Render hook after the renderer's. Allocation contract: with no figure changed,
        nothing but transient ints (compared, not formatted); a changed figure formats one
        line (its transients, and the new string kept by the layer)."""
        p = self.world.player
        hp = math.ceil(p.hp) if p.hp > 0.0 else 0
        kills = p.kills
        seconds = int(self.world.time)
        if hp != self._hp or kills != self._kills or seconds != self._seconds:
            self._hp, self._kills, self._seconds = hp, kills, seconds
            self.layer.set_text(self.status, f"hp {hp}/{p.max_hp:.0f}   kills {kills}   "
                                             f"time {seconds // 60}:{seconds % 60:02d}")
        down = not p.alive
        if down != self._down:
            self._down = down
            self.layer.set_visible(self.over, down)
            self.layer.set_visible(self.hint, down)
        self.layer.draw()


# ----------------------------------------------------------------------------- the game

def world_config(args: argparse.Namespace) -> WorldConfig:
    """The horde kit's configuration for the demo: a ramp to ``--enemies``, bosses on a
    schedule, a keyboard-driven player."""
    cap = args.enemies
    # Boss waves up to an hour in: a schedule, not a loop (the world takes a fixed list).
    bosses = []
    t = args.first_boss
    i = 0
    while t < 3600.0 and i < 200:
        bosses.append(BossWave(t, BOSS_SCENES[i % 2]))
        t += args.boss_every
        i += 1
    return WorldConfig(
        enemy_capacity=cap + cap // 4 + 64,
        particle_capacity=max(8192, cap),
        projectile_capacity=2048,
        view_half_extent=(args.width / 2.0, args.height / 2.0),
        waves=WaveSchedule(start_rate=6.0, max_rate=max(120.0, cap / 20.0), ramp_seconds=90.0,
                           max_enemies=cap),
        bosses=tuple(bosses),
        player=PlayerConfig(immortal=args.god),
    )


class HordeGame:
    """App + World + Renderer + Profiler, wired; ``run()`` plays until the end.

    Attributes:
        app, world, renderer, profiler: the engine parts.
        hud: the on-screen ``Hud`` (hp, kills, time, game over).
        dashboard: the profiler's Dashboard (None with ``--no-dashboard``).
        bosses_summoned: bosses brought in by the B key.
        revives: revivals by the R key.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.app = App(AppConfig(
            width=args.width, height=args.height, title="horde engine - horde",
            headless=True if args.headless else None, benchmark=args.benchmark,
            seed=args.seed, vsync=True))
        app = self.app
        self.world = World(world_config(args), seed=app.seed)
        world = self.world
        world.player.teleport(0.0, 0.0)

        # Systems: our input first, then the horde kit's, in the kit's order.
        app.scheduler.add("horde.input", self._read_input)
        world.install(app.scheduler)
        app.scheduler.add("horde.rules", self._rules)

        self.profiler = Profiler()
        prof = self.profiler
        player = world.player
        prof.watch_counter("player hp", lambda: player.hp)
        prof.watch_counter("kills", lambda: float(player.kills))
        prof.watch_counter("sim time s", lambda: world.time)
        # The horde's renderer and the profiler (which also watches the world's pools, rings,
        # combat and render stats), wired to the world; the camera follows the player.
        self.horde = attach(app, world, profiler=prof, dashboard=not args.no_dashboard,
                            follow=True)
        self.renderer = self.horde.renderer
        self.renderer.camera.set_smoothing(0.12)
        self.dashboard = self.horde.dashboard
        # Before the renderer's hook: the tint it draws this frame.
        app.render_hooks.insert(app.render_hooks.index(self.renderer.render_hook),
                                self._player_look)
        # Right after the renderer's hook: the HUD covers the sprites, the dashboard covers it.
        self.hud = Hud(self)
        app.render_hooks.insert(app.render_hooks.index(self.renderer.render_hook) + 1,
                                self.hud.draw)
        app.resize_hooks.append(self.hud.resize)
        prof.gc_policy.after_loading()

        app.input.bind("horde.pause", KEY_P, app.scheduler.toggle_pause)
        app.input.bind("horde.boss", KEY_B, self.summon_boss)
        app.input.bind("horde.revive", KEY_R, self.revive)
        # The screenshot before attach's shutdown hook releases the renderer's GL objects.
        app.shutdown_hooks.insert(0, self._screenshot)
        self.warmed_up = False
        self.bosses_summoned = 0
        self.revives = 0
        self.game_overs = 0
        self._dead_noted = False
        self._next_summon = 0

    # ------------------------------------------------------------------ systems
    def _read_input(self, dt: float) -> None:
        """System ``horde.input``: keys -> the player's movement input. Allocates nothing
        (bools and Python floats)."""
        inp = self.app.input
        x = float(inp.is_down(KEY_D) or inp.is_down(KEY_RIGHT)) \
            - float(inp.is_down(KEY_A) or inp.is_down(KEY_LEFT))
        y = float(inp.is_down(KEY_W) or inp.is_down(KEY_UP)) \
            - float(inp.is_down(KEY_S) or inp.is_down(KEY_DOWN))
        p = self.world.player
        p.input_x = x
        p.input_y = y

    def _rules(self, dt: float) -> None:
        """System ``horde.rules``: the profiler's warm-up mark after the first seconds (its
        growth figures count from there); game over when the player falls (the world pauses
        until R). Allocates nothing in play."""
        if not self.warmed_up and self.world.time >= WARMUP_S:
            self.warmed_up = True
            self.profiler.mark_warmup_end()
            self.profiler.set_combat(True)  # GC thresholds for play; a gen2 is a spike now
        if not self.world.player.alive and not self._dead_noted:
            self._dead_noted = True
            self.game_overs += 1
            self.app.scheduler.pause()
            p = self.world.player
            print(f"{PROG}: game over at {self.world.time:.1f} s with {p.kills} kills - "
                  f"press R to revive, Escape to quit", flush=True)

    # ------------------------------------------------------------------ keys
    def summon_boss(self) -> None:
        """Bring the next boss in now, just outside the view (the B key)."""
        w = self.world
        scene = BOSS_SCENES[self._next_summon % len(BOSS_SCENES)]
        self._next_summon += 1
        hx, hy = w.config.view_half_extent
        p = w.player
        if w.spawn_boss(scene, p.x + hx * 0.8, p.y) is not None:
            self.bosses_summoned += 1

    def revive(self) -> None:
        """Back on your feet at full hp with the horde cleared (the R key, after a death)."""
        p = self.world.player
        if p.alive:
            return
        p.hp = p.max_hp
        p.alive = True
        p.invuln = 2.0
        enemies = self.world.enemies
        enemies.kill_rows(np.ones(enemies.count, dtype=bool))  # flushed by the deaths system
        self._dead_noted = False
        self.revives += 1
        self.app.scheduler.resume()

    # ------------------------------------------------------------------ render hooks
    def _player_look(self, alpha: float) -> None:
        """The knight flashes red while invulnerable after a hit and fades when it falls.
        Allocates nothing (the renderer's tint cells)."""
        p = self.world.player
        a = 1.0 if p.alive else 0.35
        if p.invuln > 0.0 and int(p.invuln * 12.0) % 2 == 0:
            self.renderer.set_player_tint(1.0, 0.3, 0.3, a)
        else:
            self.renderer.set_player_tint(1.0, 1.0, 1.0, a)

    def _screenshot(self) -> None:
        if self.args.screenshot is not None and self.app.size[0] > 0:
            path = self.renderer.screenshot(self.args.screenshot)
            print(f"{PROG}: screenshot {path}")

    # ------------------------------------------------------------------ running
    def run(self, frames: int | None = None) -> str:
        """Play until ``frames`` (None: until closed); returns the App's exit reason."""
        return self.app.run(max_frames=frames)

    def summary(self) -> str:
        """One line: what happened in the run."""
        w = self.world
        st = w.stats
        p = w.player
        return (f"{self.app.frame} frames, {self.app.scheduler.steps_total} steps, "
                f"{w.time:.1f} s simulated; enemies {w.enemies.count} live, "
                f"{int(st.kills_by_tier.sum())} killed; bosses {st.boss_spawns} came, "
                f"{st.boss_kills} fell; player hp {p.hp:.0f}, {p.hits_taken} hits taken, "
                f"{p.deaths} deaths; exit: {self.app.exit_reason}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from engine.acceptance.cli import BAD_INPUT

    try:
        game = HordeGame(args)
    except BAD_INPUT as exc:  # a malformed boss scene or config: one line, exit 2
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    if game.app.headless and args.frames is None:
        print(f"{PROG}: headless without --frames runs until Ctrl-C", file=sys.stderr)
    game.run(args.frames)
    print(f"{PROG}: {game.summary()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
