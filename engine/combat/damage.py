"""The damage event vocabulary: what a damage event's ``kind`` and ``source`` mean.

Systems that hurt something push ``(target, amount, source, kind)`` into the world's damage
ring (``WorldState.damage_ring``, columns ``DAMAGE_COLUMNS``); the ``damage`` system drains it
once per tick. ``kind`` says what ``target`` names; ``source`` says who hit (statistics).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "KIND_ENEMY", "KIND_BOSS", "KIND_PLAYER",
    "SOURCE_MELEE", "SOURCE_PROJECTILE", "SOURCE_CONTACT", "SOURCE_BOSS", "SOURCE_OTHER",
    "DAMAGE_COLUMNS",
]

KIND_ENEMY = 0
"""``target`` is an enemy store handle."""
KIND_BOSS = 1
"""``target`` is a boss handle (``Boss.handle``)."""
KIND_PLAYER = 2
"""``target`` is the player (0)."""

SOURCE_MELEE = 0
SOURCE_PROJECTILE = 1
SOURCE_CONTACT = 2
SOURCE_BOSS = 3
SOURCE_OTHER = 4

DAMAGE_COLUMNS = {"target": np.int64, "amount": np.float32, "source": np.int16,
                  "kind": np.uint8}
"""Columns of the damage ring."""
