"""How the horde's enemy tiers are drawn: one ``TierSpec`` per tier, from the world's tier table.
"""

from __future__ import annotations

from typing import Any

from engine.render import SpriteAtlas, SpriteKind

__all__ = ["TierSpec", "DEFAULT_TIERS", "tier_specs_from_table"]


TierSpec = SpriteKind
"""How one enemy tier is drawn: a ``SpriteKind`` of the Renderer's enemy ``SpriteLayer``
(``value``: the store's ``tier`` column value; ``name``: its batch name)."""


DEFAULT_TIERS: tuple[TierSpec, ...] = (
    TierSpec("swarm", 0, "swarm"),
    TierSpec("regular", 1, "regular"),
    TierSpec("elite", 2, "elite"),
)


def tier_specs_from_table(table: Any, atlas: SpriteAtlas, *, sprite_scale: float = 1.0,
                          use_tint: bool = True) -> tuple[TierSpec, ...]:
    """Tier specs from a tier table read by attribute (the horde kit's ``TierTable``).

    Reads ``names`` and ``sprites`` (sequences), ``scale`` ((n,) floats) and ``tint``
    ((n, 4) floats); tier ``i`` of the table is value ``i`` of the store's tier column. Sizes are
    the sprite's frame size times the tier's scale times ``sprite_scale``.

    Raises:
        KeyError: a tier's sprite is not a sheet of the atlas.
        TypeError: ``table`` lacks one of those attributes.
    """
    try:
        names, sprites, scales, tints = table.names, table.sprites, table.scale, table.tint
    except AttributeError as exc:
        raise TypeError(f"expected a tier table with names, sprites, scale and tint, got "
                        f"{type(table).__name__} ({exc})") from None
    specs = []
    for i, (name, sprite) in enumerate(zip(names, sprites)):
        fw, fh = atlas.sheet(sprite).frame_size
        k = float(scales[i]) * sprite_scale
        t = tints[i] if use_tint else (1.0, 1.0, 1.0, 1.0)
        tint = (float(t[0]), float(t[1]), float(t[2]), float(t[3]))
        specs.append(TierSpec(str(name), i, str(sprite), (fw * k, fh * k), tint))
    return tuple(specs)
