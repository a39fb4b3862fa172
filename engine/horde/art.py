"""The horde's procedural art: every sheet drawn with numpy at start-up.

Deterministic (no randomness, no downloads), a few milliseconds. The default set
(``default_sheets()``; ``build_atlas()`` packs it into a ``SpriteAtlas``):

=============  ==========  =============================================================
sheet          frame size  animations (frames @ fps)
=============  ==========  =============================================================
swarm          16 x 16     walk 4 @ 12: a small green bug, legs scuttling
regular        24 x 24     walk 6 @ 8: a purple blob, squash and stretch
elite          32 x 32     walk 8 @ 6: an orange horned brute, bobbing, eyes pulsing
hero           32 x 32     walk 4 @ 10, idle 2 @ 2, swing 4 @ 24: the player, a knight
                           (plumed steel helm, blue tunic and cape, sword and gold shield),
                           legs striding; ``swing`` is a pale ring (drawn scaled to the melee
                           reach, faint, under the knight)
boss_brute     64 x 64     idle 4, move 6, attack 6, hurt 2, death 8: a stone golem
boss_spitter   64 x 64     idle 4, move 4, attack 5, hurt 2, death 6: a purple wraith
projectile     12 x 6      fly 2 @ 15: a cyan bolt pointing +x (rotate it along velocity)
particle       8 x 8       spark 1: a white soft dot (the tint gives it its colour)
white          4 x 4       solid 1: plain white (untextured quads)
=============  ==========  =============================================================

The enemy frame counts match the horde kit's stock tiers (``frames`` of swarm / regular /
elite), and the two boss sheets match the stock boss scenes (``demos/scenes/brute.toml``,
``spitter.toml``: names, animation names, frame counts, fps, loop flags). A game with other boss
scenes passes their animation tables to ``default_sheets(bosses=...)`` (or
``Renderer(boss_sheets=...)``): each gets a procedural sheet with exactly those animations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from engine.render.atlas import (
    Animation,
    AnimationSpec,
    SpriteAtlas,
    SpriteSheet,
    animation_spec,
    sheet_from_frames,
)

__all__ = ["default_sheets", "build_atlas", "boss_sheet", "hero_sheet", "ENEMY_SHEETS",
           "BOSS_SHEETS", "BOSS_ANIMATIONS", "BOSS_STYLES", "PLAYER_SHEET", "PLAYER_ANIMATIONS"]

ENEMY_SHEETS = ("swarm", "regular", "elite")
PLAYER_SHEET = "hero"
"""The player's sheet (``Renderer.set_player_source`` draws it)."""
PLAYER_ANIMATIONS: tuple[AnimationSpec, ...] = (
    ("walk", 4, 10.0, True), ("idle", 2, 2.0, True), ("swing", 4, 24.0, False))
"""The hero sheet's animations, in frame order."""
BOSS_ANIMATIONS: dict[str, tuple[AnimationSpec, ...]] = {
    "boss_brute": (("idle", 4, 6.0, True), ("move", 6, 10.0, True), ("attack", 6, 12.0, False),
                   ("hurt", 2, 12.0, False), ("death", 8, 10.0, False)),
    "boss_spitter": (("idle", 4, 5.0, True), ("move", 4, 8.0, True),
                     ("attack", 5, 10.0, False), ("hurt", 2, 10.0, False),
                     ("death", 6, 8.0, False)),
}
"""The stock boss sheets and their animations (as the stock scenes declare them)."""
BOSS_SHEETS = tuple(BOSS_ANIMATIONS)
BOSS_STYLES = ("golem", "wraith")
"""Procedural looks a boss sheet can take (``boss_sheet(style=)``)."""


