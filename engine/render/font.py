"""Font: a TrueType font rasterised once with Pillow into a glyph atlas, and its text layout.

At construction every character of ``chars`` is drawn by Pillow (FreeType) at ``size`` pixels
per em into its own coverage bitmap, and the bitmaps are shelf-packed into one single-channel
image (one transparent pixel around each, so linear sampling never bleeds into a neighbour).
The default font is DejaVu Sans, which matplotlib (a dependency) ships in
``matplotlib/mpl-data/fonts/ttf/``: nothing is downloaded. ``upload(gfx)`` makes the R8 texture
``TextLayer`` samples.

Metrics are in font pixels, y down from the top of a line: a glyph's quad is
``(x, y, w, h)`` from the pen position at the line's top-left, and the pen then moves by the
glyph's advance. Characters outside ``chars`` draw as ``fallback``. Layout has no kerning and
no shaping (left-to-right, one glyph per character): enough for HUDs, labels and numbers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import moderngl
import numpy as np

from .gl import GraphicsContext

__all__ = ["Font", "FontError", "DEFAULT_CHARS", "default_font_path", "ANCHORS"]

DEFAULT_CHARS = "".join(chr(c) for c in range(32, 127)) + "°±×÷·•…←↑→↓♥★"
"""Printable ASCII and a few HUD symbols."""
ANCHORS = ("lt", "ct", "rt", "lm", "cm", "rm", "lb", "cb", "rb")
"""Where ``(x, y)`` is on the text's box: horizontal ``l``/``c``/``r`` then vertical
``t``/``m``/``b`` (``"lt"``: the top-left corner; ``"cm"``: the centre). Lines are aligned by
the horizontal letter too."""
_ATLAS_WIDTH = 512
_PAD = 1


class FontError(ValueError):
    """A font that cannot be loaded (missing file, not a font, bad size or character set)."""


def default_font_path() -> Path:
    """DejaVuSans.ttf from matplotlib's data folder.

    Raises:
        FontError: matplotlib or the file is missing.
    """
    try:
        import matplotlib
    except ImportError as exc:
        raise FontError(f"the default font comes from matplotlib, which is not importable "
                        f"({exc}); pass Font(path=...) a .ttf file") from None
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    if not path.is_file():
        raise FontError(f"expected matplotlib's DejaVuSans.ttf at {path}, found none; pass "
                        f"Font(path=...) a .ttf file")
    return path


class Font:
    """Glyph bitmaps of one TTF at one pixel size, packed into one coverage image.

    Attributes:
        path: the font file.
        size: pixels per em the glyphs were rasterised at.
        line_height: pixels from one line's top to the next (ascent + descent).
        ascent: pixels from a line's top to its baseline.
        image: (H, W) uint8 coverage, row 0 at the top.
        index: character -> glyph index.
        quads: (G, 4) float32 ``(x, y, w, h)`` of each glyph's bitmap from the pen (line top).
        uvs: (G, 4) float32 ``(u0, v0, u1, v1)``: the bitmap's top-left and bottom-right in
            ``image``.
        advances: (G,) float32 pen advance of each glyph.
        texture: the uploaded R8 texture (None before ``upload``).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, size: int = 24, *,
                 chars: str = DEFAULT_CHARS, fallback: str = "?") -> None:
        """Rasterise ``chars`` of the font at ``path`` (default DejaVu Sans) at ``size`` px.

        Raises:
            FontError: a missing or unreadable font file, size < 4, an empty ``chars``, or a
                ``fallback`` not in ``chars``.
        """
        from PIL import Image, ImageDraw, ImageFont

        if isinstance(size, bool) or not isinstance(size, int) or size < 4:
            raise FontError(f"expected a font size in pixels (int >= 4), got {size!r}")
        chars = "".join(dict.fromkeys(chars))  # unique, in order
        if not chars or fallback not in chars:
            raise FontError(f"expected a non-empty chars containing the fallback {fallback!r}, "
                            f"got {len(chars)} chars")
        self.path = Path(path) if path is not None else default_font_path()
        if not self.path.is_file():
            raise FontError(f"font file {str(self.path)!r} not found: expected a .ttf there")
        try:
            font = ImageFont.truetype(str(self.path), size)
        except OSError as exc:
            raise FontError(f"font file {str(self.path)!r} is not a font FreeType can read: "
                            f"{exc}") from None
        self.size = size
        ascent, descent = font.getmetrics()
        self.ascent = int(ascent)
        self.line_height = int(ascent + descent)
        n = len(chars)
        self.index = {ch: i for i, ch in enumerate(chars)}
        self._fallback = self.index[fallback]
        self.quads = np.zeros((n, 4), dtype=np.float32)
        self.uvs = np.zeros((n, 4), dtype=np.float32)
        self.advances = np.zeros(n, dtype=np.float32)
        bitmaps: list[Any] = []
        for i, ch in enumerate(chars):
            x0, y0, x1, y1 = font.getbbox(ch, anchor="ls")
            self.advances[i] = font.getlength(ch)
            w, h = max(int(x1 - x0), 0), max(int(y1 - y0), 0)
            self.quads[i] = (x0, self.ascent + y0, w, h)
            if w and h:
                bm = Image.new("L", (w, h), 0)
                ImageDraw.Draw(bm).text((-x0, -y0), ch, font=font, fill=255, anchor="ls")
                bitmaps.append(np.asarray(bm, dtype=np.uint8))
            else:
                bitmaps.append(None)
        self.image = self._pack(bitmaps)
        ih, iw = self.image.shape
        self.uvs[:, [0, 2]] /= np.float32(iw)
        self.uvs[:, [1, 3]] /= np.float32(ih)
        self.texture: moderngl.Texture | None = None
        self._gfx: GraphicsContext | None = None

    def _pack(self, bitmaps: list[Any]) -> np.ndarray:
        """Shelf-pack the bitmaps (tallest first); fills ``uvs`` with pixel rects."""
        order = sorted(range(len(bitmaps)),
                       key=lambda i: -(bitmaps[i].shape[0] if bitmaps[i] is not None else 0))
        x = y = shelf = 0
        spots: dict[int, tuple[int, int]] = {}
        for i in order:
            bm = bitmaps[i]
            if bm is None:
                continue
            h, w = bm.shape
            if x + w + 2 * _PAD > _ATLAS_WIDTH:
                x, y, shelf = 0, y + shelf, 0
            spots[i] = (x + _PAD, y + _PAD)
            x += w + 2 * _PAD
            shelf = max(shelf, h + 2 * _PAD)
        height = max((y + shelf + 3) // 4 * 4, 4)
        image = np.zeros((height, _ATLAS_WIDTH), dtype=np.uint8)
        for i, (px, py) in spots.items():
            h, w = bitmaps[i].shape
            image[py:py + h, px:px + w] = bitmaps[i]
            self.uvs[i] = (px, py, px + w, py + h)
        return image

    # ------------------------------------------------------------------ layout
    def glyph(self, ch: str) -> int:
        """The glyph index of ``ch`` (the fallback's for a character the font lacks here)."""
        return self.index.get(ch, self._fallback)

    def line_width(self, line: str) -> float:
        """Advance width of one line in font pixels."""
        adv = self.advances
        return float(sum(float(adv[self.glyph(ch)]) for ch in line))

    def measure(self, text: str, scale: float = 1.0) -> tuple[float, float]:
        """(width, height) of ``text``'s box (lines split at ``\\n``) at ``scale``."""
        lines = text.split("\n")
        width = max(self.line_width(line) for line in lines)
        return (width * scale, len(lines) * self.line_height * scale)

    def layout(self, text: str, out: np.ndarray, *, scale: float = 1.0, anchor: str = "lt",
               y_up: bool = False) -> int:
        """Write the visible glyphs of ``text`` into ``out`` rows; returns how many.

        Each row gets ``(x, y, w, h, u0, v0, u1, v1)`` in columns 0..7: the quad relative to
        the anchor point, in font pixels times ``scale``, y down (or y up when ``y_up``: then
        ``y`` is the quad's top and ``h`` is negative). Spaces and other blank glyphs take no
        row. Runs when a string changes, not per frame: allocates a list of lines.

        Raises:
            ValueError: an unknown anchor, or more visible glyphs than ``out`` has rows.
        """
        if anchor not in ANCHORS:
            raise ValueError(f"expected an anchor in {ANCHORS}, got {anchor!r}")
        lines = text.split("\n")
        box_h = len(lines) * self.line_height
        oy = {"t": 0.0, "m": -0.5 * box_h, "b": -float(box_h)}[anchor[1]]
        hx = anchor[0]
        quads, uvs, adv = self.quads, self.uvs, self.advances
        sy = -scale if y_up else scale
        k = 0
        for li, line in enumerate(lines):
            lw = self.line_width(line) if hx != "l" else 0.0
            pen = {"l": 0.0, "c": -0.5 * lw, "r": -lw}[hx]
            top = oy + li * self.line_height
            for ch in line:
                g = self.glyph(ch)
                q = quads[g]
                if q[2] > 0 and q[3] > 0:
                    if k >= out.shape[0]:
                        raise ValueError(f"text of more than {out.shape[0]} visible glyphs "
                                         f"for a slot of {out.shape[0]}")
                    row = out[k]
                    # Whole font pixels: at scale 1 each texel lands on one screen pixel.
                    row[0] = (round(pen) + q[0]) * scale
                    row[1] = (top + q[1]) * sy
                    row[2] = q[2] * scale
                    row[3] = q[3] * sy
                    row[4:8] = uvs[g]
                    k += 1
                pen += float(adv[g])
        return k

    # ------------------------------------------------------------------ GPU
    def upload(self, gfx: GraphicsContext) -> moderngl.Texture:
        """The glyph image as an R8 texture (linear filtering, clamped); idempotent."""
        if self.texture is not None:
            return self.texture
        tex = gfx.image_texture(self.image, smooth=True)
        self.texture = tex
        self._gfx = gfx
        return tex

    def release(self) -> None:
        """Release the texture (safe twice)."""
        if self.texture is not None and self._gfx is not None:
            self._gfx.release(self.texture)
        self.texture = None

    def __repr__(self) -> str:
        return (f"Font({self.path.name!r}, size={self.size}, glyphs={len(self.index)}, "
                f"image={self.image.shape[1]}x{self.image.shape[0]})")
