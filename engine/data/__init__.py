"""The data core: struct-of-arrays entity store, pools, ring buffers, the spatial hash and its
neighbour passes, and the int64-backed counter attributes they (and the combat layer) keep
their counts in.

No GL and no other engine layer is imported here.
"""

from .counters import Counter, CounterCells, CounterError, CounterValueError
from .pool import ExhaustionPolicy, ObjectPool, PoolError, PoolStats
from .ring import OverflowPolicy, RingBuffer, RingError
from .spatial import Neighbours, SpatialHash
from .store import NO_ROW, EntityStore, ForeignHandleError, StoreError

__all__ = [
    "EntityStore", "StoreError", "ForeignHandleError", "NO_ROW",
    "PoolStats", "ExhaustionPolicy", "ObjectPool", "PoolError",
    "RingBuffer", "OverflowPolicy", "RingError",
    "SpatialHash", "Neighbours",
    "Counter", "CounterCells", "CounterError", "CounterValueError",
]
