"""The combat systems, one module each. Every system is built from a ``WorldState``
(engine.combat.state), is called once per fixed step with dt in seconds, and reads and
writes only through that state; no system imports another.

``World`` (engine.combat.world) builds them and runs them in its order.
"""

from .animation import EnemyAnimationSystem
from .bosses import BossSystem
from .contact import ContactDamageSystem
from .damage import DamageSystem
from .deaths import DeathSystem
from .melee import MeleeSystem
from .movement import MovementSystem
from .particles import ParticleSystem
from .player import PlayerControlSystem
from .projectiles import ProjectileSystem
from .quarantine import QuarantineSystem
from .separation import SeparationSystem
from .spatial_hash import GridRebuildSystem
from .waves import WaveSystem

__all__ = [
    "WaveSystem", "PlayerControlSystem", "MovementSystem", "QuarantineSystem", "GridRebuildSystem",
    "SeparationSystem", "ContactDamageSystem", "MeleeSystem", "ProjectileSystem", "BossSystem",
    "DamageSystem", "DeathSystem", "EnemyAnimationSystem", "ParticleSystem",
]
