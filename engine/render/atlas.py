"""Sprite sheets packed into one RGBA atlas texture, with uv rects per frame.

A ``SpriteSheet`` is the frames of one sprite ((F, h, w, 4) uint8) and its named
``Animation`` runs; ``sheet_from_frames`` builds one from a list of frames and
``(name, frames, fps, loop)`` specs. ``SpriteAtlas(sheets)`` packs them. What the sheets look
like is the game's: the horde's procedural art is ``engine.horde.art`` (its ``build_atlas()``).

Layout: each sheet is a block of cells (one row per animation, one column per frame), every
cell padded by one transparent pixel so that nearest sampling never bleeds into a neighbour;
blocks are shelf-packed into an atlas ``ATLAS_WIDTH`` pixels wide. Image row 0 is the top and is
uploaded first, so ``v`` grows downward: a frame's uv rect is
``(u_left, v_top, u_right, v_bottom)``, the layout ``sprite.vert`` expects.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import moderngl
import numpy as np

from .gl import GraphicsContext
from .screenshot import write_png_atomic

__all__ = ["Animation", "SpriteSheet", "SpriteAtlas", "AnimationSpec", "sheet_from_frames",
           "animation_spec", "ATLAS_WIDTH"]

ATLAS_WIDTH = 1024
PAD = 1
AnimationSpec = tuple[str, int, float, bool]
"""(name, frames, fps, loop) of one animation."""


@dataclass(frozen=True)
class Animation:
    """A named run of frames in a sheet."""

    name: str
    first: int
    """Index of the animation's first frame in its sheet."""
    count: int
    fps: float
    loop: bool = True

    def frame_at(self, time_s: float) -> int:
        """Frame (0-based within the animation) shown ``time_s`` seconds after it started.

        A looping animation wraps; a one-shot holds its last frame. Negative time is frame 0.
        """
        if time_s <= 0.0:
            return 0
        f = int(time_s * self.fps)
        if self.loop:
            return f % self.count
        return f if f < self.count else self.count - 1

    @property
    def duration(self) -> float:
        """Seconds for one pass of the animation."""
        return self.count / self.fps


@dataclass
class SpriteSheet:
    """Frames of one sprite (uint8 RGBA, (F, h, w, 4)) and its named animations."""

    name: str
    frames: np.ndarray
    animations: dict[str, Animation] = field(default_factory=dict)
    kind: str = "sprite"
    """``"boss"`` for boss sheets (drawn by BossSprites), ``"sprite"`` otherwise."""

    @property
    def frame_size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return (int(self.frames.shape[2]), int(self.frames.shape[1]))

    @property
    def frame_count(self) -> int:
        return int(self.frames.shape[0])

    def animation(self, name: str) -> Animation:
        """The animation ``name``.

        Raises:
            KeyError: no such animation (the message lists the sheet's animations).
        """
        try:
            return self.animations[name]
        except KeyError:
            raise KeyError(f"sheet {self.name!r} has no animation {name!r}; it has "
                           f"{sorted(self.animations)}") from None


def sheet_from_frames(name: str, frames: list[np.ndarray],
           animations: Iterable[tuple[str, int, float, bool]]) -> SpriteSheet:
    """A sheet of ``frames`` whose animations follow each other in spec order."""
    sheet = SpriteSheet(name, np.stack(frames))
    first = 0
    for anim, count, fps, loop in animations:
        sheet.animations[anim] = Animation(anim, first, count, fps, loop)
        first += count
    return sheet


def animation_spec(item: Any) -> AnimationSpec:
    """(name, frames, fps, loop) from a tuple or from an object with those attributes."""
    if isinstance(item, tuple):
        name, frames, fps, loop = item
    else:
        name, frames, fps, loop = item.name, item.frames, item.fps, item.loop
    if not isinstance(name, str) or not name:
        raise ValueError(f"expected an animation name (non-empty str), got {name!r}")
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 1:
        raise ValueError(f"animation {name!r}: expected frames >= 1 (int), got {frames!r}")
    if not (isinstance(fps, (int, float)) and math.isfinite(fps) and fps > 0):
        raise ValueError(f"animation {name!r}: expected fps > 0, got {fps!r}")
    return (name, int(frames), float(fps), bool(loop))


