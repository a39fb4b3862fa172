"""The horde combat kit: fixed-step systems over struct-of-arrays stores.

Build a :class:`World` from a :class:`WorldConfig` and a seed; step it with ``world.step(dt)``
or register its systems with a scheduler (``world.install(scheduler)``). The systems
(engine.combat.systems) share one :class:`WorldState` and nothing else. Imports the data layer
only (never render, never core.window).
"""

from .bosses import Boss, BossRoster
from .clock import SimClock
from .config import (
    BossWave,
    ConfigError,
    MeleeConfig,
    ParticleConfig,
    PlayerConfig,
    SeparationConfig,
    WaveSchedule,
    WeaponConfig,
    WorldConfig,
)
from .damage import (
    KIND_BOSS,
    KIND_ENEMY,
    KIND_PLAYER,
    SOURCE_BOSS,
    SOURCE_CONTACT,
    SOURCE_MELEE,
    SOURCE_OTHER,
    SOURCE_PROJECTILE,
)
from .player import Player
from .scene import AnimationSpec, BossScene, Pattern, SceneError, StateSpec, load_boss_scene
from .state import WorldState
from .stats import CombatStats
from .tiers import Tier, TierError, TierTable, default_tiers
from .world import MAX_STEP, SYSTEM_ORDER, SystemFn, World

__all__ = [
    "World", "WorldConfig", "WorldState", "SystemFn", "SYSTEM_ORDER", "MAX_STEP", "CombatStats",
    "SimClock",
    "Tier", "TierTable", "TierError", "default_tiers",
    "WaveSchedule", "BossWave", "PlayerConfig", "MeleeConfig", "WeaponConfig",
    "SeparationConfig", "ParticleConfig", "ConfigError",
    "SceneError", "load_boss_scene", "BossScene", "AnimationSpec", "Pattern", "StateSpec",
    "Boss", "BossRoster", "Player",
    "KIND_ENEMY", "KIND_BOSS", "KIND_PLAYER",
    "SOURCE_MELEE", "SOURCE_PROJECTILE", "SOURCE_CONTACT", "SOURCE_BOSS", "SOURCE_OTHER",
]