# ---------------------------------------------------------------------- drawing primitives
class _Canvas:
    """A float RGBA canvas of one frame, with a few hard-edged shape fills."""

    def __init__(self, w: int, h: int) -> None:
        self.rgba = np.zeros((h, w, 4), dtype=np.float32)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        self.x = xx + 0.5  # pixel centers; y grows downward (image rows)
        self.y = yy + 0.5

    def fill(self, mask: np.ndarray, color: tuple[float, ...]) -> None:
        c = np.asarray(color + (1.0,) * (4 - len(color)), dtype=np.float32)
        self.rgba[mask] = c

    def ellipse(self, cx: float, cy: float, rx: float, ry: float,
                color: tuple[float, ...]) -> None:
        self.fill(((self.x - cx) / rx) ** 2 + ((self.y - cy) / ry) ** 2 <= 1.0, color)

    def disc(self, cx: float, cy: float, r: float, color: tuple[float, ...]) -> None:
        self.ellipse(cx, cy, r, r, color)

    def rect(self, x0: float, y0: float, x1: float, y1: float,
             color: tuple[float, ...]) -> None:
        self.fill((self.x >= x0) & (self.x < x1) & (self.y >= y0) & (self.y < y1), color)

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float,
             color: tuple[float, ...]) -> None:
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy or 1.0
        t = np.clip(((self.x - x0) * dx + (self.y - y0) * dy) / length2, 0.0, 1.0)
        d2 = (self.x - (x0 + t * dx)) ** 2 + (self.y - (y0 + t * dy)) ** 2
        self.fill(d2 <= (width * 0.5) ** 2, color)

    def triangle(self, p0: tuple[float, float], p1: tuple[float, float],
                 p2: tuple[float, float], color: tuple[float, ...]) -> None:
        def side(a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
            return (b[0] - a[0]) * (self.y - a[1]) - (b[1] - a[1]) * (self.x - a[0])
        s0, s1, s2 = side(p0, p1), side(p1, p2), side(p2, p0)
        inside = ((s0 >= 0) & (s1 >= 0) & (s2 >= 0)) | ((s0 <= 0) & (s1 <= 0) & (s2 <= 0))
        self.fill(inside, color)

    def outline(self, darken: float = 0.35) -> None:
        """Darken opaque pixels that touch a transparent one (a pixel-art outline)."""
        a = self.rgba[:, :, 3] > 0
        padded = np.pad(a, 1)
        edge = a & ~(padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:])
        self.rgba[edge, :3] *= darken

    def to_uint8(self) -> np.ndarray:
        return (np.clip(self.rgba, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)



# ---------------------------------------------------------------------- the default sprites
def _bug(f: int, n: int) -> np.ndarray:
    c = _Canvas(16, 16)
    ph = 2.0 * math.pi * f / n
    for i, y in enumerate((5.5, 8.5, 11.5)):
        swing = 1.6 * math.sin(ph + i * 2.1)
        c.line(8.0, y, 2.0, y + swing, 1.2, (0.15, 0.35, 0.1))
        c.line(8.0, y, 14.0, y - swing, 1.2, (0.15, 0.35, 0.1))
    c.ellipse(8.0, 9.0 + 0.5 * math.cos(ph), 4.2, 5.0, (0.35, 0.85, 0.3))
    c.disc(8.0, 4.2 + 0.5 * math.cos(ph), 2.6, (0.2, 0.6, 0.2))
    c.outline()
    c.rect(6.0, 3.0, 7.0, 4.0, (1.0, 1.0, 0.6))
    c.rect(9.0, 3.0, 10.0, 4.0, (1.0, 1.0, 0.6))
    return c.to_uint8()


def _blob(f: int, n: int) -> np.ndarray:
    c = _Canvas(24, 24)
    ph = 2.0 * math.pi * f / n
    squash = 1.8 * math.sin(ph)
    rx, ry = 9.0 + squash, 8.0 - squash
    cy = 22.0 - ry
    c.ellipse(12.0, cy, rx, ry, (0.75, 0.25, 0.6))
    c.ellipse(12.0 - 0.3 * rx, cy - 0.35 * ry, 0.3 * rx, 0.22 * ry, (0.9, 0.55, 0.85))
    c.outline()
    for ex in (8.5, 15.5):
        c.disc(ex, cy - 1.0, 2.1, (1.0, 1.0, 1.0))
        c.disc(ex + 0.8 * math.cos(ph), cy - 0.6, 1.0, (0.1, 0.05, 0.15))
    return c.to_uint8()


def _horned(f: int, n: int) -> np.ndarray:
    c = _Canvas(32, 32)
    ph = 2.0 * math.pi * f / n
    bob = 1.5 * math.sin(ph)
    cy = 18.0 + bob
    c.triangle((7.0, cy - 5.0), (12.0, cy - 7.0), (4.0 - 0.8 * math.cos(ph), cy - 16.0),
               (0.95, 0.9, 0.7))
    c.triangle((25.0, cy - 5.0), (20.0, cy - 7.0), (28.0 + 0.8 * math.cos(ph), cy - 16.0),
               (0.95, 0.9, 0.7))
    c.ellipse(16.0, cy, 11.0, 10.0, (0.9, 0.4, 0.15))
    c.rect(8.0, cy + 7.0, 12.0, 31.0 - 0.5 * max(bob, 0.0), (0.6, 0.25, 0.1))
    c.rect(20.0, cy + 7.0, 24.0, 31.0 + 0.5 * min(bob, 0.0), (0.6, 0.25, 0.1))
    c.outline()
    glow = 0.6 + 0.4 * (0.5 + 0.5 * math.cos(ph))
    c.rect(11.0, cy - 3.0, 14.0, cy - 1.0, (1.0, glow, 0.1))
    c.rect(18.0, cy - 3.0, 21.0, cy - 1.0, (1.0, glow, 0.1))
    c.rect(12.0, cy + 3.0, 20.0, cy + 4.5, (0.3, 0.05, 0.05))
    return c.to_uint8()


def _hero(anim: str, f: int, n: int) -> np.ndarray:
    """The knight (walk: legs stride, body bobs; idle: a breath) or the swing ring."""
    c = _Canvas(32, 32)
    ph = 2.0 * math.pi * f / n
    if anim == "swing":
        # A pale ring that opens out to the cell's edge and thins: the melee reach, drawn
        # scaled to it (the tint makes it faint).
        r = 10.0 + 5.5 * f / max(n - 1, 1)
        width = 2.2 - 0.9 * f / max(n - 1, 1)
        d = np.hypot(c.x - 16.0, c.y - 16.0)
        ring = np.abs(d - r) <= width * 0.5
        c.rgba[ring] = (1.0, 0.97, 0.8, 1.0)
        return c.to_uint8()
    if anim == "walk":
        stride = 2.6 * math.sin(ph)
        bob = 0.8 * abs(math.sin(ph))
    else:  # idle
        stride = 0.0
        bob = 0.5 * f
    steel = (0.78, 0.8, 0.86)
    tunic = (0.2, 0.42, 0.9)
    cape = (0.12, 0.2, 0.55)
    boots = (0.28, 0.18, 0.1)
    by = 15.0 - bob  # the body's top
    # Cape behind the body, swaying against the stride.
    c.triangle((11.0, by + 1.0), (21.0, by + 1.0), (16.0 - 1.2 * stride, 29.0), cape)
    # Legs: they stride in opposite phase.
    c.rect(12.0 + stride, by + 9.0, 15.0 + stride, 30.0, boots)
    c.rect(17.0 - stride, by + 9.0, 20.0 - stride, 30.0, boots)
    # Tunic and belt.
    c.rect(11.0, by, 21.0, by + 10.0, tunic)
    c.rect(11.0, by + 6.5, 21.0, by + 8.0, (0.45, 0.28, 0.12))
    c.rect(21.0, by + 4.5, 24.0, by + 8.0, (0.95, 0.8, 0.65))  # the sword hand
    # Shield on the left arm: gold with a red cross.
    c.disc(9.5, by + 5.0, 4.6, (0.95, 0.75, 0.2))
    # Helm with a red plume.
    c.triangle((13.5, by - 8.5), (18.5, by - 9.5), (21.0 + 0.6 * stride, by - 15.0),
               (0.95, 0.2, 0.15))
    c.disc(16.0, by - 5.0, 5.2, steel)
    c.rect(11.0, by - 5.0, 21.0, by - 1.0, steel)
    c.outline()
    # Sword in the right hand (image right), raised, swaying with the step; drawn after the
    # outline so the thin blade stays bright.
    tip = 4.0 - 0.8 * math.cos(ph) if anim == "walk" else 4.0
    c.line(23.0, by + 5.0, 26.5, tip, 1.8, (0.93, 0.95, 1.0))
    c.rect(21.0, by + 4.0, 26.0, by + 5.5, (0.85, 0.65, 0.2))  # cross-guard
    c.rect(8.8, by + 2.2, 10.2, by + 7.8, (0.8, 0.1, 0.1))  # the shield's cross
    c.rect(7.2, by + 4.3, 11.8, by + 5.7, (0.8, 0.1, 0.1))
    c.rect(12.5, by - 5.2, 19.5, by - 3.9, (0.08, 0.08, 0.12))  # the visor slit
    return c.to_uint8()


def hero_sheet() -> SpriteSheet:
    """The player's 32 x 32 sheet (``PLAYER_SHEET``, ``PLAYER_ANIMATIONS``)."""
    frames = [_hero(anim, f, count) for anim, count, _, _ in PLAYER_ANIMATIONS
              for f in range(count)]
    return sheet_from_frames(PLAYER_SHEET, frames, PLAYER_ANIMATIONS)


def _boss_frame(style: str, anim: str, f: int, n: int) -> np.ndarray:
    c = _Canvas(64, 64)
    t = f / max(n - 1, 1)
    ph = 2.0 * math.pi * f / n
    golem = style == "golem"
    body = (0.45, 0.5, 0.62) if golem else (0.55, 0.35, 0.85)
    dark = (0.3, 0.33, 0.42) if golem else (0.35, 0.2, 0.6)
    eye: tuple[float, ...] = (0.3, 0.9, 1.0) if golem else (0.9, 1.0, 0.4)
    dx, dy, shrink, arm = 0.0, 0.0, 1.0, 0.0
    if anim == "move":
        dx = 2.0 * math.sin(ph)
        dy = 2.0 * math.cos(ph)
    elif anim == "attack":
        arm = -4.0 + 18.0 * t  # wind-up then strike: monotonic, so no two frames repeat
        eye = (1.0, 0.25 + 0.5 * t, 0.15)
    elif anim == "hurt":
        body = (1.0, 0.85 - 0.4 * t, 0.85 - 0.4 * t)  # white flash fading to red
        dx = -3.0 + 5.0 * t
    elif anim == "death":
        shrink = 1.0 - 0.75 * t
        dy = 12.0 * t
        eye = (0.2, 0.2, 0.2)
    else:  # idle, and any animation name without a motion of its own
        dy = 1.5 * math.sin(ph)
        glow = 0.6 + 0.4 * math.cos(ph)  # sin alone repeats frames 0 and 2
        eye = tuple(ch * glow for ch in eye)
    cx, cy = 32.0 + dx, 34.0 + dy
    if golem:
        c.rect(cx - 14 * shrink, cy + 10 * shrink, cx - 5 * shrink, cy + 26 * shrink, dark)
        c.rect(cx + 5 * shrink, cy + 10 * shrink, cx + 14 * shrink, cy + 26 * shrink, dark)
        c.rect(cx - 18 * shrink, cy - 14 * shrink, cx + 18 * shrink, cy + 12 * shrink, body)
        c.rect(cx - 26 * shrink - arm * 0.3, cy - 10 * shrink, cx - 18 * shrink,
               cy + 8 * shrink, dark)
        c.rect(cx + 18 * shrink, cy - 10 * shrink - arm * 0.6, cx + 26 * shrink + arm,
               cy + 8 * shrink - arm * 0.6, dark)
        c.rect(cx - 10 * shrink, cy - 26 * shrink, cx + 10 * shrink, cy - 12 * shrink, body)
    else:
        tail = 6.0 * math.sin(ph)
        c.triangle((cx - 16 * shrink, cy), (cx + 16 * shrink, cy),
                   (cx + tail, cy + 28 * shrink), dark)
        c.ellipse(cx, cy - 6 * shrink, 17 * shrink, 20 * shrink, body)
        c.line(cx + 12 * shrink, cy - 4 * shrink, cx + 22 * shrink + arm,
               cy - 14 * shrink - arm * 0.4, 4.0 * shrink, dark)
        c.line(cx - 12 * shrink, cy - 4 * shrink, cx - 22 * shrink - arm * 0.3,
               cy + 6 * shrink, 4.0 * shrink, dark)
    c.outline()
    ey = cy - (19.0 if golem else 10.0) * shrink
    c.rect(cx - 7 * shrink, ey, cx - 2 * shrink, ey + 3 * shrink, eye)
    c.rect(cx + 2 * shrink, ey, cx + 7 * shrink, ey + 3 * shrink, eye)
    if anim == "death":
        c.rgba[:, :, 3] *= 1.0 - 0.6 * t
    return c.to_uint8()


def _bolt(f: int, n: int) -> np.ndarray:
    c = _Canvas(12, 6)
    c.ellipse(6.0, 3.0, 6.0, 2.6, (0.2, 0.7, 1.0))
    c.ellipse(7.5 + f, 3.0, 3.0, 1.5, (0.85, 1.0, 1.0))
    return c.to_uint8()


def _spark() -> np.ndarray:
    c = _Canvas(8, 8)
    d = np.hypot(c.x - 4.0, c.y - 4.0)
    a = np.clip(1.0 - d / 4.0, 0.0, 1.0) ** 1.5
    c.rgba[...] = 1.0
    c.rgba[:, :, 3] = a
    return c.to_uint8()


def _walk(name: str, fn: Callable[[int, int], np.ndarray], n: int, fps: float) -> SpriteSheet:
    return sheet_from_frames(name, [fn(f, n) for f in range(n)], [("walk", n, fps, True)])


def boss_sheet(name: str, animations: Iterable[Any], style: str = "golem") -> SpriteSheet:
    """A procedural 64 x 64 boss sheet with exactly ``animations``.

    Args:
        name: the sheet name (a boss scene's ``sprite_sheet``).
        animations: ``(name, frames, fps, loop)`` tuples, or objects with those attributes
            (e.g. a boss scene's animations). Names ``idle``, ``move``, ``attack``, ``hurt``,
            ``death`` get their own motion; any other name bobs like ``idle``.
        style: one of ``BOSS_STYLES``.

    Raises:
        ValueError: an unknown style, no animations, or a bad animation spec.
    """
    if style not in BOSS_STYLES:
        raise ValueError(f"expected a boss style in {BOSS_STYLES}, got {style!r}")
    specs = [animation_spec(a) for a in animations]
    if not specs:
        raise ValueError(f"boss sheet {name!r}: expected at least one animation, got none")
    frames = [_boss_frame(style, anim, f, count)
              for anim, count, _, _ in specs for f in range(count)]
    sheet = sheet_from_frames(name, frames, specs)
    sheet.kind = "boss"
    return sheet


def default_sheets(bosses: Mapping[str, Iterable[Any]] | None = None
                   ) -> dict[str, SpriteSheet]:
    """The engine's procedural sheets (see the module docstring), deterministic.

    Args:
        bosses: extra (or replacement) boss sheets: sheet name -> its animations, as
            ``boss_sheet`` takes them. Their style alternates golem / wraith in name order.

    Raises:
        ValueError: a bad animation spec.
    """
    sheets = {
        "swarm": _walk("swarm", _bug, 4, 12.0),
        "regular": _walk("regular", _blob, 6, 8.0),
        "elite": _walk("elite", _horned, 8, 6.0),
        PLAYER_SHEET: hero_sheet(),
    }
    boss_specs: dict[str, Iterable[Any]] = dict(BOSS_ANIMATIONS)
    if bosses:
        boss_specs.update(bosses)
    for i, boss in enumerate(sorted(boss_specs)):
        sheets[boss] = boss_sheet(boss, boss_specs[boss], BOSS_STYLES[i % len(BOSS_STYLES)])
    sheets["projectile"] = sheet_from_frames("projectile", [_bolt(0, 2), _bolt(1, 2)],
                                  [("fly", 2, 15.0, True)])
    sheets["particle"] = sheet_from_frames("particle", [_spark()], [("spark", 1, 1.0, True)])
    white = np.full((1, 4, 4, 4), 255, dtype=np.uint8)
    sheets["white"] = SpriteSheet("white", white, {"solid": Animation("solid", 0, 1, 1.0)})
    return sheets


def build_atlas(sheets: dict[str, SpriteSheet] | None = None) -> SpriteAtlas:
    """The atlas of ``sheets`` (default: the horde's ``default_sheets()``)."""
    return SpriteAtlas(sheets if sheets is not None else default_sheets())
