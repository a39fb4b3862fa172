"""The horde's Renderer: enemies by tier, projectiles, bosses, the player, particles.

``engine.horde.attach`` makes one and wires it to a World; it is the horde's, built from the
render layer's generic pieces (batches, atlas, camera, boss sprites, particles).

It holds the GraphicsContext, the sprite atlas (uploaded once), the camera, the shader library
(hot reload polled every ``reload_every`` frames), one ``InstanceBatch`` per enemy tier, the
projectile batch, the ``BossSprites`` and the ``ParticleRenderer``. The game gives it column
sources once; every frame ``render(alpha)`` reads them, packs + uploads + draws:

1. enemies, one draw per non-empty tier, in tier order: a ``SpriteLayer`` over the store's
   ``tier`` column (one ``RowGrouper.group`` pass finds every tier's rows),
2. projectiles, 3. bosses, 4. the player (one draw, ``engine.horde.player_view``: the knight of
   the ``hero`` sheet, walking when it moves, mirrored when it faces left, and a faint ring the
   size of the melee reach for ``SWING_S`` simulated seconds after each swing), 5. particles
   (additive). UI (ImGui) is drawn after, by others.

Sources are store-like objects read by column name every frame (``engine.horde.sources``).

``render_hook(alpha)`` is a valid ``app.render_hooks`` entry and ``resize(w, h)`` a valid
``app.resize_hooks`` entry. The target is a framebuffer, or a zero-argument callable returning
one, read every frame (the App may replace its target on resize: wire
``target=lambda: app.target``). The App clears its target before the render hooks, so the
default ``clear_color`` is None (no clear); standalone use passes a colour. With ``owns_frame``
(default) the renderer calls ``gfx.begin_frame()`` itself, so draw counts are per frame.

Wiring into the core App by hand (``engine.horde.attach`` does this for a World)::

    renderer = Renderer(app.ctx, target=lambda: app.target, viewport=app.size)
    renderer.set_enemy_source(world.enemies)          # .columns / .count
    app.render_hooks.append(renderer.render_hook)
    app.resize_hooks.append(renderer.resize)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import moderngl
import numpy as np

from engine.render import (
    DEFAULT_SHADER_DIR,
    BossSprites,
    Camera2D,
    GraphicsContext,
    GrowthPolicy,
    InstanceBatch,
    ParticleRenderer,
    RenderStats,
    ShaderLibrary,
    SpriteAtlas,
    SpriteLayer,
    save_screenshot,
)

from .art import PLAYER_SHEET, build_atlas, default_sheets
from .player_view import PlayerView, player_batch
from .sources import StoreSources
from .tiers import DEFAULT_TIERS, TierSpec, tier_specs_from_table

__all__ = ["Renderer", "TierSpec", "DEFAULT_TIERS", "tier_specs_from_table"]


class Renderer(StoreSources):
    """Draws a horde frame from column sources (see the module docstring).

    Attributes:
        gfx: the GraphicsContext (made here from a moderngl.Context, or given).
        stats: ``gfx.render_stats`` (draw calls, instances per batch, reallocations, ...).
        atlas: the sprite atlas (uploaded).
        camera: the ``Camera2D``; its matrix is used by every draw.
        shaders: the ``ShaderLibrary``.
        tiers: the tier specs, in draw order.
        enemy_layer: the ``SpriteLayer`` of the tiers (one kind per tier).
        tier_batches: its batches, one ``InstanceBatch`` per tier, same order.
        projectiles: the projectile ``InstanceBatch``.
        bosses: the ``BossSprites``.
        particles: the ``ParticleRenderer``.
        clear_color: rgba the target is cleared to (None: no clear).
        reload_every: poll shader files every N frames (0: never).
        owns_frame: call ``gfx.begin_frame()`` at the start of ``render``.
    """

    def __init__(
        self,
        ctx: moderngl.Context | GraphicsContext,
        *,
        target: moderngl.Framebuffer | Callable[[], moderngl.Framebuffer] | None = None,
        viewport: tuple[int, int] | None = None,
        shader_dir: str | os.PathLike[str] = DEFAULT_SHADER_DIR,
        atlas: SpriteAtlas | None = None,
        boss_sheets: Mapping[str, Iterable[Any]] | None = None,
        tiers: Sequence[TierSpec] = DEFAULT_TIERS,
        sprite_scale: float = 1.0,
        projectile_capacity: int = 4096,
        particle_capacity: int = 8192,
        boss_capacity: int = 16,
        policy: GrowthPolicy | str = GrowthPolicy.GROW,
        clear_color: tuple[float, float, float, float] | None = None,
        reload_every: int = 30,
        owns_frame: bool = True,
    ) -> None:
        """Build every batch and upload the atlas.

        Args:
            ctx: a moderngl context (a GraphicsContext is made and owned) or a GraphicsContext.
            target: framebuffer to draw into, or a callable returning it each frame (settable
                later as ``renderer.target``; required by ``render``).
            viewport: camera viewport size; default: the target's size (or 1280 x 720).
            shader_dir: folder of the GLSL files.
            atlas: sprite atlas; default: the procedural ``build_atlas()``.
            boss_sheets: when the atlas is built here, extra boss sheets: sheet name -> its
                animations (``(name, frames, fps, loop)`` or objects with those attributes,
                e.g. ``{s.sprite_sheet: s.animations.values() for s in scenes}``).
            tiers: enemy tiers in draw order.
            sprite_scale: world units per sprite pixel for the default tier sizes.
            projectile_capacity, particle_capacity, boss_capacity: initial batch capacities.
            policy: capacity policy of every batch.
            clear_color: rgba clear at the start of ``render``; None (default) keeps the
                target's content (the App clears it).
            reload_every: poll shader files every N frames (0 disables hot reload).
            owns_frame: the renderer starts the GraphicsContext frame (draw counts per frame).

        Raises:
            ValueError: no tiers, duplicate tier values or names, bad capacities, or both
                ``atlas`` and ``boss_sheets``.
            KeyError: a tier's sheet is missing from the atlas.
            ShaderNotFoundError, ShaderCompileError: the shaders cannot be loaded.
        """
        if isinstance(ctx, GraphicsContext):
            self.gfx = ctx
            self._owns_gfx = False
        else:
            self.gfx = GraphicsContext(ctx)
            self._owns_gfx = True
        tiers = tuple(tiers)
        if not tiers:
            raise ValueError("expected at least one enemy tier, got none")
        if len({t.name for t in tiers}) != len(tiers):
            raise ValueError(f"expected distinct tier names, got {[t.name for t in tiers]}")
        self.stats: RenderStats = self.gfx.render_stats
        self.target = target
        self.clear_color = clear_color
        self.reload_every = int(reload_every)
        self.owns_frame = owns_frame
        self.frames = 0
        self.shaders = ShaderLibrary(self.gfx, shader_dir)
        if atlas is not None and boss_sheets:
            raise ValueError("expected atlas or boss_sheets, got both: boss_sheets only shape "
                             "the atlas the renderer builds")
        self.atlas = atlas if atlas is not None else build_atlas(default_sheets(boss_sheets))
        self._owns_texture = self.atlas.texture is None  # release only what we uploaded
        texture = self.atlas.upload(self.gfx)
        if viewport is None:
            fbo = self._resolve_target(None)
            viewport = fbo.size if fbo is not None else (1280, 720)
        self.camera = Camera2D(*viewport)
        self.tiers = tiers
        self.enemy_layer = SpriteLayer(self.gfx, self.shaders, self.atlas, tiers,
                                       texture=texture, sprite_scale=sprite_scale,
                                       policy=policy)
        self.tier_batches: tuple[InstanceBatch, ...] = self.enemy_layer.batches
        pw, ph = self.atlas.sheet("projectile").frame_size
        self.projectiles = InstanceBatch(
            self.gfx, "projectiles", self.shaders, program="sprite", texture=texture,
            frame_uvs=self.atlas.frame_uvs("projectile"), capacity=projectile_capacity,
            policy=policy, size=(pw * sprite_scale, ph * sprite_scale))
        self.bosses = BossSprites(self.gfx, self.shaders, self.atlas, capacity=boss_capacity,
                                  policy=policy)
        self.particles = ParticleRenderer(self.gfx, self.shaders, self.atlas,
                                          capacity=particle_capacity, policy=policy)
        StoreSources.__init__(self)
        self._boss_source: Callable[[BossSprites], Any] | None = None
        self._angle = np.zeros(projectile_capacity, dtype=np.float32)
        self.player: InstanceBatch | None = None
        """The player's batch (two rows: the swing ring, then the knight); made by
        ``set_player_source``."""
        self._player: PlayerView | None = None
        self._sprite_scale = float(sprite_scale)
        self._policy = policy
        self._released = False

    # ------------------------------------------------------------------ sources
    def set_boss_source(self, source: Callable[[BossSprites], Any] | None) -> None:
        """Each frame, ``source(self.bosses)`` adds the visible bosses (``bosses.add(...)`` or
        ``bosses.add_from(objects)``). None removes the source.

        Raises:
            TypeError: ``source`` is not callable.
        """
        if source is not None and not callable(source):
            raise TypeError(f"expected a callable(BossSprites) or None, got "
                            f"{type(source).__name__}")
        self._boss_source = source

    def set_player_source(self, source: Any, *, pos: str = "pos",
                          prev_pos: str | None = "prev_pos", facing: str | None = "facing",
                          swings: Callable[[], int] | None = None,
                          clock: Callable[[], float] | None = None, tick_s: float = 0.0,
                          swing_radius: float = 70.0, size: tuple[float, float] | None = None,
                          tint: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
                          sheet: str = PLAYER_SHEET) -> None:
        """Draw the player (``engine.horde.player_view``): one draw call a frame.

        Args:
            source: an object whose ``pos`` and ``prev_pos`` attributes are (2,) arrays (the
                horde kit's ``Player``; read every frame, so it may replace them), or a
                callable returning ``(x, y, prev_x, prev_y)``. None removes the player.
            pos, prev_pos: attribute names on ``source`` (``prev_pos`` None: no interpolation).
            facing: attribute with a (2,) direction; the knight is mirrored when its x is
                negative. None (or absent): it faces the way it last moved.
            swings: a counter of melee swings (e.g. ``lambda: world.stats.melee_swings``); each
                time it goes up the ring shows for ``SWING_S`` simulated seconds.
            clock: simulated seconds (e.g. ``lambda: world.time``): times the ring and the
                idle breath; required with ``swings``.
            tick_s: the fixed step (s), to read the clock between ticks.
            swing_radius: the ring's radius in world units (the melee reach).
            size: the knight's world size; default: the frame size times ``sprite_scale``.
            tint: the knight's rgba.
            sheet: the atlas sheet, with ``walk``, ``idle`` and ``swing`` animations.

        Raises:
            TypeError: ``source`` is neither callable nor has the named attributes.
            KeyError: the sheet (or one of its animations) is not in the atlas.
            ValueError: a size or radius that is not positive; ``swings`` without ``clock``.
        """
        if source is None:
            self._player = None
            return
        fw, fh = self.atlas.sheet(sheet).frame_size
        w, h = size if size is not None else (fw * self._sprite_scale, fh * self._sprite_scale)
        view = PlayerView(None, self.atlas, source, sheet=sheet, pos=pos, prev_pos=prev_pos,
                          facing=facing, swings=swings, clock=clock, tick_s=tick_s,
                          swing_radius=float(swing_radius), size=(w, h), tint=tint)
        if self.player is None:
            self.player = player_batch(self.gfx, self.shaders, self.atlas, sheet, (w, h),
                                       self._policy)
        else:
            self.player.set_frames(self.atlas.frame_uvs(sheet))
        view.batch = self.player
        self._player = view

    def set_player_tint(self, r: float, g: float, b: float, a: float = 1.0) -> None:
        """The player sprite's rgba from the next frame on (a hit flash, a fade on death).

        Allocation contract: allocates nothing (four floats into the player's float32 cells).

        Raises:
            RuntimeError: no player source is set (``set_player_source``).
        """
        view = self._player
        if view is None:
            raise RuntimeError("set_player_tint: no player source is set; call "
                               "set_player_source first")
        view.set_tint(r, g, b, a)

    # ------------------------------------------------------------------ per frame
    def _resolve_target(self, target: moderngl.Framebuffer | None
                        ) -> moderngl.Framebuffer | None:
        if target is not None:
            return target
        t = self.target
        if t is None or isinstance(t, moderngl.Framebuffer):
            return t
        return t()

    def resize(self, width: int, height: int) -> None:
        """Resize the camera's viewport (an ``app.resize_hooks`` entry); 0 x 0 is ignored
        (a minimised window)."""
        if width > 0 and height > 0:
            self.camera.resize(width, height)

    def _pack_enemies(self, alpha: float) -> None:
        layer = self.enemy_layer
        src = self._enemies
        if src is None:
            layer.begin()
            return
        cols = src.store.columns
        names = src.names
        # prev_pos and frame may be absent from a store (no interpolation, frame 0).
        prev = names["prev_pos"]
        frame = names["frame"]
        layer.pack_columns(cols, src.store.count, alpha, kind=names["tier"] or "tier",
                           pos=names["pos"] or "pos",
                           prev_pos=prev if prev is not None and prev in cols else None,
                           frame=frame if frame is not None and frame in cols else None,
                           tint=names["tint"], scale=names["scale"],
                           rotation=names["rotation"])

    def _pack_projectiles(self, alpha: float) -> None:
        batch = self.projectiles
        batch.begin()
        src = self._projectiles
        if src is None:
            return
        cols = src.store.columns
        n = src.store.count
        names = src.names
        prev = cols.get(names["prev_pos"]) if names["prev_pos"] is not None else None
        frame = cols[names["frame"]] if names["frame"] is not None else None
        rot = cols[names["rotation"]] if names["rotation"] is not None else None
        if rot is None and names["velocity"] is not None:
            vel = cols.get(names["velocity"])
            if vel is not None:
                if self._angle.shape[0] < n:
                    # A projectile store larger than our scratch: grow once (by doubling).
                    size = self._angle.shape[0]
                    while size < n:
                        size *= 2
                    self._angle = np.zeros(size, dtype=np.float32)
                rot = self._angle
                np.arctan2(vel[:n, 1], vel[:n, 0], out=rot[:n])
        batch.pack_range(n, cols[names["pos"]], prev, alpha, frame=frame, rotation=rot)

    def _pack_player(self, alpha: float) -> None:
        batch = self.player
        if batch is None:
            return
        view = self._player
        if view is None:
            batch.begin()
            return
        view.pack(alpha)

    def render(self, alpha: float = 1.0, target: moderngl.Framebuffer | None = None) -> None:
        """Pack, upload and draw everything into ``target`` (default: ``self.target``).

        Args:
            alpha: interpolation fraction between the previous and the current tick.
            target: framebuffer for this call only.

        Allocation contract: allocates nothing retained after warm-up (transient views,
        Python ints and floats only) when the sources hold float32 columns; shader polling
        (every ``reload_every`` frames) allocates transient stat results; a reload, a batch
        growth and a boss source's own objects are the exceptions, each counted.

        Raises:
            RuntimeError: no target framebuffer.
        """
        fbo = self._resolve_target(target)
        if fbo is None:
            raise RuntimeError("Renderer.render: no target framebuffer; pass target= or set "
                               "renderer.target (e.g. app.target)")
        gfx = self.gfx
        rs = self.stats
        if self.owns_frame:
            gfx.begin_frame()
        self.frames += 1
        if self.reload_every and self.frames % self.reload_every == 0:
            self.shaders.check_reload()
        fbo.use()
        color = self.clear_color
        if color is not None:
            fbo.clear(color[0], color[1], color[2], color[3])

        t0 = time.perf_counter_ns()
        self._pack_enemies(alpha)
        self._pack_projectiles(alpha)
        bosses = self.bosses
        bosses.begin(alpha)
        if self._boss_source is not None:
            self._boss_source(bosses)
        self._pack_player(alpha)
        particles = self.particles
        particles.begin()
        psrc = self._particles
        if psrc is not None:
            nm = psrc.names
            particles.pack_store(psrc.store, alpha, pos=nm["pos"] or "pos",
                                 prev_pos=nm["prev_pos"], life=nm["life"] or "life",
                                 max_life=nm["max_life"] or "max_life",
                                 color=nm["color"] or "color", size=nm["size"] or "size")
        t1 = time.perf_counter_ns()
        for batch in self.tier_batches:
            batch.upload()
        self.projectiles.upload()
        bosses.upload()
        player = self.player
        if player is not None:
            player.upload()
        particles.upload()
        t2 = time.perf_counter_ns()
        matrix = self.camera.matrix
        for batch in self.tier_batches:
            batch.draw(matrix)
        self.projectiles.draw(matrix)
        bosses.draw(matrix)
        if player is not None:
            player.draw(matrix)
        particles.draw(matrix)
        t3 = time.perf_counter_ns()
        rs.pack_ns += t1 - t0
        rs.upload_ns += t2 - t1
        rs.submit_ns += t3 - t2

    def render_hook(self, alpha: float) -> None:
        """``app.render_hooks`` entry: ``render(alpha)`` into ``self.target``."""
        self.render(alpha)

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        """Save the target framebuffer as a PNG (atomically); returns the path.

        Raises:
            RuntimeError: no target.
        """
        fbo = self._resolve_target(None)
        if fbo is None:
            raise RuntimeError("Renderer.screenshot: no target framebuffer")
        return save_screenshot(fbo, path)

    @property
    def batches(self) -> tuple[InstanceBatch, ...]:
        """Every batch in draw order (tiers, projectiles, bosses, the player once it has a
        source, particles)."""
        player = () if self.player is None else (self.player,)
        return (*self.tier_batches, self.projectiles, self.bosses.batch, *player,
                self.particles.batch)

    def release(self) -> None:
        """Release every GL object this renderer made (safe twice).

        The GraphicsContext is released too when the renderer made it.
        """
        if self._released:
            return
        self._released = True
        for batch in self.batches:
            batch.release()
        if self._owns_texture:
            self.atlas.release()
        self.shaders.release()
        if self._owns_gfx:
            self.gfx.release()
