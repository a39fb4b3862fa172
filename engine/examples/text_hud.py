"""Text: a screen-space HUD (pixels, top-left, y down) and a world-space label above a sprite.

Font() rasterises a TTF the dependencies ship (DejaVu Sans) once; a TextLayer draws all its
strings in one draw call. set_text with the string a slot already shows does nothing, and the
HUD formats its line only when the second changes.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import engine
from engine.examples._common import finish_run, make_app, parse_args, write_hero_png


def main(argv: list[str] | None = None) -> int:
    args = parse_args("text_hud", __doc__, argv)
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(args, "text hud")
        sprites = engine.Sprites(app, [engine.load_image(write_hero_png(Path(tmp)))])
        hero = sprites.add("hero", 0.0, 0.0, scale=2.0)
        font = engine.Font(size=18)
        hud = engine.TextLayer(sprites.gfx, sprites.shaders, font)
        status = hud.add("", 10, 8, color=(1.0, 0.9, 0.3), max_chars=40)
        hud.add("text_hud example", 10, 30, scale=0.8, color=(0.7, 0.7, 0.8))
        label = engine.TextLayer(sprites.gfx, sprites.shaders, font, space="world",
                                 name="label")
        name = label.add("hero", 0.0, 40.0, anchor="cb")
        shown = [-1]

        def bob(dt: float) -> None:  # a system: the hero bobs; its label follows
            t = app.scheduler.sim_time_ns * 1e-9
            y = 10.0 * math.sin(t * 3.0)
            sprites.move(hero, 0.0, y)
            label.set_position(name, 0.0, y + 40.0)

        def draw_text(alpha: float) -> None:  # after the sprites: the text covers them
            seconds = app.scheduler.sim_time_ns // 1_000_000_000
            if seconds != shown[0]:
                shown[0] = seconds
                hud.set_text(status, f"time {seconds} s   sprites {sprites.store.count}")
            label.draw(sprites.camera.matrix)
            hud.draw()

        app.scheduler.add("bob", bob)
        app.render_hooks.append(draw_text)
        return finish_run(app, args)


if __name__ == "__main__":
    raise SystemExit(main())