# ---------------------------------------------------------------------- the atlas
class SpriteAtlas:
    """Sheets packed into one RGBA image (and, after ``upload``, one texture).

    Attributes:
        image: (H, W, 4) uint8, row 0 at the top.
        sheets: name -> SpriteSheet.
        rects: name -> (F, 4) int32 pixel rects (x, y, w, h) of each frame in ``image``.
        texture: the uploaded texture (None before ``upload``).
    """

    def __init__(self, sheets: dict[str, SpriteSheet], width: int = ATLAS_WIDTH) -> None:
        """Pack ``sheets`` (shelf packing, animations as rows).

        Raises:
            ValueError: no sheets, or a sheet wider than the atlas.
        """
        if not sheets:
            raise ValueError("expected at least one sprite sheet, got none")
        self.sheets = dict(sheets)
        self.rects: dict[str, np.ndarray] = {}
        self.texture: moderngl.Texture | None = None
        self._gfx: GraphicsContext | None = None
        placements: dict[str, tuple[int, int]] = {}
        shelf_x = shelf_y = shelf_h = 0
        order = sorted(self.sheets.values(), key=lambda s: (-s.frame_size[1], s.name))
        for sheet in order:
            bw, bh = self._block_size(sheet)
            if bw > width:
                raise ValueError(f"sheet {sheet.name!r} needs a block {bw} px wide, the atlas "
                                 f"is {width} px wide")
            if shelf_x + bw > width:
                shelf_x, shelf_y, shelf_h = 0, shelf_y + shelf_h, 0
            placements[sheet.name] = (shelf_x, shelf_y)
            shelf_x += bw
            shelf_h = max(shelf_h, bh)
        height = shelf_y + shelf_h
        height = (height + 3) // 4 * 4
        self.image = np.zeros((height, width, 4), dtype=np.uint8)
        for sheet in order:
            self._blit(sheet, *placements[sheet.name])

    @staticmethod
    def _rows(sheet: SpriteSheet) -> list[Animation]:
        anims = sorted(sheet.animations.values(), key=lambda a: a.first)
        return anims or [Animation("all", 0, sheet.frame_count, 1.0)]

    def _block_size(self, sheet: SpriteSheet) -> tuple[int, int]:
        fw, fh = sheet.frame_size
        rows = self._rows(sheet)
        cols = max(a.count for a in rows)
        return cols * (fw + 2 * PAD), len(rows) * (fh + 2 * PAD)

    def _blit(self, sheet: SpriteSheet, x0: int, y0: int) -> None:
        fw, fh = sheet.frame_size
        rects = np.zeros((sheet.frame_count, 4), dtype=np.int32)
        for r, anim in enumerate(self._rows(sheet)):
            for i in range(anim.count):
                x = x0 + i * (fw + 2 * PAD) + PAD
                y = y0 + r * (fh + 2 * PAD) + PAD
                self.image[y:y + fh, x:x + fw] = sheet.frames[anim.first + i]
                rects[anim.first + i] = (x, y, fw, fh)
        self.rects[sheet.name] = rects

    # ------------------------------------------------------------------ lookups
    @property
    def boss_sheets(self) -> tuple[str, ...]:
        """Names of the boss sheets (``kind == "boss"``), sorted."""
        return tuple(sorted(n for n, s in self.sheets.items() if s.kind == "boss"))

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return (int(self.image.shape[1]), int(self.image.shape[0]))

    def sheet(self, name: str) -> SpriteSheet:
        """The sheet ``name``.

        Raises:
            KeyError: unknown sheet (the message lists the atlas's sheets).
        """
        try:
            return self.sheets[name]
        except KeyError:
            raise KeyError(f"no sprite sheet {name!r} in the atlas; it has "
                           f"{sorted(self.sheets)}") from None

    def frame_uvs(self, name: str) -> np.ndarray:
        """(F, 4) float32 uv rects ``(u_left, v_top, u_right, v_bottom)`` of sheet ``name``.

        Raises:
            KeyError: unknown sheet.
        """
        self.sheet(name)
        rects = self.rects[name].astype(np.float64)
        w, h = self.size
        out = np.empty((rects.shape[0], 4), dtype=np.float32)
        out[:, 0] = rects[:, 0] / w
        out[:, 1] = rects[:, 1] / h
        out[:, 2] = (rects[:, 0] + rects[:, 2]) / w
        out[:, 3] = (rects[:, 1] + rects[:, 3]) / h
        return out

    def frame_pixels(self, name: str, frame: int) -> np.ndarray:
        """(h, w, 4) uint8 view of one frame in the atlas image (row 0 at the top).

        Raises:
            KeyError: unknown sheet. IndexError: frame out of range.
        """
        rects = self.rects[self.sheet(name).name]
        if not 0 <= frame < rects.shape[0]:
            raise IndexError(f"sheet {name!r} has frames [0, {rects.shape[0]}), got {frame}")
        x, y, w, h = (int(v) for v in rects[frame])
        return self.image[y:y + h, x:x + w]

    # ------------------------------------------------------------------ GPU and files
    def upload(self, gfx: GraphicsContext) -> moderngl.Texture:
        """Upload the image as an RGBA8 texture (nearest filtering, clamped); returns it.

        Idempotent: a second call returns the same texture.
        """
        if self.texture is not None:
            return self.texture
        tex = gfx.image_texture(self.image, smooth=False)
        self.texture = tex
        self._gfx = gfx
        return tex

    def release(self) -> None:
        """Release the texture (safe twice)."""
        if self.texture is not None and self._gfx is not None:
            self._gfx.release(self.texture)
        self.texture = None

    def save_png(self, path: str | os.PathLike[str]) -> Path:
        """Write the whole atlas as a PNG (atomically); returns the path."""
        return write_png_atomic(self.image, path)

    def save_sheets(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write each sheet as ``<directory>/<sheet>.png`` (frames in a row per animation).

        Returns the paths written. Creates ``directory`` if needed.
        """
        out_dir = Path(directory)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, sheet in self.sheets.items():
            fw, fh = sheet.frame_size
            rows = self._rows(sheet)
            cols = max(a.count for a in rows)
            img = np.zeros((len(rows) * fh, cols * fw, 4), dtype=np.uint8)
            for r, anim in enumerate(rows):
                for i in range(anim.count):
                    img[r * fh:(r + 1) * fh, i * fw:(i + 1) * fw] = sheet.frames[anim.first + i]
            paths.append(write_png_atomic(img, out_dir / f"{name}.png"))
        return paths
