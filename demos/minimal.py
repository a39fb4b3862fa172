"""Minimal embedding: one system moves a point at a fixed step; a render hook draws a
triangle there with raw moderngl, interpolated by alpha. Escape or the close button quits.

    python demos/minimal.py                      # a window if a display is usable
    python demos/minimal.py --headless --frames 120
"""

from __future__ import annotations

import argparse
import math

import moderngl
import numpy as np

from engine.core import App, AppConfig
from engine.core.options import OptionParser, add_benchmark, add_frames, add_headless, add_size

VERT = """#version 330
in vec2 in_pos; uniform vec2 center;
void main() { gl_Position = vec4(in_pos * 0.1 + center, 0.0, 1.0); }"""
FRAG = """#version 330
out vec4 color; void main() { color = vec4(1.0, 0.6, 0.1, 1.0); }"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and validate; bad input exits with one line on stderr and code 2."""
    parser = OptionParser(prog="minimal.py", description=__doc__,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    add_frames(parser)
    add_headless(parser)
    add_benchmark(parser)
    add_size(parser, default="640x480")
    args = parser.parse_args(argv)
    if args.frames is not None and args.frames < 0:
        parser.error(f"--frames must be >= 0, got {args.frames}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    width, height = args.size
    app = App(AppConfig(title="minimal", width=width, height=height, benchmark=args.benchmark,
                        fps_cap=None if args.benchmark else 60,
                        headless=True if args.headless else None))
    prev, cur, phase = np.zeros(2), np.zeros(2), [0.0]

    def move(dt: float) -> None:  # the system: a point on a circle, one turn per 4 s
        prev[:] = cur
        phase[0] += dt * math.pi / 2
        cur[0], cur[1] = 0.6 * math.cos(phase[0]), 0.6 * math.sin(phase[0])

    prog = app.ctx.program(vertex_shader=VERT, fragment_shader=FRAG)
    vbo = app.ctx.buffer(np.array([0, 1, -0.87, -0.5, 0.87, -0.5], dtype="f4"))
    vao = app.ctx.vertex_array(prog, [(vbo, "2f", "in_pos")])

    def draw(alpha: float) -> None:
        prog["center"].value = tuple(prev + (cur - prev) * alpha)
        vao.render(moderngl.TRIANGLES)

    app.scheduler.add("move", move)
    app.render_hooks.append(draw)
    app.shutdown_hooks.append(lambda: [o.release() for o in (vao, vbo, prog)])
    reason = app.run(max_frames=args.frames)
    print(f"{app.frame} frames, {app.scheduler.steps_total} steps, exit: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
