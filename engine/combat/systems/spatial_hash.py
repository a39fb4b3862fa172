"""System ``spatial_hash``: rebuild the grid over the enemies from their moved positions.

Rows are stable until the ``deaths`` flush, so every query of the tick (separation, contact,
melee, projectiles) reads valid rows.
"""

from __future__ import annotations

from ..state import WorldState

__all__ = ["GridRebuildSystem"]


class GridRebuildSystem:
    """System ``spatial_hash``: rebuild the grid from the enemies' positions."""

    def __init__(self, state: WorldState) -> None:
        self.state = state

    def __call__(self, dt: float) -> None:
        """Rebuild.

        Allocation contract: that of ``SpatialHash.rebuild`` (none after warm-up).
        """
        w = self.state
        w.grid.rebuild(w.enemies.columns["pos"][:w.enemies.count])
