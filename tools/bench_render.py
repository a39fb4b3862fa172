"""Benchmark the instanced renderer: CPU cost per frame of pack + upload + draw submission.

For each N, enemies are split across the 3 default tiers in ONE EntityStore (tier column), with
prev/current positions (interpolated every frame, alpha varying) and an animation frame column,
spread over the visible world. Each frame runs ``Renderer.render(alpha)``, which times its own
phases with perf_counter_ns:

  pack    RowGrouper.group over the tier column + per-tier gather + interpolation into staging
  upload  Buffer.write of the blocks written this frame (pos + frame: 12 bytes per instance)
  submit  uniforms, state and one draw call per non-empty tier (GL commands queued)

``cpu`` is the wall time of ``render`` without waiting for the GPU (submission excludes raster);
``+finish`` adds ``ctx.finish()``, i.e. the raster time of whatever device runs GL (llvmpipe on a
CPU-only machine: then raster shares the CPU with everything else). On llvmpipe the vertex
stage runs synchronously inside each glDraw* call, so ``submit`` grows with N there: it is the
driver's vertex work, not Python's (at N=500 it is almost only the Python + GL call overhead).

Examples:
    .venv/bin/python -m tools.bench_render
    .venv/bin/python -m tools.bench_render --sizes 100000 --frames 200 --size 1920x1080
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time

import numpy as np

from tools.common import (
    add_frames,
    add_seed,
    add_size,
    add_sizes,
    add_warmup,
    check_memory,
    percentile,
    tool_parser,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = tool_parser("bench_render", __doc__)
    add_sizes(p, (500, 10_000, 100_000), "instance counts to measure")
    add_frames(p, 60, what="measured frames per size")
    add_warmup(p, 0.25, "unmeasured simulated seconds first, at 60 frames a second")
    add_size(p, what="offscreen framebuffer size")
    p.add_argument("--sprite-scale", type=float, default=1.0, metavar="U",
                   help="world units per sprite pixel; 1.0: 16/24/32 px sprites at zoom 1 "
                        "(default: %(default)s)")
    add_seed(p, default=1)
    p.add_argument("--target-ms", type=float, default=3.0, metavar="MS",
                   help="budget for pack + upload of the largest N (default: %(default)s)")
    args = p.parse_args(argv)
    if args.frames < 1 or not args.warmup >= 0 or args.seed < 0:
        p.error(f"expected --frames >= 1, --warmup >= 0 seconds and --seed >= 0, got "
                f"{args.frames}, {args.warmup}, {args.seed}")
    if not (math.isfinite(args.sprite_scale) and args.sprite_scale > 0):
        p.error(f"--sprite-scale must be a positive number, got {args.sprite_scale}")
    why = check_memory(max(args.sizes) * 128, f"--sizes {max(args.sizes)}")
    if why is not None:
        p.error(why)
    args.warmup_frames = round(min(args.warmup, 3600.0) * 60)
    return args


def ms(values: list[int]) -> str:
    return f"{statistics.median(values) / 1e6:7.3f}"


def p95(values: list[int]) -> float:
    return percentile(values, 95) / 1e6


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import moderngl

        # moderngl-stubs type **settings as dicts; backend="egl" is the documented use.
        ctx = moderngl.create_standalone_context(
            backend="egl", require=330)  # type: ignore[arg-type]
    except Exception as exc:  # no EGL / no GL 3.3: one clear line, exit 2
        print(f"bench_render: cannot create a standalone EGL GL 3.3 context: {exc}",
              file=sys.stderr)
        return 2

    from engine.data import EntityStore
    from engine.horde import Renderer
    from engine.render import GraphicsContext

    w, h = args.size
    gfx = GraphicsContext(ctx)
    fbo = gfx.offscreen_target((w, h))
    renderer = Renderer(gfx, target=fbo, viewport=(w, h), sprite_scale=args.sprite_scale,
                        clear_color=(0.0, 0.0, 0.0, 1.0), reload_every=0)
    sizes = {t.name: tuple(v * args.sprite_scale for v in renderer.atlas.sheet(t.sheet).frame_size)
             for t in renderer.tiers}
    print(f"GL: {ctx.info['GL_RENDERER']} | {ctx.info['GL_VERSION']} | numpy {np.__version__}")
    print(f"framebuffer {w}x{h}; sprite world sizes {sizes} at zoom 1 (1 world unit = 1 px); "
          f"instance stride 40 B, per-frame upload 12 B/instance (pos + frame)")
    print(f"{args.warmup_frames} warm-up + {args.frames} measured frames per N; medians in ms "
          f"(p95 for cpu)")
    print(f"{'N':>8} {'pack':>7} {'upload':>7} {'submit':>7} {'pack+up':>8} {'cpu':>7} "
          f"{'cpu p95':>8} {'+finish':>8} {'draws':>5} {'MB/frame':>8}")
    rng = np.random.default_rng(args.seed)
    last_pack_upload = 0.0
    for n in args.sizes:
        store = EntityStore("enemies", n, {"pos": ((2,), np.float32),
                                           "prev_pos": ((2,), np.float32),
                                           "tier": ((), np.uint8),
                                           "anim_frame": ((), np.float32)})
        start, got = store.spawn_batch(n)
        cols = store.columns
        x0, y0, x1, y1 = renderer.camera.visible_rect
        cols["pos"][:n, 0] = rng.uniform(x0, x1, n)
        cols["pos"][:n, 1] = rng.uniform(y0, y1, n)
        cols["prev_pos"][:n] = cols["pos"][:n] - rng.uniform(-2, 2, (n, 2)).astype(np.float32)
        cols["tier"][:n] = rng.integers(0, 3, n)
        cols["anim_frame"][:n] = rng.integers(0, 8, n)
        renderer.set_enemy_source(store)
        pack, upload, submit, cpu, total = [], [], [], [], []
        rs = renderer.stats
        for i in range(args.warmup_frames + args.frames):
            alpha = (i % 10) / 10.0
            t0 = time.perf_counter_ns()
            renderer.render(alpha)
            t1 = time.perf_counter_ns()
            ctx.finish()
            t2 = time.perf_counter_ns()
            if i >= args.warmup_frames:
                pack.append(rs.pack_ns)
                upload.append(rs.upload_ns)
                submit.append(rs.submit_ns)
                cpu.append(t1 - t0)
                total.append(t2 - t0)
        pu = [a + b for a, b in zip(pack, upload)]
        last_pack_upload = statistics.median(pu) / 1e6
        print(f"{n:>8} {ms(pack)} {ms(upload)} {ms(submit)} {ms(pu):>8} {ms(cpu)} "
              f"{p95(cpu):8.3f} {ms(total):>8} {rs.draw_calls:>5} "
              f"{rs.upload_bytes / 1e6:8.3f}")
    if "llvmpipe" in ctx.info["GL_RENDERER"]:
        print("note: llvmpipe runs the vertex stage inside glDraw*: 'submit' above includes it "
              "(software GL), the Python-side submission is ~the N=500 figure")
    verdict = "within" if last_pack_upload < args.target_ms else "OVER"
    print(f"N={args.sizes[-1]}: pack + upload {last_pack_upload:.3f} ms per frame, {verdict} "
          f"the {args.target_ms} ms target")
    renderer.release()
    gfx.release()
    ctx.release()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
