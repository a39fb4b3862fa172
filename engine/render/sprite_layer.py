"""SpriteLayer: one store's rows drawn by kind, one instanced draw per kind, interpolated.

A store holds every sprite of one sort (enemies, bullets, pickups) with an integer ``kind``
column; each kind has its own sheet, size and tint. One ``RowGrouper.group`` pass over the kind
column finds every kind's rows; each kind's ``InstanceBatch`` then gathers its rows
(``pack_rows``), interpolating ``prev_pos -> pos`` by ``alpha``. Kinds with no rows draw
nothing. The horde's enemy tiers are one SpriteLayer over the ``tier`` column::

    layer = SpriteLayer(gfx, shaders, atlas, [SpriteKind("bat", 0, "bat"),
                                              SpriteKind("orc", 1, "orc", tint=(1, .8, .8, 1))])
    layer.draw_store(store, alpha, camera.matrix, kind="kind")   # a render hook's body

``draw_store`` is pack + upload + draw; a renderer that times the three phases apart calls
:meth:`pack_columns`, :meth:`upload` and :meth:`draw` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import moderngl
import numpy as np

from .atlas import SpriteAtlas
from .batch import GrowthPolicy, InstanceBatch
from .gl import GraphicsContext
from .select import RowGrouper
from .shaders import ShaderLibrary

__all__ = ["SpriteKind", "SpriteLayer"]


@dataclass(frozen=True)
class SpriteKind:
    """How the rows of one kind are drawn."""

    name: str
    """Batch name (key in ``RenderStats.instances``)."""
    value: int
    """The kind column's value for these rows."""
    sheet: str
    """Atlas sheet its ``frame`` column indexes."""
    size: tuple[float, float] | None = None
    """World size; default: the sheet's frame size times the layer's ``sprite_scale``."""
    tint: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    """Constant rgba (when the store's tint column is not used)."""
    capacity: int = 1024
    """Initial batch capacity."""


class SpriteLayer:
    """One ``InstanceBatch`` per kind over one atlas texture, fed from one store.

    Attributes:
        kinds: the ``SpriteKind`` specs, in draw order.
        batches: one ``InstanceBatch`` per kind, same order.
        grouper: the ``RowGrouper`` over the kind values (``grouper.counts``: rows per kind
            after the last pack).

    Args:
        gfx: the GraphicsContext every batch is made through.
        shaders: the ShaderLibrary holding the ``sprite`` program.
        atlas: the sprite atlas; uploaded here unless ``texture`` is given.
        kinds: the kinds in draw order (distinct names and values).
        texture: the atlas texture when already uploaded (default: ``atlas.upload(gfx)``).
        sprite_scale: world units per sprite pixel for kinds without a ``size``.
        policy: capacity policy of every batch.

    Raises:
        ValueError: no kinds, or duplicate names or values.
        KeyError: a kind's sheet is not in the atlas.
    """

    def __init__(self, gfx: GraphicsContext, shaders: ShaderLibrary, atlas: SpriteAtlas,
                 kinds: Sequence[SpriteKind], *, texture: moderngl.Texture | None = None,
                 sprite_scale: float = 1.0,
                 policy: GrowthPolicy | str = GrowthPolicy.GROW) -> None:
        kinds = tuple(kinds)
        if not kinds:
            raise ValueError("expected at least one sprite kind, got none")
        if len({k.name for k in kinds}) != len(kinds):
            raise ValueError(f"expected distinct kind names, got {[k.name for k in kinds]}")
        self.kinds: tuple[SpriteKind, ...] = kinds
        self.grouper = RowGrouper([k.value for k in kinds], 1024)  # refuses duplicate values
        texture = texture if texture is not None else atlas.upload(gfx)
        batches = []
        for spec in kinds:
            fw, fh = atlas.sheet(spec.sheet).frame_size
            size = spec.size if spec.size is not None else (fw * sprite_scale, fh * sprite_scale)
            batches.append(InstanceBatch(
                gfx, spec.name, shaders, program="sprite", texture=texture,
                frame_uvs=atlas.frame_uvs(spec.sheet), capacity=spec.capacity,
                policy=policy, size=size, tint=spec.tint))
        self.batches: tuple[InstanceBatch, ...] = tuple(batches)

    def begin(self) -> None:
        """Empty every kind's batch (a frame with nothing to draw). Allocates nothing."""
        for batch in self.batches:
            batch.begin()

    def pack_columns(self, columns: Any, n: int, alpha: float, *, kind: str = "kind",
                     pos: str = "pos", prev_pos: str | None = "prev_pos",
                     frame: str | None = None, tint: str | None = None,
                     scale: str | None = None, rotation: str | None = None) -> None:
        """Begin, group rows ``[0, n)`` of ``columns[kind]`` and pack each kind's rows.

        ``columns`` maps names to arrays (an ``EntityStore.columns``); a name given as None is
        not read (the kind's constant applies; no ``prev_pos``: no interpolation).

        Allocation contract: allocates nothing retained after warm-up with float32 columns
        (transient views and Python ints); a kind column longer than the grouper's scratch
        grows it once (``grouper.growths``), a batch past its capacity grows (counted).

        Raises:
            KeyError: a named column is missing.
            ValueError, TypeError: as ``RowGrouper.group`` and ``InstanceBatch.pack_rows``.
        """
        batches = self.batches
        for batch in batches:
            batch.begin()
        p = columns[pos]
        prev = columns[prev_pos] if prev_pos is not None else None
        fr = columns[frame] if frame is not None else None
        tn = columns[tint] if tint is not None else None
        sc = columns[scale] if scale is not None else None
        rot = columns[rotation] if rotation is not None else None
        grouper = self.grouper
        grouper.group(columns[kind], n)
        for k in range(len(batches)):
            batches[k].pack_rows(grouper.rows_of(k), p, prev, alpha, frame=fr, tint=tn,
                                 scale=sc, rotation=rot)

    def upload(self) -> None:
        """Upload every kind's packed rows (only the blocks written). Allocates nothing."""
        for batch in self.batches:
            batch.upload()

    def draw(self, matrix: np.ndarray) -> None:
        """One instanced draw per non-empty kind, in kind order. Allocates nothing."""
        for batch in self.batches:
            batch.draw(matrix)

    def draw_store(self, store: Any, alpha: float, matrix: np.ndarray, *, kind: str = "kind",
                   pos: str = "pos", prev_pos: str | None = "prev_pos",
                   frame: str | None = None, tint: str | None = None,
                   scale: str | None = None, rotation: str | None = None) -> None:
        """Pack, upload and draw a store's live rows (``store.columns``, ``store.count``)
        grouped by kind: the layer in one call (a render hook's body). Column names as
        :meth:`pack_columns`.

        Allocation contract: that of :meth:`pack_columns`; upload and draw add nothing.
        """
        self.pack_columns(store.columns, store.count, alpha, kind=kind, pos=pos,
                          prev_pos=prev_pos, frame=frame, tint=tint, scale=scale,
                          rotation=rotation)
        self.upload()
        self.draw(matrix)

    def release(self) -> None:
        """Release every batch (the texture is the atlas's). Safe twice."""
        for batch in self.batches:
            batch.release()
