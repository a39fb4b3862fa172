"""The world of the stress run: the horde kit's ``WorldConfig`` tuned for ramp / settle / hold.

A fast, progressive ramp to the target; every enemy tier from the first second; two bosses
(``demos/scenes/brute.toml``, ``spitter.toml``) walking in during the ramp; an immortal
autopilot player. A world factory handed to the run (``engine.acceptance.cli.run_acceptance``)
receives this config and may change it further.
"""

from __future__ import annotations

from typing import Any

__all__ = ["stress_config", "BOSSES"]

BOSSES = ((1.0, "brute"), (2.0, "spitter"))
"""(simulated second, scene) of the bosses that enter during the ramp."""


def stress_config(cfg: Any, target: int, most: int) -> Any:
    """``cfg`` (a ``WorldConfig``) tuned for the run, first target ``target``, at most
    ``most`` enemies in any level (the store holds twice that); returns ``cfg``."""
    from engine.combat import BossWave
    from engine.combat.stock_scenes import stock_scene

    cfg.enemy_capacity = max(cfg.enemy_capacity, 2 * most)
    waves = cfg.waves
    # A fast, progressive ramp: the target is reached in a few simulated seconds.
    waves.start_rate = 200.0
    waves.max_rate = 4000.0
    waves.ramp_seconds = 10.0
    waves.max_enemies = target
    # Every tier from the first second, so the hold meets no tier (and no batch) for the
    # first time: what the warm-up has not seen, it has not warmed.
    n_tiers = len(cfg.tiers)
    mix = tuple([0.6, 0.3, 0.1][:n_tiers]) if n_tiers <= 3 else tuple([1.0] * n_tiers)
    waves.tier_mix = ((0.0, mix),)
    # Two bosses walk in during the ramp and stay through the hold: their scenes, pool,
    # projectiles and sprites are part of the measured frame.
    cfg.bosses = tuple(BossWave(time=t, scene=stock_scene(name))
                       for t, name in BOSSES)
    cfg.player.immortal = True
    cfg.player.autopilot = True
    return cfg
