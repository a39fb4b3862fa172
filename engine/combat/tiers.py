"""Enemy tiers: the per-kind numbers of the horde, and the same numbers as arrays by tier index.

An enemy row stores its tier index (``tier``, uint8); systems look numbers up in a
:class:`TierTable` (one float32 array per field, indexed by tier) with ``take(out=,
mode='clip')``, or read the per-row copies the ``waves`` system writes at spawn (``speed``,
``radius``, ``anim_fps``, ``anim_frames``) where a lookup every tick would cost a gather.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Tier", "TierTable", "TierError", "default_tiers", "tier_weights"]


class TierError(ValueError):
    """A tier was declared with a bad value."""


def _positive(tier: str, field: str, value: object) -> None:
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not math.isfinite(value) or value <= 0):
        raise TierError(f"tier {tier!r} {field}: expected a positive number, got {value!r}")


@dataclass(frozen=True)
class Tier:
    """One kind of enemy.

    Attributes:
        name: the tier's name ("swarm", "regular", "elite").
        hp: hit points at spawn.
        speed: pixels per second when seeking the player.
        damage: contact damage dealt to the player.
        radius: body radius in pixels (collisions, separation, contact).
        sprite: sprite name in the atlas.
        anim_fps: animation frames per second.
        frames: frames in the walk cycle.
        xp: experience the player gets for a kill.
        tint: RGBA multiplier the renderer may apply (and the colour of death particles).
        scale: sprite scale the renderer may apply.
    """

    name: str
    hp: float
    speed: float
    damage: float
    radius: float
    sprite: str
    anim_fps: float
    frames: int
    xp: int = 1
    tint: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TierError(f"tier name: expected a non-empty str, got {self.name!r}")
        for field in ("hp", "speed", "radius", "anim_fps", "scale"):
            _positive(self.name, field, getattr(self, field))
        if (isinstance(self.damage, bool) or not isinstance(self.damage, (int, float))
                or not math.isfinite(self.damage) or self.damage < 0):
            raise TierError(f"tier {self.name!r} damage: expected a number >= 0, "
                            f"got {self.damage!r}")
        if isinstance(self.frames, bool) or not isinstance(self.frames, int) or self.frames < 1:
            raise TierError(f"tier {self.name!r} frames: expected an int >= 1, "
                            f"got {self.frames!r}")
        if isinstance(self.xp, bool) or not isinstance(self.xp, int) or self.xp < 0:
            raise TierError(f"tier {self.name!r} xp: expected an int >= 0, got {self.xp!r}")
        if not isinstance(self.sprite, str) or not self.sprite:
            raise TierError(f"tier {self.name!r} sprite: expected a non-empty str, "
                            f"got {self.sprite!r}")
        if len(self.tint) != 4:
            raise TierError(f"tier {self.name!r} tint: expected 4 floats (RGBA), "
                            f"got {self.tint!r}")


def tier_weights(points: Sequence[tuple[float, Sequence[float]]], t: float) -> list[float]:
    """The tier mix at time ``t``: ``points`` are ``(time, weights)`` key points in time order,
    interpolated linearly between them and held beyond the ends; the result sums to 1.

    The rule the ``waves`` system spawns by (tools/naive_horde.py calls it too, so the naive
    reference cannot drift from it). Allocates two short lists.
    """
    if t <= points[0][0]:
        w = points[0][1]
    elif t >= points[-1][0]:
        w = points[-1][1]
    else:
        i = 0
        while points[i + 1][0] <= t:
            i += 1
        (t0, w0), (t1, w1) = points[i], points[i + 1]
        f = (t - t0) / (t1 - t0) if t1 > t0 else 1.0
        w = [a + (b - a) * f for a, b in zip(w0, w1)]
    s = sum(w)
    return [x / s for x in w]


class TierTable:
    """The tiers as arrays indexed by tier index (what the systems and the renderer read).

    Attributes:
        tiers: the Tier objects, in index order.
        names: tier names, in index order.
        sprites: sprite names, in index order.
        hp, speed, damage, radius, anim_fps, frames, scale: float32 arrays (one per tier).
        xp: int64 array.
        tint: float32 ``(n_tiers, 4)``.
        max_radius: the largest radius (search margins).
    """

    def __init__(self, tiers: Sequence[Tier]) -> None:
        """Build the table.

        Raises:
            TierError: no tiers, more than 255, a non-Tier item, or a duplicate name.
        """
        if not tiers:
            raise TierError("tier table: expected at least one tier, got none")
        if len(tiers) > 255:
            raise TierError(f"tier table: expected at most 255 tiers (uint8 index), "
                            f"got {len(tiers)}")
        names: list[str] = []
        for t in tiers:
            if not isinstance(t, Tier):
                raise TierError(f"tier table: expected Tier objects, got {type(t).__name__}")
            if t.name in names:
                raise TierError(f"tier table: expected unique tier names, got {t.name!r} twice")
            names.append(t.name)
        self.tiers = tuple(tiers)
        self.names = tuple(names)
        self.sprites = tuple(t.sprite for t in tiers)

        def col(field: str) -> np.ndarray:
            return np.array([float(getattr(t, field)) for t in tiers], dtype=np.float32)

        self.hp = col("hp")
        self.speed = col("speed")
        self.damage = col("damage")
        self.radius = col("radius")
        self.anim_fps = col("anim_fps")
        self.frames = col("frames")
        self.scale = col("scale")
        self.xp = np.array([t.xp for t in tiers], dtype=np.int64)
        self.tint = np.array([t.tint for t in tiers], dtype=np.float32).reshape(len(tiers), 4)
        self.max_radius = float(self.radius.max())

    def __len__(self) -> int:
        return len(self.tiers)

    def index(self, name: str) -> int:
        """The index of a tier by name.

        Raises:
            KeyError: no such tier (the message lists them).
        """
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"no tier named {name!r}; tiers are {', '.join(self.names)}") from None


def default_tiers() -> tuple[Tier, ...]:
    """The three stock tiers: swarm (many, fast, weak), regular, elite (few, slow, tough)."""
    return (
        Tier("swarm", hp=10.0, speed=95.0, damage=4.0, radius=6.0, sprite="swarm",
             anim_fps=12.0, frames=4, xp=1, tint=(1.0, 0.45, 0.4, 1.0), scale=0.75),
        Tier("regular", hp=30.0, speed=70.0, damage=8.0, radius=10.0, sprite="regular",
             anim_fps=8.0, frames=6, xp=3, tint=(0.55, 0.9, 0.45, 1.0), scale=1.0),
        Tier("elite", hp=120.0, speed=55.0, damage=16.0, radius=15.0, sprite="elite",
             anim_fps=6.0, frames=8, xp=10, tint=(0.7, 0.5, 1.0, 1.0), scale=1.5),
    )
