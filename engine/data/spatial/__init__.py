"""Spatial queries over fixed world bounds, rebuilt every tick, allocation-free.

* ``SpatialHash`` (grid.py): the uniform grid - ``rebuild`` by a coherent sort, the cell layout
  (``sorted_rows``, ``cell_start``, ``cell_count``, ``row_cell``), ``cells_of`` (cell ids of
  any points, clamped like ``rebuild``); its point queries ``cell_of``, ``query_radius`` and
  ``nearest`` are the mixin of queries.py.
* ``Neighbours`` (neighbours.py, over the band orderings of bands.py): every pair closer than a
  radius with a per-row cap, as a pair list or as push-apart forces; the cap's compacted
  levels are the mixin of compaction.py.

Imports point one way: neighbours -> compaction -> bands -> grid -> queries -> checks.
"""

from .grid import SpatialHash
from .neighbours import Neighbours

__all__ = ["SpatialHash", "Neighbours"]
