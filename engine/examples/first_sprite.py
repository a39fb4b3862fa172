"""One sprite from a PNG: Sprites(app, [load_image(path)]) and add().

The README's first program, with the PNG drawn into a temporary folder first.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import engine
from engine.examples._common import finish_run, make_app, parse_args, write_hero_png


def main(argv: list[str] | None = None) -> int:
    args = parse_args("first_sprite", __doc__, argv)
    with tempfile.TemporaryDirectory() as tmp:
        png = write_hero_png(Path(tmp))
        app = make_app(args, "first sprite")
        sprites = engine.Sprites(app, [engine.load_image(png)])  # the sheet "hero"
        sprites.add("hero", 0, 0, scale=3.0)
        return finish_run(app, args)


if __name__ == "__main__":
    raise SystemExit(main())
