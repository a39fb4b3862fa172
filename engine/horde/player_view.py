"""The player as the horde draws it: a knight that walks, idles, faces its way, and a melee ring.

One ``InstanceBatch`` of two rows, one draw call a frame: row 0 the swing ring (under the
knight), row 1 the knight. The walk cycle advances with the distance the drawn knight moved
(feet do not slide); it mirrors when it faces left. Everything that runs in time runs in
SIMULATED seconds read from a clock (``lambda: world.time``): the idle breath and the ring,
shown for ``SWING_S`` after each rise of the swing counter. So a paused world stops them and a
144 Hz display shows the same ring as a 60 Hz one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from engine.render import GrowthPolicy, InstanceBatch, ShaderLibrary, SpriteAtlas

__all__ = ["PlayerView", "SWING_S"]

SWING_S = 0.2
"""Simulated seconds the melee ring shows after a swing."""
RING_TINT = (1.0, 0.97, 0.8, 0.35)
"""The ring's rgba at the swing; its alpha fades to 0 over ``SWING_S``."""
# Cells of ``PlayerView.state`` (float64: a Python float attribute would switch between a
# shared constant and an object of its own).
_ALPHA, _ODOMETER, _FLIP, _SWINGS, _SWING_T, _RING_ON, _NOW = range(7)


