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

from .atlas import SpriteAtlas
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
                 sheets: Sequence[str] | None = None, capacity: int = 16,
                 policy: GrowthPolicy | str = GrowthPolicy.GROW, world_scale: float = 2.0,
                 program: str = "sprite", name: str = "bosses") -> None:
        """Make the batch over ``sheets`` (the atlas is uploaded if it was not).

        Args:
            sheets: the boss sheets to address; default: every boss sheet of the atlas.

        Raises:
            KeyError: a sheet is not in the atlas.
            ValueError: no sheets, or more than ``MAX_FRAMES`` frames together.
        """
        if sheets is None:
            sheets = atlas.boss_sheets
        if not sheets:
            raise ValueError("expected at least one boss sheet, got none")
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
            sheet, animation: which frames (e.g. ``"boss_brute"``, ``"attack"``).
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
        """Add every visible boss of ``bosses``, read by attribute; returns how many were added.

        Reads the horde kit's ``Boss`` as it is (``scene.sprite_sheet``, ``anim``,
        ``anim_frame``, ``x``, ``y``, ``prev_x``, ``prev_y``, ``active``, ``vx`` for facing) or
        any object with these attributes, each optional except the position:

        * sheet: ``sheet``, else ``scene.sprite_sheet``;
        * animation: ``animation``, else ``anim``;
        * frame: ``frame``, else ``anim_frame``, else from ``anim_time`` (seconds);
        * shown: ``visible``, else ``active`` (default True);
        * mirrored: ``facing < 0``, else ``vx < 0``;
        * ``prev_x``/``prev_y`` (interpolation), ``scale`` (1), ``rotation`` (0), ``tint``.

        Allocates nothing retained (attribute look-ups of absent names make transient
        AttributeErrors: a handful of bosses, not a hot loop).
        """
        added = 0
        for b in bosses:
            if not getattr(b, "visible", getattr(b, "active", True)):
                continue
            sheet = getattr(b, "sheet", None)
            if sheet is None:
                sheet = b.scene.sprite_sheet
            animation = getattr(b, "animation", None)
            if animation is None:
                animation = b.anim
            frame = getattr(b, "frame", None)
            if frame is None:
                frame = getattr(b, "anim_frame", None)
            facing_attr = getattr(b, "facing", None)
            facing = float(facing_attr if facing_attr is not None else getattr(b, "vx", 0.0))
            if self.add(sheet, animation, b.x, b.y, prev_x=getattr(b, "prev_x", None),
                        prev_y=getattr(b, "prev_y", None),
                        time_s=getattr(b, "anim_time", 0.0),
                        frame=None if frame is None else int(frame),
                        scale=getattr(b, "scale", 1.0), flip=facing < 0,
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
