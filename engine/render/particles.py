"""ParticleRenderer: pooled particles (hits, deaths) drawn with one additive instanced draw.

The particle simulation (spawn, move, age, despawn) belongs to the combat layer; its data lives
in entity-store-like numpy columns: ``pos (N, 2)``, optional ``prev_pos (N, 2)``, ``life (N,)``
(seconds left), ``max_life (N,)``, ``color (N, 4)``, ``size (N,)``. This module only reads them:
``pack(n, pos, life, max_life, color, size, prev_pos=, alpha=)`` writes rows ``[0, n)`` into an
``InstanceBatch`` (additive blend, ``particle`` shader, the atlas's ``particle`` sprite) and fades
each particle's alpha by ``life / max_life``. That call is the whole "no ParticleSystem" path: a
prototype with its own arrays feeds them straight in.
"""

from __future__ import annotations

import numpy as np

from .atlas import SpriteAtlas
from .batch import Blend, GrowthPolicy, InstanceBatch
from .gl import GraphicsContext
from .shaders import ShaderLibrary

__all__ = ["ParticleRenderer"]


class ParticleRenderer:
    """One additive instance batch fed from particle columns.

    Attributes:
        batch: the ``InstanceBatch`` (name ``particles`` by default).
    """

    def __init__(self, gfx: GraphicsContext, shaders: ShaderLibrary, atlas: SpriteAtlas, *,
                 capacity: int = 4096, policy: GrowthPolicy | str = GrowthPolicy.GROW,
                 program: str = "particle", sheet: str = "particle",
                 name: str = "particles") -> None:
        """Make the batch (the atlas is uploaded if it was not).

        Raises:
            KeyError: the atlas has no sheet ``sheet``.
            ValueError: a bad capacity or policy.
        """
        texture = atlas.upload(gfx)
        self.batch = InstanceBatch(gfx, name, shaders, program=program, texture=texture,
                                   frame_uvs=atlas.frame_uvs(sheet), capacity=capacity,
                                   policy=policy, blend=Blend.ADDITIVE)
        self._fade = np.zeros(capacity, dtype=np.float32)
        self._zero = np.zeros((), dtype=np.float32)
        self._one = np.ones((), dtype=np.float32)
        self._tiny = np.array(1e-6, dtype=np.float32)

    def begin(self) -> None:
        """Start a frame (no particles packed). Allocates nothing."""
        self.batch.begin()

    def pack(self, n: int, pos: np.ndarray, life: np.ndarray, max_life: np.ndarray,
             color: np.ndarray, size: np.ndarray, *, prev_pos: np.ndarray | None = None,
             alpha: float = 1.0) -> int:
        """Append particles ``[0, n)``; alpha of each = ``color.a * clip(life / max_life, 0, 1)``.

        Args:
            n: live particles.
            pos, prev_pos: (N, 2) float32 positions (interpolated by ``alpha`` when prev given).
            life, max_life: (N,) float32 seconds left / total.
            color: (N, 4) float32 rgba.
            size: (N,) float32 world diameter.
            alpha: interpolation fraction.

        Returns:
            Particles packed.

        Allocates nothing after warm-up with float32 columns.

        Raises:
            ValueError: a column of the wrong shape or shorter than n.
        """
        for what, col, shape in (("life", life, 1), ("max_life", max_life, 1),
                                 ("size", size, 1)):
            if col.ndim != shape or col.shape[0] < n:
                raise ValueError(f"particles: expected {what} of shape ({n},) or longer, got "
                                 f"{col.shape}")
        batch = self.batch
        start = batch.count
        k = batch.pack_range(n, pos, prev_pos, alpha, tint=color, scale=size)
        if k == 0:
            return 0
        if self._fade.shape[0] < k:
            self._fade = np.zeros(batch.capacity, dtype=np.float32)
        fade = self._fade[:k]
        # life / max(max_life, tiny), clipped to [0, 1]: a particle past its life is invisible,
        # and a zero max_life cannot divide by zero.
        np.maximum(max_life[:k], self._tiny, out=fade, casting="unsafe")
        np.divide(life[:k], fade, out=fade, casting="unsafe")
        fade.clip(self._zero, self._one, out=fade)
        alpha_col = batch.tint[start:start + k, 3]
        np.multiply(alpha_col, fade, out=alpha_col)
        return k

    def pack_store(self, store: object, alpha: float = 1.0, *, pos: str = "pos",
                   prev_pos: str | None = "prev_pos", life: str = "life",
                   max_life: str = "max_life", color: str = "color", size: str = "size") -> int:
        """``pack`` from a store-like object (``.columns`` dict, ``.count``) by column names.

        A missing ``prev_pos`` column means no interpolation. Allocates nothing after warm-up.

        Raises:
            KeyError: a required column is missing (the message lists the store's columns).
        """
        cols: dict[str, np.ndarray] = store.columns  # type: ignore[attr-defined]
        n: int = store.count  # type: ignore[attr-defined]
        try:
            p, li, ml, c, s = cols[pos], cols[life], cols[max_life], cols[color], cols[size]
        except KeyError as exc:
            raise KeyError(f"particle store lacks column {exc.args[0]!r}; it has "
                           f"{sorted(cols)}") from None
        q = cols.get(prev_pos) if prev_pos is not None else None
        return self.pack(n, p, li, ml, c, s, prev_pos=q, alpha=alpha)

    def upload(self) -> int:
        """Write the packed particles into the VBO. See ``InstanceBatch.upload``."""
        return self.batch.upload()

    def draw(self, camera_matrix: np.ndarray) -> bool:
        """One additive draw of the packed particles (nothing when none)."""
        return self.batch.draw(camera_matrix)

    def release(self) -> None:
        """Release the batch (safe twice)."""
        self.batch.release()
