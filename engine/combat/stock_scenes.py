"""The stock boss scenes (``brute``, ``spitter``): the TOML files the demos and the acceptance
run schedule. They live in ``demos/scenes`` of the repository and are installed as
``engine/scenes`` (see :func:`engine.data.resources.resource_dir`).
"""

from __future__ import annotations

from engine.data.resources import resource_dir

__all__ = ["STOCK_SCENE_DIR", "stock_scene"]

STOCK_SCENE_DIR = resource_dir("scenes", "demos/scenes")
"""The folder of the stock boss scenes: the checkout's ``demos/scenes``, or the installed copy."""


def stock_scene(name: str) -> str:
    """The path of a stock scene, ready for ``BossWave(time, stock_scene("brute"))``.

    Args:
        name: the scene's file name without ``.toml``.

    Raises:
        FileNotFoundError: no such stock scene; the message lists the ones there are.
    """
    path = STOCK_SCENE_DIR / f"{name}.toml"
    if not path.is_file():
        have = sorted(p.stem for p in STOCK_SCENE_DIR.glob("*.toml"))
        raise FileNotFoundError(f"stock scene: expected one of {have} in {STOCK_SCENE_DIR}, "
                                f"got {name!r}")
    return str(path)
