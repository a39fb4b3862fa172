"""System ``animation``: a float frame index per enemy, advanced by its tier's fps.

Each enemy starts at a random phase (the ``waves`` system draws ``anim_frame`` in
``[0, frames)`` at spawn), so the horde does not step in lockstep. The renderer reads
``anim_frame`` (floor it for the frame, or blend with the fraction).
"""

from __future__ import annotations

import numpy as np

from .._kernels import f32
from ..state import WorldState

__all__ = ["EnemyAnimationSystem"]


class EnemyAnimationSystem:
    """System ``animation``: ``anim_frame = (anim_frame + anim_fps * dt) mod anim_frames``.

    Assumes ``anim_fps * dt < anim_frames`` (less than a whole cycle per step).
    """

    def __init__(self, state: WorldState) -> None:
        self.state = state
        self._step = np.zeros(state.enemies.capacity, np.float32)
        self._wrap = np.zeros(state.enemies.capacity, np.bool_)
        self._dt = f32(0.0)

    def __call__(self, dt: float) -> None:
        """Advance every enemy's frame.

        Allocation contract: allocates no array data; transient views only.
        """
        store = self.state.enemies
        n = store.count
        if n == 0:
            return
        self._dt[...] = dt
        cols = store.columns
        frame = cols["anim_frame"][:n]
        step = self._step[:n]
        frames = cols["anim_frames"][:n]
        np.multiply(cols["anim_fps"][:n], self._dt, out=step)
        np.add(frame, step, out=frame)
        # Wrap by one subtraction where needed (a step is under a cycle); np.fmod on float32
        # costs ~10x more.
        wrap = np.greater_equal(frame, frames, out=self._wrap[:n])
        np.subtract(frame, frames, out=frame, where=wrap)
