"""One wiring of a horde game: App -> World -> the horde's renderer -> Profiler.

``attach(app, world)`` is the only place in the engine that connects them; every demo, tool
and test that needs the whole frame goes through it::

    from engine.core import App, AppConfig
    from engine.combat import World
    from engine.horde import attach

    app = App(AppConfig(width=1280, height=720))
    world = World(seed=1)
    world.install(app.scheduler)          # the systems first: attach does not touch them
    horde = attach(app, world, follow=True)
    app.run()

What it installs, in frame order: a render hook that follows the player with the camera
(``follow``), the renderer's render hook (enemies by tier, projectiles, bosses, the player,
particles, from the world's stores), its resize hook, and (``profiler``) the profiler's hooks
around all of it, with the world's pools, rings, combat stats and the render stats watched.
The renderer's GL objects are released by a shutdown hook, before the App's context goes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from engine.profiler import Profiler

from .art import build_atlas
from .renderer import Renderer
from .tiers import TierSpec, tier_specs_from_table

__all__ = ["Horde", "attach"]


class Horde:
    """What ``attach`` wired: the renderer, the profiler, and the hooks it installed.

    Attributes:
        app: the App.
        world: the World drawn (``set_world`` replaces it).
        renderer: the horde's ``Renderer`` (its ``camera``, ``stats``, ``screenshot``).
        profiler: the ``Profiler`` attached to the app, or None (``profiler=False``).
        dashboard: the profiler's dashboard, or None.
        follow: whether the camera follows the player (``follow_hook`` is installed).
    """

    def __init__(self, app: Any, world: Any, renderer: Renderer, profiler: Profiler | None,
                 dashboard: Any, follow: bool) -> None:
        self.app = app
        self.world = world
        self.renderer = renderer
        self.profiler = profiler
        self.dashboard = dashboard
        self.follow = follow
        self._released = False

    def set_world(self, world: Any) -> None:
        """Draw ``world`` from now on (its stores, bosses and player); the profiler keeps
        watching the first world's objects."""
        r = self.renderer
        r.set_enemy_source(world.enemies)
        r.set_projectile_source(world.projectiles)
        r.set_particle_source(world.particles)
        slots = world.bosses.slots
        r.set_boss_source(lambda sprites: sprites.add_from(slots))
        stats = world.stats
        r.set_player_source(world.player, swings=lambda: stats.melee_swings,
                            clock=lambda: world.time,
                            tick_s=self.app.scheduler.step_ns * 1e-9,
                            swing_radius=world.config.melee.radius)
        self.world = world

    def follow_hook(self, alpha: float) -> None:
        """Render hook before the renderer's: the camera follows the player's interpolated
        position (smoothed by ``renderer.camera.smoothing``). Allocates nothing retained."""
        p = self.world.player
        px = float(p.prev_pos[0]) + (float(p.pos[0]) - float(p.prev_pos[0])) * alpha
        py = float(p.prev_pos[1]) + (float(p.pos[1]) - float(p.prev_pos[1])) * alpha
        self.renderer.camera.follow(px, py, self.app.frame_ns_last * 1e-9)

    def release(self) -> None:
        """Release the renderer's GL objects (safe twice; a shutdown hook calls it)."""
        if not self._released:
            self._released = True
            self.renderer.release()


def attach(app: Any, world: Any, *, profiler: bool | Profiler = True, dashboard: bool = True,
           bracket_ticks: bool = False, screenshot: Callable[[], Any] | None = None,
           follow: bool = False, viewport: tuple[int, int] | None = None,
           tiers: Sequence[TierSpec] | None = None, reload_every: int = 30,
           release_on_shutdown: bool = True) -> Horde:
    """Wire ``world`` to ``app``: the horde's renderer and (optionally) the profiler.

    Args:
        app: an ``engine.core.App`` (its ``ctx``, ``target``, hook lists, ``scheduler``).
        world: a horde-kit ``World`` (stores, ``player``, ``stats``, ``tiers``, ``pools()``,
            ``rings()``); install its systems on ``app.scheduler`` yourself.
        profiler: True makes a ``Profiler``; a Profiler is used as given; False: none.
        dashboard, bracket_ticks, screenshot: passed to ``Profiler.attach``.
        follow: the camera follows the player (``renderer.camera.set_smoothing`` to smooth).
        viewport: the camera's size; default: ``app.size``.
        tiers: how each enemy tier is drawn; default: from the world's tier table (its
            sprites, scales and tints, ``tier_specs_from_table``). Either way each tier's
            batch capacity is raised to the world's enemy capacity (no growth mid-run).
        reload_every: shader hot reload poll, in frames (0: never).
        release_on_shutdown: add a shutdown hook that releases the renderer's GL objects.

    Returns:
        The ``Horde``: ``.renderer``, ``.profiler``, ``.dashboard``.

    Raises:
        KeyError: a tier's sprite is not a sheet of the atlas.
        TypeError: ``world`` lacks the stores or the tier table.
    """
    atlas = build_atlas()
    specs = tiers if tiers is not None else tier_specs_from_table(world.tiers, atlas)
    # Each tier's batch holds every row the enemy store can: a batch that grows mid-run makes
    # a GL buffer and vertex array (12 GC-tracked objects, ~10 blocks kept), a step in a hold
    # whenever a tier's live count first passes its batch's capacity.
    most = int(world.enemies.capacity)
    specs = tuple(s if s.capacity >= most else replace(s, capacity=most) for s in specs)
    renderer = Renderer(app.ctx, target=lambda: app.target,
                        viewport=viewport if viewport is not None else app.size, atlas=atlas,
                        tiers=specs, reload_every=reload_every)
    prof: Profiler | None = None
    if profiler is True:
        prof = Profiler()
    elif isinstance(profiler, Profiler):
        prof = profiler
    elif profiler is not False:
        raise TypeError(f"profiler: expected a bool or a Profiler, got "
                        f"{type(profiler).__name__}")
    horde = Horde(app, world, renderer, prof, None, follow)
    horde.set_world(world)
    if follow:
        app.render_hooks.append(horde.follow_hook)
    app.render_hooks.append(renderer.render_hook)
    app.resize_hooks.append(renderer.resize)
    if release_on_shutdown:
        app.shutdown_hooks.append(horde.release)
    if prof is not None:
        prof.watch_world(world)  # pools, rings, combat stats by tier
        prof.watch_render(renderer.stats)
        horde.dashboard = prof.attach(app, dashboard=dashboard, bracket_ticks=bracket_ticks,
                                      screenshot=screenshot)
    return horde
