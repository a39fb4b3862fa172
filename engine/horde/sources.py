"""The column sources the horde's Renderer reads: enemies, projectiles and particles, each a
store-like object (``.columns``: name -> full-capacity numpy array, ``.count``: live rows are
``[0, count)``, as ``engine.data.EntityStore``) and the names of the columns to read.

Columns are looked up by name every frame (a store with the GROW policy replaces its arrays when
it grows), and only read. A column name given as None, or absent from the store when optional,
falls back to the batch constant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["StoreSources"]


@dataclass
class _Source:
    store: Any
    names: dict[str, str | None]


def _check_store(store: Any, what: str, required: Sequence[str | None]) -> None:
    cols = getattr(store, "columns", None)
    if not isinstance(cols, dict) or not hasattr(store, "count"):
        raise TypeError(f"{what}: expected a store-like object with .columns (dict) and .count, "
                        f"got {type(store).__name__}")
    for name in required:
        if name is not None and name not in cols:
            raise KeyError(f"{what}: the store has no column {name!r}; it has {sorted(cols)}")


class StoreSources:
    """The renderer's store sources (see the module docstring); set once, read every frame."""

    def __init__(self) -> None:
        self._enemies: _Source | None = None
        self._projectiles: _Source | None = None
        self._particles: _Source | None = None

    def set_enemy_source(self, store: Any, *, pos: str = "pos", prev_pos: str | None = "prev_pos",
                         tier: str = "tier", frame: str | None = "anim_frame",
                         tint: str | None = None, scale: str | None = None,
                         rotation: str | None = None) -> None:
        """Read enemies from ``store`` (all tiers in one store, told apart by ``tier``).

        ``pos`` and ``tier`` are required columns; ``prev_pos`` and ``frame`` are used when
        present; ``tint``, ``scale``, ``rotation`` when named.

        Raises:
            TypeError: not store-like. KeyError: a named required column is missing.
        """
        _check_store(store, "enemy source", [pos, tier, tint, scale, rotation])
        self._enemies = _Source(store, {"pos": pos, "prev_pos": prev_pos, "tier": tier,
                                        "frame": frame, "tint": tint, "scale": scale,
                                        "rotation": rotation})

    def set_projectile_source(self, store: Any, *, pos: str = "pos",
                              prev_pos: str | None = "prev_pos", velocity: str | None = "vel",
                              rotation: str | None = None, frame: str | None = None) -> None:
        """Read projectiles from ``store``; sprites point along ``velocity`` when it exists.

        A ``rotation`` column, when named, wins over the velocity's angle.

        Raises:
            TypeError: not store-like. KeyError: a named required column is missing.
        """
        _check_store(store, "projectile source", [pos, rotation, frame])
        self._projectiles = _Source(store, {"pos": pos, "prev_pos": prev_pos,
                                            "velocity": velocity, "rotation": rotation,
                                            "frame": frame})

    def set_particle_source(self, store: Any, *, pos: str = "pos",
                            prev_pos: str | None = "prev_pos", life: str = "life",
                            max_life: str = "max_life", color: str = "color",
                            size: str = "size") -> None:
        """Read particles from ``store`` (owned and simulated by the combat layer).

        Raises:
            TypeError: not store-like. KeyError: a required column is missing.
        """
        _check_store(store, "particle source", [pos, life, max_life, color, size])
        self._particles = _Source(store, {"pos": pos, "prev_pos": prev_pos, "life": life,
                                          "max_life": max_life, "color": color, "size": size})
