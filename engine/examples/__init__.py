"""A gallery of small programs on the public API, shipped with the package.

Each runs as ``python -m engine.examples.NAME`` (a window when a display works, ``--headless``
offscreen), takes ``--frames N`` (stop after N frames), ``--size WxH`` and ``--screenshot
PATH`` (the last frame as a PNG, with ``--frames``), and is run by tests/test_examples.py.
Art is drawn with numpy into a temporary folder at start-up and loaded back from PNG files, as
a game's own files would be.

- ``first_sprite``: one sprite from a PNG (``Sprites``, ``load_image``).
- ``animated_sheet``: a walk cycle from a grid sheet, twelve walkers on a circle
  (``load_grid_sheet``, ``Sprites.play``, a system that moves them).
- ``text_hud``: screen-space HUD and a world-space label (``Font``, ``TextLayer``).
- ``custom_system``: your own store and system held to the allocation contract
  (``EntityStore``, ``measure_steady_state``), drawn by kind with a ``SpriteLayer``.
- ``headless_screenshot``: frames driven by hand (``start`` / ``step_frame`` / ``close``) and
  the last one saved as a PNG.

``python -m engine.examples`` lists them.
"""

EXAMPLES = ("first_sprite", "animated_sheet", "text_hud", "custom_system",
            "headless_screenshot")
"""The gallery's module names, in reading order."""

__all__ = ["EXAMPLES"]
