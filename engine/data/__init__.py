"""The data core: struct-of-arrays entity store, pools, ring buffers, spatial hash.

No GL and no other engine layer is imported here.
"""

from .pool import ExhaustionPolicy, ObjectPool, PoolError, PoolStats
from .ring import OverflowPolicy, RingBuffer, RingError
from .spatial_hash import SpatialHash
from .store import NO_ROW, EntityStore, ForeignHandleError, StoreError

__all__ = [
    "EntityStore", "StoreError", "ForeignHandleError", "NO_ROW",
    "PoolStats", "ExhaustionPolicy", "ObjectPool", "PoolError",
    "RingBuffer", "OverflowPolicy", "RingError",
    "SpatialHash",
]