class PlayerView:
    """The player's batch and its per-frame state (see the module docstring).

    Args:
        batch: the two-row player batch (``player_batch``; may be set after validation).
        atlas: the atlas holding ``sheet`` (``walk``, ``idle``, ``swing`` animations).
        source: an object whose ``pos`` and ``prev_pos`` attributes are (2,) arrays (the horde
            kit's ``Player``), or a callable returning ``(x, y, prev_x, prev_y)``.
        pos, prev_pos, facing: attribute names on ``source`` (``prev_pos`` None: no
            interpolation; ``facing`` None or absent: it faces the way it last moved).
        swings: a counter of melee swings (``lambda: world.stats.melee_swings``); needs
            ``clock``.
        clock: simulated seconds now (``lambda: world.time``); None: no ring, idle holds.
        tick_s: the fixed step in seconds; the clock is read between ticks as
            ``clock() + alpha * tick_s``.
        swing_radius, size, tint: the ring's radius, the knight's world size and rgba.

    Raises:
        TypeError: a bad source, ``swings`` or ``clock``.
        ValueError: a size or radius that is not positive, or ``swings`` without ``clock``.
        KeyError: the sheet or one of its animations is missing.
    """

    def __init__(self, batch: InstanceBatch | None, atlas: SpriteAtlas, source: Any, *, sheet: str,
                 pos: str, prev_pos: str | None, facing: str | None,
                 swings: Callable[[], int] | None, clock: Callable[[], float] | None,
                 tick_s: float, swing_radius: float, size: tuple[float, float],
                 tint: tuple[float, float, float, float]) -> None:
        if not callable(source):
            for name in (pos, prev_pos):
                if name is not None and not hasattr(source, name):
                    raise TypeError(f"player source: expected a callable or an object with "
                                    f"attribute {name!r}, got {type(source).__name__}")
        for what, fn in (("swings", swings), ("clock", clock)):
            if fn is not None and not callable(fn):
                raise TypeError(f"player source: {what} must be callable or None, got "
                                f"{type(fn).__name__}")
        if swings is not None and clock is None:
            raise ValueError("player source: swings needs clock (simulated seconds, e.g. "
                             "lambda: world.time): the ring is timed in simulated time")
        if not (swing_radius > 0):
            raise ValueError(f"player source: swing_radius must be > 0, got {swing_radius}")
        w, h = float(size[0]), float(size[1])
        if not (w > 0 and h > 0):
            raise ValueError(f"player source: size must be positive, got {(w, h)}")
        sh = atlas.sheet(sheet)
        self.walk, self.idle, self.swing = (sh.animation(a) for a in ("walk", "idle", "swing"))
        self.batch = batch
        self.source = source
        self.callable = callable(source)
        self.pos_name = pos
        self.prev_name = prev_pos
        self.facing_name = facing
        self.swings = swings
        self.clock = clock
        self.tick_s = float(tick_s)
        self.w = w
        self.h = h
        self.pos = np.zeros((2, 2), dtype=np.float32)
        self.prev = np.zeros((2, 2), dtype=np.float32)
        self.frame = np.zeros(2, dtype=np.float32)
        self.size = np.array([[2.0 * swing_radius, 2.0 * swing_radius], [w, h]],
                             dtype=np.float32)
        self.tint = np.array([RING_TINT, tint], dtype=np.float32)
        self.cur = np.zeros(2, dtype=np.float32)
        self.last = np.zeros(2, dtype=np.float32)
        self.step = np.zeros(2, dtype=np.float32)
        self.state = np.zeros(7, dtype=np.float64)
        if swings is not None:
            self.state[_SWINGS] = swings()

    def set_tint(self, r: float, g: float, b: float, a: float = 1.0) -> None:
        """The knight's rgba from the next frame on. Allocates nothing."""
        tint = self.tint
        tint[1, 0] = r
        tint[1, 1] = g
        tint[1, 2] = b
        tint[1, 3] = a

    def pack(self, alpha: float) -> None:
        """The knight (and the ring) into the batch. Allocates nothing retained: its state
        lives in float32/float64 cells."""
        batch = self.batch
        assert batch is not None, "PlayerView.pack: no batch (see player_batch)"
        batch.begin()
        pos, prev, cur = self.pos, self.prev, self.cur
        if self.callable:
            x, y, px, py = self.source()
            pos[1, 0] = x
            pos[1, 1] = y
            prev[1, 0] = px
            prev[1, 1] = py
        else:
            np.copyto(pos[1], getattr(self.source, self.pos_name), casting="unsafe")
            if self.prev_name is not None:
                np.copyto(prev[1], getattr(self.source, self.prev_name), casting="unsafe")
            else:
                np.copyto(prev[1], pos[1])
        np.copyto(pos[0], pos[1])
        np.copyto(prev[0], prev[1])
        # Where it is drawn this frame, and how far that is from last frame's: the walk cycle
        # advances with the distance, and it faces the way it moves.
        st = self.state
        st[_ALPHA] = alpha
        np.subtract(pos[1], prev[1], out=cur)
        np.multiply(cur, st[_ALPHA:_ALPHA + 1], out=cur)
        np.add(cur, prev[1], out=cur)
        np.subtract(cur, self.last, out=self.step)
        np.copyto(self.last, cur)
        moved = np.hypot(self.step[0], self.step[1])
        st[_ODOMETER] += moved
        facing_x = 0.0
        if self.facing_name is not None:
            f = getattr(self.source, self.facing_name, None)
            if f is not None:
                facing_x = f[0]
        if facing_x == 0.0 and abs(self.step[0]) > 1e-3:
            facing_x = self.step[0]
        if facing_x < 0.0:
            st[_FLIP] = 1.0
        elif facing_x > 0.0:
            st[_FLIP] = 0.0
        if self.clock is not None:
            st[_NOW] = self.clock() + alpha * self.tick_s
        frame, size, tint = self.frame, self.size, self.tint
        if moved > 1e-3 * self.h:
            walk = self.walk
            frame[1] = walk.first + int(st[_ODOMETER] / (0.3 * self.h)) % walk.count
        else:
            idle = self.idle
            frame[1] = idle.first + idle.frame_at(st[_NOW])
        size[1, 0] = -self.w if st[_FLIP] else self.w
        rows = 1
        if self.swings is not None:
            count = self.swings()
            if count != st[_SWINGS]:
                # The swing happened at the tick that raised the counter (the clock's value).
                st[_SWINGS] = count
                st[_SWING_T] = st[_NOW] - alpha * self.tick_s
                st[_RING_ON] = 1.0
            if st[_RING_ON]:
                done = (st[_NOW] - st[_SWING_T]) / SWING_S
                if done >= 1.0:
                    st[_RING_ON] = 0.0
                else:
                    swing = self.swing
                    frame[0] = swing.first + min(int(done * swing.count), swing.count - 1)
                    tint[0, 3] = RING_TINT[3] * (1.0 - done)
                    rows = 2
        first = 2 - rows
        batch.pack_range(rows, pos[first:], prev[first:], alpha, frame=frame[first:],
                         size=size[first:], tint=tint[first:])


def player_batch(gfx: Any, shaders: ShaderLibrary, atlas: SpriteAtlas, sheet: str,
                 size: tuple[float, float], policy: GrowthPolicy | str) -> InstanceBatch:
    """The player's two-row batch on ``sheet`` of ``atlas``."""
    return InstanceBatch(gfx, "player", shaders, program="sprite", texture=atlas.texture,
                         frame_uvs=atlas.frame_uvs(sheet), capacity=2, policy=policy,
                         size=size)
