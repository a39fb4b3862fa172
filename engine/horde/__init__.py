"""The horde layer: the one wiring of App, World, the horde's renderer and the Profiler.

``attach(app, world)`` connects them (``engine.horde.wiring``). This layer may import data,
core, render, combat and profiler; nothing below it imports it. See docs/ARCHITECTURE.md.
"""

from __future__ import annotations

from .wiring import Horde, attach

__all__ = ["Horde", "attach"]
