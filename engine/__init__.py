"""horde-engine: a Python engine core for horde games.

The public face of the engine: what is listed in ``__all__`` is promised; everything else is
reachable but may change.
"""

from engine.core import App, AppConfig, Scheduler
from engine.data import (
    EntityStore,
    ExhaustionPolicy,
    ObjectPool,
    OverflowPolicy,
    PoolStats,
    RingBuffer,
)

__version__ = "0.1.0"

__all__ = [
    "App", "AppConfig", "Scheduler",
    "EntityStore", "PoolStats", "ExhaustionPolicy", "ObjectPool", "RingBuffer", "OverflowPolicy",
]
