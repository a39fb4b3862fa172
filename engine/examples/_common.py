"""What the examples share: their command line, the App they open, the art they draw into
PNG files at start-up, and the end of a run (the screenshot, one summary line)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

import engine

__all__ = ["parse_args", "make_app", "finish_run", "write_hero_png", "write_walker_png"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse_args(name: str, doc: str | None, argv: list[str] | None) -> argparse.Namespace:
    """The examples' command line; bad input exits 2 with one line on stderr."""
    p = _Parser(prog=f"python -m engine.examples.{name}", description=doc,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--frames", type=int, default=None, metavar="N",
                   help="stop after N frames (default: until the window is closed)")
    p.add_argument("--headless", action="store_true", help="render offscreen (EGL)")
    p.add_argument("--size", default="640x400", metavar="WxH",
                   help="framebuffer size (default: %(default)s)")
    p.add_argument("--screenshot", type=Path, default=None, metavar="PATH",
                   help="save the last frame as a PNG (needs --frames)")
    args = p.parse_args(argv)
    if args.frames is not None and args.frames < 1:
        p.error(f"--frames must be >= 1, got {args.frames}")
    if args.screenshot is not None and args.frames is None:
        p.error("--screenshot needs --frames (the last frame is the one saved)")
    try:
        args.width, args.height = engine.AppConfig.parse_size(args.size)
    except ValueError as exc:
        p.error(f"--{exc}")
    return args


def make_app(args: argparse.Namespace, title: str) -> engine.App:
    """The App of an example: its size, headless when asked (else a window if possible).
    Headless, every frame lasts 1/60 s of game time (the benchmark clock): offscreen frames
    run faster than real time, and ``--frames N`` then shows the same N / 60 s anywhere."""
    return engine.App(engine.AppConfig(width=args.width, height=args.height, title=title,
                                       headless=True if args.headless else None,
                                       benchmark=args.headless))


def finish_run(app: engine.App, args: argparse.Namespace) -> int:
    """Run ``app`` (``--frames``), saving the last frame before the swap when
    ``--screenshot`` is given; print one line; 0."""
    if args.screenshot is not None:
        last = args.frames
        shot = args.screenshot

        def save() -> None:
            if app.frame == last - 1:  # frame_end hooks run before the swap of that frame
                engine.save_screenshot(app.target, shot)

        app.frame_end_hooks.append(save)
    reason = app.run(max_frames=args.frames)
    saved = f", screenshot {args.screenshot}" if args.screenshot is not None else ""
    print(f"{app.frame} frames, exit: {reason}{saved}")
    return 0


def write_hero_png(folder: Path) -> Path:
    """A 32 x 32 knight-ish figure (head, body, sword) as ``folder/hero.png``."""
    img = np.zeros((32, 32, 4), np.uint8)
    yy, xx = np.mgrid[0:32, 0:32]
    head = (xx - 16) ** 2 + (yy - 8) ** 2 <= 25
    body = (abs(xx - 16) <= 6) & (yy >= 13) & (yy <= 26)
    legs = ((abs(xx - 12) <= 2) | (abs(xx - 20) <= 2)) & (yy > 26) & (yy <= 31)
    sword = (xx >= 25) & (xx <= 26) & (yy >= 6) & (yy <= 24)
    img[head] = (240, 200, 160, 255)
    img[body] = (60, 110, 220, 255)
    img[legs] = (90, 70, 50, 255)
    img[sword] = (220, 220, 230, 255)
    path = folder / "hero.png"
    Image.fromarray(img, "RGBA").save(path)
    return path


def write_walker_png(folder: Path) -> Path:
    """A 4-frame walk cycle in one row of 32 x 32 cells (a blob that bobs and swings its
    feet) as ``folder/walker.png``."""
    img = np.zeros((32, 4 * 32, 4), np.uint8)
    yy, xx = np.mgrid[0:32, 0:32]
    for f, (bob, step) in enumerate(((0, -3), (-2, 0), (0, 3), (-2, 0))):
        cell = img[:, f * 32:(f + 1) * 32]
        blob = (xx - 16) ** 2 + ((yy - 14 - bob) * 1.2) ** 2 <= 100
        eyes = ((xx - 12) ** 2 + (yy - 11 - bob) ** 2 <= 2) | \
               ((xx - 20) ** 2 + (yy - 11 - bob) ** 2 <= 2)
        feet = (((xx - 11 - step) ** 2 + (yy - 28) ** 2 <= 6)
                | ((xx - 21 + step) ** 2 + (yy - 28) ** 2 <= 6))
        cell[blob] = (90, 200, 90, 255)
        cell[eyes] = (20, 30, 20, 255)
        cell[feet] = (50, 120, 50, 255)
    path = folder / "walker.png"
    Image.fromarray(img, "RGBA").save(path)
    return path
