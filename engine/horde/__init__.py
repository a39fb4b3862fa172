"""The horde layer: the horde's look and the one wiring of App, World, renderer and Profiler.

- ``attach(app, world)`` (``wiring``): connects them; returns a ``Horde`` holding the renderer
  and the profiler.
- ``Renderer`` (``renderer``): the horde's renderer (enemies by tier, projectiles, bosses, the
  player, particles), built from the render layer's generic pieces; its tiers (``tiers``):
  ``TierSpec``, ``DEFAULT_TIERS``, ``tier_specs_from_table``.
- ``PlayerView`` (``player_view``): the knight's walk odometry, facing, and the melee ring,
  timed in simulated seconds (``SWING_S``).
- The procedural art (``art``): ``default_sheets``, ``build_atlas``, ``boss_sheet``, ...

This layer may import data, core, render, combat and profiler; nothing below it imports it.
See docs/ARCHITECTURE.md.
"""

from __future__ import annotations

from .art import (
    BOSS_ANIMATIONS,
    BOSS_SHEETS,
    BOSS_STYLES,
    ENEMY_SHEETS,
    PLAYER_ANIMATIONS,
    PLAYER_SHEET,
    boss_sheet,
    build_atlas,
    default_sheets,
    hero_sheet,
)
from .player_view import SWING_S, PlayerView
from .renderer import Renderer
from .tiers import DEFAULT_TIERS, TierSpec, tier_specs_from_table
from .wiring import Horde, attach

__all__ = [
    "Horde", "attach",
    "Renderer", "TierSpec", "DEFAULT_TIERS", "tier_specs_from_table",
    "PlayerView", "SWING_S",
    "default_sheets", "build_atlas", "boss_sheet", "hero_sheet", "ENEMY_SHEETS", "BOSS_SHEETS",
    "BOSS_ANIMATIONS", "BOSS_STYLES", "PLAYER_SHEET", "PLAYER_ANIMATIONS",
]
