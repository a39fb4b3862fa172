"""Your own store and system, held to the allocation contract, drawn by kind.

An EntityStore of bouncing balls (pos, prev_pos, vel, kind), a system that moves them with
numpy out= calls into scratch it owns (no array made per tick), checked by
measure_steady_state before the run (exit 1 if it allocates), and a SpriteLayer that draws the
store grouped by its kind column: one instanced draw per kind, interpolated between steps.
"""

from __future__ import annotations

import numpy as np

import engine
from engine.examples._common import finish_run, make_app, parse_args
from engine.render import sheet_from_frames

BALLS = 2000
HALF = np.float32(180.0)
COLUMNS = {
    "pos": ((2,), np.float32),
    "prev_pos": ((2,), np.float32),
    "vel": ((2,), np.float32),
    "kind": ((), np.int8),
}


def ball_sheet(name: str, rgb: tuple[int, int, int]) -> engine.render.SpriteSheet:
    yy, xx = np.mgrid[0:8, 0:8]
    img = np.zeros((8, 8, 4), np.uint8)
    img[(xx - 3.5) ** 2 + (yy - 3.5) ** 2 <= 12.5] = (*rgb, 255)
    return sheet_from_frames(name, [img], [("idle", 1, 1.0, True)])


class Bounce:
    """The system: move by vel * dt, reflect off the box. Allocation contract: allocates
    nothing after warm-up (out= calls into its own scratch, 0-d operands)."""

    def __init__(self, store: engine.EntityStore) -> None:
        self.store = store
        cap = store.capacity
        self.step = np.zeros((cap, 2), np.float32)
        self.out = np.zeros((cap, 2), np.bool_)
        self.half = np.array(HALF, np.float32)
        self.low = np.array(-HALF, np.float32)
        self.neg = np.array(-1.0, np.float32)
        self.dt = np.zeros((), np.float32)

    def __call__(self, dt: float) -> None:
        n = self.store.count
        cols = self.store.columns
        pos, vel = cols["pos"][:n], cols["vel"][:n]
        np.copyto(cols["prev_pos"][:n], pos)
        self.dt.fill(dt)
        step = self.step[:n]
        np.multiply(vel, self.dt, out=step)
        np.add(pos, step, out=pos)
        out = self.out[:n]
        np.greater(np.abs(pos, out=step), self.half, out=out)
        np.multiply(vel, self.neg, out=vel, where=out)  # bounce: reverse the axis that left
        np.clip(pos, self.low, self.half, out=pos)


def main(argv: list[str] | None = None) -> int:
    args = parse_args("custom_system", __doc__, argv)
    rng = np.random.default_rng(1)
    store = engine.EntityStore("balls", BALLS, COLUMNS)
    start, got = store.spawn_batch(BALLS)
    cols = store.columns
    cols["pos"][:got] = rng.uniform(-HALF, HALF, (got, 2))
    cols["prev_pos"][:got] = cols["pos"][:got]
    cols["vel"][:got] = rng.uniform(-90, 90, (got, 2))
    cols["kind"][:got] = rng.integers(0, 3, got)
    bounce = Bounce(store)
    report = engine.measure_steady_state(lambda: bounce(1 / 30), warmup=50, window=200)
    print(f"bounce: {'holds' if report.ok else 'breaks'} the allocation contract "
          f"({report.failures() or 'no failures'})")
    if not report.ok:
        return 1
    app = make_app(args, "custom system")
    app.scheduler.add("bounce", bounce)
    gfx = engine.GraphicsContext(app.ctx)
    shaders = engine.ShaderLibrary(gfx, engine.DEFAULT_SHADER_DIR)
    colors = {"red": (230, 80, 60), "green": (90, 210, 90), "blue": (80, 140, 240)}
    atlas = engine.render.SpriteAtlas({n: ball_sheet(n, c) for n, c in colors.items()})
    layer = engine.SpriteLayer(gfx, shaders, atlas,
                               [engine.SpriteKind(n, i, n, capacity=BALLS)
                                for i, n in enumerate(colors)])
    camera = engine.Camera2D(*app.size)
    app.render_hooks.append(lambda alpha: layer.draw_store(store, alpha, camera.matrix))
    app.shutdown_hooks.append(gfx.release)
    return finish_run(app, args)


if __name__ == "__main__":
    raise SystemExit(main())
