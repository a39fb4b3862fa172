"""A walk cycle from a grid sheet: twelve walkers on a circle, moved by a system.

load_grid_sheet(path, (32, 32), {"walk": (row 0, 4 frames, 8 fps)}), then Sprites.play; the
system moves each walker one fixed step along the circle (Sprites.move), and the draw
interpolates between steps.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import engine
from engine.examples._common import finish_run, make_app, parse_args, write_walker_png

WALKERS = 12
RADIUS = 120.0
SPEED = 0.5  # radians per second


def main(argv: list[str] | None = None) -> int:
    args = parse_args("animated_sheet", __doc__, argv)
    with tempfile.TemporaryDirectory() as tmp:
        sheet = engine.load_grid_sheet(write_walker_png(Path(tmp)), (32, 32),
                                       {"walk": (0, 4, 8.0)})
        app = make_app(args, "animated sheet")
        sprites = engine.Sprites(app, [sheet])
        walkers = [sprites.add("walker", RADIUS, 0.0, animation="walk", scale=1.5)
                   for _ in range(WALKERS)]
        angle = [0.0]

        def walk(dt: float) -> None:  # a system: fn(dt), once per fixed step
            angle[0] += SPEED * dt
            for i, w in enumerate(walkers):
                a = angle[0] + i * 2.0 * math.pi / WALKERS
                sprites.move(w, RADIUS * math.cos(a), RADIUS * math.sin(a))

        app.scheduler.add("walk", walk)
        return finish_run(app, args)


if __name__ == "__main__":
    raise SystemExit(main())
