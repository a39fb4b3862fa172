"""horde-engine: a Python engine core for horde games (survivor / bullet-heaven).

The public face of the engine. What ``__all__`` lists is promised and documented in
docs/EMBEDDING.md; everything else is reachable through the layer packages
(``engine.data``, ``engine.core``, ``engine.render``, ``engine.combat``, ``engine.profiler``,
``engine.horde``, ``engine.acceptance``) but may change.

- Loop: ``App`` (``run``, or ``start`` / ``step_frame`` / ``close`` by hand), ``AppConfig``,
  ``Scheduler`` (fixed step, interpolation alpha); ``keys`` (``KEY_*``, ``MOUSE_*``).
- Data: ``EntityStore`` (SoA + generational handles), ``ObjectPool``, ``PoolStats``,
  ``ExhaustionPolicy``, ``RingBuffer``, ``OverflowPolicy``, ``SpatialHash`` (and
  ``Neighbours``, its pair and separation passes), ``Counter`` / ``CounterCells`` (int
  counters in int64 cells: past 256 they keep no Python int alive).
- Drawing: ``Sprites`` (sheets on screen in one call), ``load_image``, ``load_grid_sheet``,
  ``load_aseprite``, ``SheetError``; ``Font``, ``TextLayer``; ``SpriteLayer`` / ``SpriteKind``
  (a store drawn by a kind column); ``GraphicsContext``, ``ShaderLibrary``,
  ``DEFAULT_SHADER_DIR``, ``InstanceBatch``, ``Camera2D``, ``save_screenshot``; the horde's
  ``Renderer`` and ``build_atlas`` (its procedural art), from ``engine.horde``.
- The horde kit: ``World``, ``WorldConfig``; ``attach(app, world)`` wires a World to an App
  with the horde's renderer and the profiler.
- Measuring: ``Profiler`` (meter + dashboard), ``measure_steady_state`` (the allocation
  contract check for your own systems).
"""

from engine.combat import World, WorldConfig
from engine.core import App, AppConfig, Scheduler, keys
from engine.data import (
    Counter,
    CounterCells,
    EntityStore,
    ExhaustionPolicy,
    Neighbours,
    ObjectPool,
    OverflowPolicy,
    PoolStats,
    RingBuffer,
    SpatialHash,
)
from engine.horde import Renderer, attach, build_atlas
from engine.profiler import Profiler, measure_steady_state
from engine.render import (
    DEFAULT_SHADER_DIR,
    Camera2D,
    Font,
    GraphicsContext,
    InstanceBatch,
    ShaderLibrary,
    SheetError,
    SpriteKind,
    SpriteLayer,
    Sprites,
    TextLayer,
    load_aseprite,
    load_grid_sheet,
    load_image,
    save_screenshot,
)

__version__ = "0.1.0"

__all__ = [
    "App", "AppConfig", "Scheduler", "keys",
    "EntityStore", "ObjectPool", "PoolStats", "ExhaustionPolicy", "RingBuffer",
    "OverflowPolicy", "SpatialHash", "Neighbours", "Counter", "CounterCells",
    "GraphicsContext", "ShaderLibrary", "DEFAULT_SHADER_DIR", "InstanceBatch", "Camera2D",
    "build_atlas", "Renderer", "save_screenshot",
    "Sprites", "SpriteLayer", "SpriteKind", "load_image", "load_grid_sheet", "load_aseprite",
    "SheetError", "Font", "TextLayer",
    "World", "WorldConfig", "attach",
    "Profiler", "measure_steady_state",
]
