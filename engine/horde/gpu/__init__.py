"""The GPU horde: the enemy horde's movement and exact separation as GL 4.3 compute passes.

``HordeCompute`` (passes.py) owns the storage buffers and the five passes; ``GpuHorde``
(horde.py) puts them in a combat World's fixed step in place of its ``movement`` and
``separation`` systems. The CPU path stays the default, and the fallback below GL 4.3.
"""

from .horde import GPU_SYSTEMS, GpuHorde
from .passes import (
    MAX_CAP,
    MIN_GL_VERSION,
    PASSES,
    ComputeUnavailableError,
    HordeCompute,
    load_compute_source,
)

__all__ = ["GpuHorde", "GPU_SYSTEMS", "HordeCompute", "ComputeUnavailableError",
           "load_compute_source", "PASSES", "MAX_CAP", "MIN_GL_VERSION"]
