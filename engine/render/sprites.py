"""Sprites: the shortest way to sprites on screen, wired to an App in one call.

``Sprites(app, sheets)`` makes what a first program otherwise builds by hand - the
``GraphicsContext``, the ``ShaderLibrary``, the atlas of ``sheets`` (uploaded), a ``Camera2D``
of the App's size, one ``SpriteLayer`` kind per sheet over its own ``EntityStore`` - and hooks
itself to the App: drawing in ``app.render_hooks``, the camera in ``app.resize_hooks``, the GL
release in ``app.shutdown_hooks``::

    sprites = Sprites(app, [load_image("hero.png")])
    hero = sprites.add("hero", 0, 0)                # a handle
    sprites.move(hero, 10, 0)                       # from a system: interpolated between steps
    sprites.play(hero, "walk")                      # an animation of its sheet, from now

The App is read by attribute (``ctx``, ``size``, ``scheduler``, the hook lists), so this layer
does not import the core. Sprites live in ``sprites.store`` (columns ``pos``, ``prev_pos``,
``kind``, ``frame``, ``tint``, ``scale``, ``rotation`` and the animation's), which a system
may also write directly. Animations play by simulated time (``app.scheduler.sim_time_ns``,
interpolated by alpha) at their mean ``fps``: per-frame durations of a ``TimedAnimation`` are
averaged here (draw it with a batch of your own to follow them exactly).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from engine.data import EntityStore

from .atlas import SpriteAtlas, SpriteSheet
from .camera import Camera2D
from .gl import GraphicsContext
from .shaders import DEFAULT_SHADER_DIR, ShaderLibrary
from .sprite_layer import SpriteKind, SpriteLayer

__all__ = ["Sprites"]

SPRITE_COLUMNS = {
    "pos": ((2,), np.float32),
    "prev_pos": ((2,), np.float32),
    "kind": ((), np.int32),
    "frame": ((), np.float32),
    "tint": ((4,), np.float32, 1.0),
    "scale": ((), np.float32, 1.0),
    "rotation": ((), np.float32),
    "anim_first": ((), np.float64),
    "anim_count": ((), np.float64, 1.0),
    "anim_fps": ((), np.float64),
    "anim_start": ((), np.float64),
    "anim_loop": ((), np.bool_, True),
}
"""The columns of ``Sprites.store``."""


class Sprites:
    """Sprites from sheets, drawn every frame of ``app`` (see the module docstring).

    Attributes:
        gfx, shaders, atlas, camera: the GL pieces it made (``camera``: world units, y up,
            the origin at the centre of the screen; ``camera.move_to`` / ``follow`` it).
        layer: the ``SpriteLayer`` (one kind per sheet, in the order given).
        store: the ``EntityStore`` of sprites (``policy="grow"``).

    Args:
        app: an App (read: ``ctx``, ``size``, ``scheduler``, ``render_hooks``,
            ``resize_hooks``, ``shutdown_hooks``).
        sheets: ``SpriteSheet`` objects (``load_image``, ``load_grid_sheet``,
            ``load_aseprite``, ...) or a mapping of names to them; a sprite names its sheet.
        capacity: sprites the store holds before it doubles.
        shader_dir: the GLSL folder (default: the engine's).

    Raises:
        ValueError: no sheets, or a name given twice.
        TypeError: a sheet that is not a ``SpriteSheet``.
    """

    def __init__(self, app: Any, sheets: Iterable[SpriteSheet] | Mapping[str, SpriteSheet], *,
                 capacity: int = 1024,
                 shader_dir: str | os.PathLike[str] = DEFAULT_SHADER_DIR) -> None:
        items = sheets.values() if isinstance(sheets, Mapping) else sheets
        by_name: dict[str, SpriteSheet] = {}
        for sheet in items:
            if not isinstance(sheet, SpriteSheet):
                raise TypeError(f"expected SpriteSheet objects (load_image(...), ...), got "
                                f"{type(sheet).__name__}")
            if sheet.name in by_name:
                raise ValueError(f"expected distinct sheet names, got {sheet.name!r} twice")
            by_name[sheet.name] = sheet
        if not by_name:
            raise ValueError("expected at least one sprite sheet, got none")
        self._app = app
        self._kind = {name: i for i, name in enumerate(by_name)}
        self.gfx = GraphicsContext(app.ctx)
        self.shaders = ShaderLibrary(self.gfx, shader_dir)
        self.atlas = SpriteAtlas(by_name)
        self.layer = SpriteLayer(self.gfx, self.shaders, self.atlas,
                                 [SpriteKind(name, i, name, capacity=capacity)
                                  for name, i in self._kind.items()])
        self.camera = Camera2D(*app.size)
        self.store = EntityStore("sprites", capacity, SPRITE_COLUMNS, policy="grow")
        self._t = np.zeros(capacity, dtype=np.float64)
        self._held = np.zeros(capacity, dtype=np.float64)
        self._released = False
        app.render_hooks.append(self.draw)
        app.resize_hooks.append(self.resize)
        app.shutdown_hooks.append(self.release)

    # ------------------------------------------------------------------ sprites
    def add(self, sheet: str, x: float = 0.0, y: float = 0.0, *, animation: str | None = None,
            scale: float = 1.0, rotation: float = 0.0,
            tint: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)) -> int:
        """A sprite of ``sheet`` at world ``(x, y)``: frame 0, or ``animation`` from now.

        Returns:
            Its handle (for :meth:`move`, :meth:`play`, :meth:`remove`).

        Raises:
            KeyError: no such sheet (or animation); the message lists what there is.
        """
        kind = self._kind.get(sheet)
        if kind is None:
            raise KeyError(f"no sprite sheet {sheet!r}; the sheets are {sorted(self._kind)}")
        handle = self.store.spawn(pos=(x, y), prev_pos=(x, y), kind=kind, scale=scale,
                                  rotation=rotation, tint=tint)
        if animation is not None:
            self.play(handle, animation)
        return handle

    def _row(self, handle: int) -> int:
        row = self.store.row_of(handle)
        if row < 0:
            raise KeyError(f"sprite {handle:#x} was removed (or never added)")
        return row

    def move(self, handle: int, x: float, y: float) -> None:
        """Move a sprite: its last position becomes the one drawn at alpha 0 (call it once per
        fixed step, from a system, for a smooth move). Allocates nothing retained.

        Raises:
            KeyError: a removed sprite.
        """
        row = self._row(handle)
        pos = self.store.columns["pos"]
        self.store.columns["prev_pos"][row] = pos[row]
        pos[row, 0] = x
        pos[row, 1] = y

    def play(self, handle: int, animation: str) -> None:
        """Play an animation of the sprite's sheet from now (by simulated time).

        Raises:
            KeyError: a removed sprite, or an animation the sheet lacks.
        """
        row = self._row(handle)
        cols = self.store.columns
        name = self.layer.kinds[int(cols["kind"][row])].sheet
        anim = self.atlas.sheet(name).animation(animation)
        cols["anim_first"][row] = anim.first
        cols["anim_count"][row] = anim.count
        cols["anim_fps"][row] = anim.fps
        cols["anim_loop"][row] = anim.loop
        cols["anim_start"][row] = self._app.scheduler.sim_time_ns * 1e-9

    def remove(self, handle: int) -> bool:
        """Remove a sprite (from the next frame). Returns False for one already removed."""
        return self.store.despawn(handle)

    # ------------------------------------------------------------------ per frame
    def _animate(self, n: int, alpha: float) -> None:
        # frame = first + (floor((t - start) * fps) mod count, or held at count - 1).
        if self._t.shape[0] < self.store.capacity:
            self._t = np.zeros(self.store.capacity, dtype=np.float64)
            self._held = np.zeros(self.store.capacity, dtype=np.float64)
        cols = self.store.columns
        sched = self._app.scheduler
        now = (sched.sim_time_ns + alpha * sched.step_ns) * 1e-9
        t = self._t[:n]
        held = self._held[:n]
        count = cols["anim_count"][:n]
        np.subtract(now, cols["anim_start"][:n], out=t)
        np.maximum(t, 0.0, out=t)
        np.multiply(t, cols["anim_fps"][:n], out=t)
        np.floor(t, out=t)
        np.subtract(count, 1.0, out=held)
        np.minimum(t, held, out=held)
        np.mod(t, count, out=t)
        np.copyto(held, t, where=cols["anim_loop"][:n])
        np.add(held, cols["anim_first"][:n], out=held)
        np.copyto(cols["frame"][:n], held, casting="same_kind")

    def draw(self, alpha: float) -> None:
        """The render hook: removals flushed, animations advanced, every sprite drawn (one
        instanced draw per sheet in use).

        Allocation contract: allocates nothing retained after warm-up (transient views and
        floats); a store past its capacity doubles (counted in ``store.stats.growths``).
        """
        store = self.store
        store.flush()
        n = store.count
        self._animate(n, alpha)
        self.gfx.begin_frame()
        self.layer.draw_store(store, alpha, self.camera.matrix, frame="frame", tint="tint",
                              scale="scale", rotation="rotation")

    def resize(self, width: int, height: int) -> None:
        """The resize hook: the camera follows the framebuffer (0 x 0 ignored)."""
        if width > 0 and height > 0:
            self.camera.resize(width, height)

    def release(self) -> None:
        """The shutdown hook: every GL object made here. Safe twice."""
        if self._released:
            return
        self._released = True
        self.layer.release()
        self.atlas.release()
        self.shaders.release()
        self.gfx.release()
