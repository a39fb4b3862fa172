"""Frames driven by hand, offscreen, and the last one saved as a PNG.

app.start() runs the startup hooks, app.step_frame() one frame (False once the App is asked to
close), and the headless target keeps the last frame until app.close(): save it in between.
Always headless; --screenshot PATH (default: screenshot.png in the current folder).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import engine
from engine.examples._common import parse_args
from engine.render import sheet_from_frames


def main(argv: list[str] | None = None) -> int:
    args = parse_args("headless_screenshot", __doc__, argv)
    frames = args.frames if args.frames is not None else 60
    path = args.screenshot if args.screenshot is not None else Path("screenshot.png")
    app = engine.App(engine.AppConfig(width=args.width, height=args.height, headless=True,
                                      benchmark=True))
    tile = np.zeros((16, 16, 4), np.uint8)
    tile[2:14, 2:14] = (240, 170, 40, 255)
    sprites = engine.Sprites(app, [sheet_from_frames("tile", [tile], [("idle", 1, 1.0, True)])])
    for i in range(-4, 5):
        sprites.add("tile", i * 40.0, 0.0, rotation=i * 0.2, scale=1.0 + abs(i) * 0.25)
    app.start()
    while app.frame < frames and app.step_frame():
        pass
    saved = engine.save_screenshot(app.target, path)  # before close(): the target lives
    app.close()
    print(f"{app.frame} frames, screenshot {saved}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
