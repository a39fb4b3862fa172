"""BossSprites: animated sprite-sheet rendering for scene-based bosses, in one instanced draw.

Bosses are few (a handful at once) and each is a Python object of the combat layer with its
own state machine. The caller gives this module plain values per boss and frame: sheet name,
animation name, time since the animation started (or an explicit frame), position (and the
previous tick's, for interpolation), scale, facing, tint. ``add`` turns the animation time into
a frame with the sheet's fps and loop flag (``Animation.frame_at``) and writes one instance row;
``draw`` draws every boss added this frame with one draw call.

All boss sheets share one frame table: frame index = sheet's base + animation's first + frame.
A boss's world size is its frame's pixel size times ``world_scale`` times its ``scale``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .atlas import BOSS_SHEETS, SpriteAtlas
from .batch import MAX_FRAMES, GrowthPolicy, InstanceBatch
from .gl import GraphicsContext
from .shaders import ShaderLibrary

__all__ = ["BossSprites"]

_WHITE = (1.0, 1.0, 1.0, 1.0)


class BossSprites:
    """One instance batch for every visible boss.

    Attributes:
        batch: the ``InstanceBatch`` (name ``bosses`` by default).
        world_scale: world units per sheet pixel (bosses are big).
        base: sheet name -> index of its first frame in the shared frame table.
    """

    def __init__(self, gfx: GraphicsContext, shaders: ShaderLibrary, atlas: SpriteAtlas, *,
                 sheets: Sequence[str] = BOSS_SHEETS, capacity: int = 16,
                 policy: GrowthPolicy | str = GrowthPolicy.GROW, world_scale: float = 2.0,
                 program: str = "sprite", name: str = "bosses") -> None:
        """Make the batch over ``sheets`` (the atlas is uploaded if it was not).

        Raises:
            KeyError: a sheet is not in the atlas.
            ValueError: the sheets have more than ``MAX_FRAMES`` frames together.
        """
        tables = []
        self.base: dict[str, int] = {}
        self._anims: dict[str, dict[str, Any]] = {}
        self._sizes: dict[str, tuple[float, float]] = {}
        at = 0
        for sheet_name in sheets:
            sheet = atlas.sheet(sheet_name)
            self.base[sheet_name] = at
            self._anims[sheet_name] = dict(sheet.animations)
            fw, fh = sheet.frame_size
            self._sizes[sheet_name] = (float(fw), float(fh))
            tables.append(atlas.frame_uvs(sheet_name))
            at += sheet.frame_count
        if at > MAX_FRAMES:
            raise ValueError(f"boss sheets {list(sheets)} have {at} frames together, the frame "
                             f"table holds {MAX_FRAMES}")
        self.world_scale = float(world_scale)
        texture = atlas.upload(gfx)
        self.batch = InstanceBatch(gfx, name, shaders, program=program, texture=texture,
                                   frame_uvs=np.concatenate(tables), capacity=capacity,
                                   policy=policy)
        self._alpha = 1.0

    def frame_index(self, sheet: str, animation: str, *, time_s: float = 0.0,
                    frame: int | None = None) -> int:
        """Index in the shared frame table of ``animation`` of ``sheet`` at ``time_s``.

        ``frame`` (within the animation) overrides ``time_s``; it is clamped to the animation.

        Raises:
            KeyError: unknown sheet or animation (the message lists what exists).
        """
        anims = self._anims.get(sheet)
        if anims is None:
            raise KeyError(f"no boss sheet {sheet!r}; boss sheets: {sorted(self._anims)}")
        anim = anims.get(animation)
        if anim is None:
            raise KeyError(f"boss sheet {sheet!r} has no animation {animation!r}; it has "
                           f"{sorted(anims)}")
        if frame is None:
            f = anim.frame_at(time_s)
        else:
            f = 0 if frame < 0 else (frame if frame < anim.count else anim.count - 1)
        return self.base[sheet] + anim.first + f

    def begin(self, alpha: float = 1.0) -> None:
        """Start a frame; ``alpha`` interpolates the bosses added. Allocates nothing."""
        self.batch.begin()
        self._alpha = alpha

    def add(self, sheet: str, animation: str, x: float, y: float, *,
            prev_x: float | None = None, prev_y: float | None = None, time_s: float = 0.0,
            frame: int | None = None, scale: float = 1.0, flip: bool = False,
            rotation: float = 0.0, tint: Sequence[float] | None = None) -> bool:
        """Add one boss instance; returns False when the CLAMP policy dropped it.

        Args:
            sheet, animation: which frames (e.g. ``"boss_golem"``, ``"attack"``).
            x, y: world position now; ``prev_x``, ``prev_y``: at the previous tick (optional).
            time_s: seconds since the animation started (ignored when ``frame`` is given).
            frame: explicit frame within the animation.
            scale: size multiplier; ``flip`` mirrors horizontally (facing left).
            rotation: radians; ``tint``: rgba multiplier (e.g. a hit flash).

        Allocates nothing retained (Python floats; a few transient objects).

        Raises:
            KeyError: unknown sheet or animation.
        """
        index = self.frame_index(sheet, animation, time_s=time_s, frame=frame)
        batch = self.batch
        row, k = batch.reserve(1)
        if k == 0:
            return False
        a = self._alpha
        if prev_x is not None and a < 1.0:
            x = prev_x + (x - prev_x) * a
        if prev_y is not None and a < 1.0:
            y = prev_y + (y - prev_y) * a
        fw, fh = self._sizes[sheet]
        s = self.world_scale * scale
        pos = batch.pos
        pos[row, 0] = x
        pos[row, 1] = y
        size = batch.size
        size[row, 0] = -fw * s if flip else fw * s
        size[row, 1] = fh * s
        batch.rot[row] = rotation
        batch.frame[row] = index
        t = batch.tint
        c = _WHITE if tint is None else tint
        t[row, 0] = c[0]
        t[row, 1] = c[1]
        t[row, 2] = c[2]
        t[row, 3] = c[3]
        return True

    def add_from(self, bosses: Iterable[Any]) -> int:
        """Add every visible boss of ``bosses`` read by attribute; returns how many were added.

        Each boss needs ``sheet``, ``animation``, ``x``, ``y``; optional attributes (read with
        ``getattr`` defaults): ``anim_time`` (0), ``frame`` (None), ``prev_x``/``prev_y``
        (None), ``scale`` (1), ``facing`` (>= 0 faces right, < 0 flips), ``rotation`` (0),
        ``tint`` (None), ``visible`` (True).
        """
        added = 0
        for b in bosses:
            if not getattr(b, "visible", True):
                continue
            if self.add(b.sheet, b.animation, b.x, b.y, prev_x=getattr(b, "prev_x", None),
                        prev_y=getattr(b, "prev_y", None),
                        time_s=getattr(b, "anim_time", 0.0), frame=getattr(b, "frame", None),
                        scale=getattr(b, "scale", 1.0), flip=getattr(b, "facing", 1.0) < 0,
                        rotation=getattr(b, "rotation", 0.0), tint=getattr(b, "tint", None)):
                added += 1
        return added

    def upload(self) -> int:
        """Write the added bosses into the VBO (see ``InstanceBatch.upload``)."""
        return self.batch.upload()

    def draw(self, camera_matrix: np.ndarray) -> bool:
        """One draw of every boss added this frame (nothing when none)."""
        return self.batch.draw(camera_matrix)

    def release(self) -> None:
        """Release the batch (safe twice)."""
        self.batch.release()
