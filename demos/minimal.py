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

VERT = """#version 330
in vec2 in_pos; uniform vec2 center;
void main() { gl_Position = vec4(in_pos * 0.1 + center, 0.0, 1.0); }"""
FRAG = """#version 330
out vec4 color; void main() { color = vec4(1.0, 0.6, 0.1, 1.0); }"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=None, help="stop after N frames")
    parser.add_argument("--headless", action="store_true", help="render offscreen (EGL)")
    parser.add_argument("--benchmark", action="store_true", help="fixed dt, seeded RNG")
    args = parser.parse_args()
    app = App(AppConfig(title="minimal", width=640, height=480, benchmark=args.benchmark,
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
