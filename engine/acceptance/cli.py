"""The acceptance run's command line: ``main(argv) -> exit code``, and ``run_acceptance`` for a
game of your own.

``demos/stress_500.py`` is ``raise SystemExit(main())``. To hold your own game to the same
ramp / settle / hold, criteria and report, hand the run a world factory and your systems::

    from engine.acceptance.cli import parse_args, run_acceptance

    def my_world(config, seed):          # config: the run's tuned WorldConfig
        config.enemy_speed_scale = 1.2   # your changes
        return MyWorld(config, seed=seed)  # a World (or subclass) of the horde kit

    options = parse_args(["--enemies", "800", "--headless", "--report", "reports/mine.json"])
    code = run_acceptance(options, world_factory=my_world,
                          extra_systems=[("my_auras", auras.step)])

The help text (``HELP``) is the run's documentation.
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from engine.core.options import (
    OptionError,
    OptionParser,
    add_benchmark,
    add_frames,
    add_headless,
    add_seed,
    add_size,
    check_memory,
    check_writable,
    layout_bytes,
)

from .session import FRAME_BUDGET_MS, AcceptanceRun, SystemEntry, WorldFactory

__all__ = ["HELP", "PROG", "build_parser", "parse_args", "default_report_path", "main",
           "run_acceptance", "execute"]

PROG = "stress_500.py"
HELP = """Stress 500: the engine's acceptance run.

Ramps a horde to the target, holds it for the whole duration and ends with a pass/fail table:

  enemies sustained >= target in every tick of the hold,
  memory (RSS) growth after warm-up < 50 MB,
  engine CPU frame time p50 and p99 < 16 ms,
  no GC spike and no GC collection during the hold, no GC-tracked object retained by it,
  net allocated blocks growth over the hold <= 2, raw (the engine keeps its counters in int64
  cells, so a counter passing 256 costs nothing; a plain int attribute of the world that still
  does is named in an INFO row), gen0 count growth 0 (engine/acceptance/criteria.py says why),
  >= 95 % slot reuse in every pool that churns, no ring overflow, no refused spawn,
  and the full simulated duration reached.

The CPU frame time is the engine's own work: fixed steps + pack/upload/submit + dashboard +
profiler, without waiting for the rasteriser. Each frame then waits for it (ctx.finish()) and
the full frame time is recorded beside it, reported as INFO: on a machine without a GPU, Mesa
llvmpipe rasterises on the same CPU cores, and the table says so. Vsync is off.

The horde: three enemy tiers from the first second, an immortal autopilot player (drawn as a
knight, with a faint ring at each melee swing) with melee and an auto-aimed weapon, two bosses
(demos/scenes/brute.toml, spitter.toml) entering during the ramp, hit and death particles.

Phases: a full GC collection + freeze after the first frame (loading), ramp (at least --warmup
seconds, until the target is live and no pool has reached a new high-water mark for 3 s), a
young GC collection + freeze, 1 s of settling, then the hold (--duration seconds of simulated
time, measured, with the profiler's combat flag on). The run never ends early on its own: a
closed window (or one destroyed from outside), Escape, Ctrl-C, SIGTERM or SIGHUP still writes
the report, marked partial, and the exit code is 1. SIGINT works even where a shell script
started the run in the background (which ignores SIGINT); a signal while the report is being
written is noted and the report finished.

The report records the engine version, the checkout's commit (when run from one) and the
command line. Bad input is refused with one line and exit code 2 before anything is allocated:
a capacity beyond half of this machine's memory, a --size beyond 16384 per side or the GL
context's limits, a --report that cannot be written, a malformed boss scene.

Outputs beside --report: the JSON report (written atomically), PNG plots (frame time, memory,
enemies by tier, GC, pools) and a final screenshot. Compare a report with a baseline with
tools/compare_baseline.py; draw the plots again with tools/plot_report.py.

Exit codes: 0 every criterion passed (--ramp: no level up to --enemies failed; --max: the
largest N in budget is >= --enemies); 1 a criterion failed, or the run was partial or broke;
2 bad command-line input.
"""


def build_parser() -> argparse.ArgumentParser:
    """The command line; its help is the documentation of the run."""
    parser = OptionParser(
        prog=PROG,
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n"
               "  python demos/stress_500.py                      # the acceptance run\n"
               "  python demos/stress_500.py --benchmark --headless --duration 10\n"
               "  python demos/stress_500.py --ramp --headless     # first N that fails\n"
               "  python demos/stress_500.py --max --headless      # largest N in budget\n",
    )
    parser.add_argument("--enemies", type=int, default=500, metavar="N",
                        help="enemies to sustain during the hold (default: %(default)s)")
    parser.add_argument("--duration", type=float, default=60.0, metavar="S",
                        help="seconds of simulated time the hold lasts (default: %(default)s)")
    parser.add_argument("--warmup", type=float, default=5.0, metavar="S",
                        help="least simulated seconds of ramp before the hold; the ramp ends "
                             "once this has passed, the target is live and the pools' "
                             "high-water marks have been stable for 3 s (default: %(default)s)")
    parser.add_argument("--ramp-timeout", type=float, default=60.0, metavar="S",
                        help="simulated seconds the ramp waits beyond --warmup for the target "
                             "and stable pools before the hold starts anyway (default: "
                             "%(default)s)")
    add_seed(parser, default=1)
    add_headless(parser)
    add_benchmark(parser)
    parser.add_argument("--report", type=Path, default=None, metavar="PATH",
                        help="JSON report path; plots (<stem>_*.png) and the screenshot "
                             "(<stem>_screenshot.png) go beside it (default: "
                             "reports/stress_500.json for the default run, else a name built "
                             "from the options that change the run, e.g. "
                             "reports/stress_500_n2000_benchmark.json)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--ramp", action="store_true",
                      help="raise the target by --step every --window seconds and report the "
                           "first N at which any criterion fails (default: off, one hold)")
    mode.add_argument("--max", action="store_true",
                      help="find the largest N whose CPU frame time p50 and p99 stay under "
                           "16 ms (doubling, then bisection to --step) (default: off)")
    parser.add_argument("--step", type=int, default=1000, metavar="N",
                        help="--ramp/--max: enemies added per level, and the resolution of "
                             "--max (default: %(default)s)")
    parser.add_argument("--window", type=float, default=2.0, metavar="S",
                        help="--ramp/--max: simulated seconds measured at each level "
                             "(default: %(default)s)")
    parser.add_argument("--limit", type=int, default=20000, metavar="N",
                        help="--ramp/--max: the largest N tried (default: %(default)s)")
    add_frames(parser, when_none="until the run ends",
               what="stop after N frames, finished or not (a shorter run is reported as "
                    "partial)")
    parser.add_argument("--no-dashboard", action="store_true",
                        help="run without the ImGui dashboard (its UI build is otherwise part "
                             "of the CPU frame time) (default: off)")
    add_size(parser, what="framebuffer size")
    parser.add_argument("--quiet", action="store_true",
                        help="print only the final table (default: off)")
    parser.add_argument("--trace-allocations", action="store_true",
                        help="allocation tracing (tracemalloc) from the start: per-tick "
                             "temporaries are judged, traced growth is watched, the report "
                             "lists the top allocation sites (slower: ~1.1-1.4x a tick) "
                             "(default: off)")
    parser.add_argument("--trace", type=Path, default=None, metavar="PATH",
                        help="write a Chrome/Perfetto JSON trace of the hold (frames, "
                             "systems, GC, flags) to PATH, a .json file (default: none)")
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and validate; bad input exits with one line on stderr and code 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.enemies <= 0:
        parser.error(f"--enemies must be a positive integer, got {args.enemies}")
    for name in ("duration", "window"):
        value = getattr(args, name)
        if not math.isfinite(value) or value <= 0:
            parser.error(f"--{name} must be a positive number of seconds, got {value}")
    for name in ("warmup", "ramp_timeout"):
        value = getattr(args, name)
        if not math.isfinite(value) or value < 0:
            parser.error(f"--{name.replace('_', '-')} must be >= 0 seconds, got {value}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    if args.step <= 0:
        parser.error(f"--step must be a positive integer, got {args.step}")
    if args.limit < args.step:
        parser.error(f"--limit must be >= --step ({args.step}), got {args.limit}")
    if args.frames is not None and args.frames <= 0:
        parser.error(f"--frames must be a positive integer, got {args.frames}")
    args.width, args.height = args.size
    args.mode = "ramp" if args.ramp else "max" if args.max else "hold"
    if args.report is None:
        args.report = default_report_path(args, parser)
    if args.report.suffix != ".json":
        parser.error(f"--report must name a .json file, got {str(args.report)!r}")
    if args.trace is not None and args.trace.suffix != ".json":
        parser.error(f"--trace must name a .json file, got {str(args.trace)!r}")
    for option, path in (("--report", args.report), ("--trace", args.trace)):
        why = check_writable(path) if path is not None else None
        if why is not None:
            parser.error(f"{option}: {why}")
    most = args.enemies if args.mode == "hold" else args.limit
    why = check_memory(2 * most * ENEMY_ROW_BYTES, f"--enemies/--limit {most}")
    if why is None:
        why = check_memory(args.width * args.height * FRAME_BYTES_PER_PIXEL,
                           f"--size {args.width}x{args.height}")
    if why is not None:
        parser.error(why)
    return args


def _enemy_row_bytes() -> int:
    from engine.combat.state import ENEMY_COLUMNS

    # The store's columns, its handle / free-list arrays, the spatial hash's per-row arrays
    # and the renderer's staging + instance buffer: what one enemy row costs, at least.
    return layout_bytes(ENEMY_COLUMNS) + 16 + 24 + 64


ENEMY_ROW_BYTES = _enemy_row_bytes()
"""Bytes one enemy row takes across the store, grid and renderer (the run holds 2 x N)."""
FRAME_BYTES_PER_PIXEL = 16
"""The target (RGBA8 + depth) and a screenshot's read-back copy, per pixel."""


def default_report_path(args: argparse.Namespace,
                        parser: argparse.ArgumentParser | None = None) -> Path:
    """``reports/stress_500.json`` for the default run, else the stem grows by one short tag
    per option that changes the run (``--enemies 2000 --benchmark`` ->
    ``reports/stress_500_n2000_benchmark.json``), so runs of different shapes keep their own
    reports."""
    parser = parser or build_parser()
    tags: list[str] = []
    if args.mode != "hold":
        tags.append(args.mode)
    for dest, tag in _REPORT_TAGS:
        if dest in ("step", "window", "limit") and args.mode == "hold":
            continue
        value = getattr(args, dest)
        if value == parser.get_default(dest) or dest == "size" and value == (1280, 720):
            continue
        if dest == "size":
            tags.append(f"{value[0]}x{value[1]}")
        elif isinstance(value, bool):
            tags.append(tag)
        else:
            tags.append(f"{tag}{value:g}" if isinstance(value, float) else f"{tag}{value}")
    return Path("reports") / ("_".join(["stress_500", *tags]) + ".json")


_REPORT_TAGS = (("enemies", "n"), ("duration", "d"), ("warmup", "w"), ("ramp_timeout", "rt"),
                ("seed", "seed"), ("step", "step"), ("window", "win"), ("limit", "lim"),
                ("frames", "f"), ("size", ""), ("benchmark", "benchmark"),
                ("no_dashboard", "nodash"))
"""(option dest, tag) of the options that change what a run measures, in name order."""


def run_acceptance(options: argparse.Namespace, *, world_factory: WorldFactory | None = None,
                   extra_systems: Sequence[SystemEntry] = ()) -> int:
    """Run the acceptance run with ``options`` (``parse_args``) on your world and systems; the
    report, plots and screenshot go where ``options.report`` says. Returns the exit code (0
    passed, 1 failed or partial).

    Args:
        world_factory: ``(config, seed) -> World``; default ``World(config, seed=seed)``.
        extra_systems: ``(name, system)`` pairs added to the scheduler after the world's.
    """
    return execute(AcceptanceRun(options, world_factory=world_factory,
                                 extra_systems=extra_systems))


def execute(run: AcceptanceRun) -> int:
    """Build and run ``run``, write its outputs, print the table; returns the exit code.

    SIGTERM and SIGHUP end the run like Ctrl-C (a partial report, exit code 1); a signal
    while the report is written is noted and the report finished (``engine.core.signals``).
    """
    from engine.core.signals import last_stop_signal, shutting_down, stop_signals

    with stop_signals():
        app_reason = _run(run)
        if app_reason == "bad_input":
            return 2
        with shutting_down():
            stop = last_stop_signal()
            if stop is not None and app_reason == "interrupt":
                run.stop_signal = stop
            return _finish(run, app_reason)


def _run(run: AcceptanceRun) -> str:
    args = run.args
    try:
        run.build()
        n = args.enemies if args.mode == "hold" else args.step
        span = (f"hold {args.duration:g} s" if args.mode == "hold"
                else f"windows of {args.window:g} s")
        clock = "benchmark (fixed 1/60 s frames)" if args.benchmark else "real time"
        run.say(f"{args.mode} run: {n} enemies, {span} simulated, warm-up >= "
                f"{args.warmup:g} s, seed {args.seed}, {clock}, "
                f"{'headless' if run.app.headless else 'window'}, GL: {run.gl_renderer}")
        if run.app.headless:
            return run.app.run(max_frames=args.frames)
        from engine.core.x11 import watch_x_errors

        # A window destroyed from outside ends the run like its close button, with a report.
        with watch_x_errors(lambda text: _window_lost(run, text)):
            return run.app.run(max_frames=args.frames)
    except KeyboardInterrupt:  # a stop while building: nothing ran, still say so
        _close_quietly(run)
        return "interrupt"
    except BAD_INPUT as exc:  # a size the context refuses, a malformed scene: no run at all
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        _close_quietly(run)
        return "bad_input"
    except Exception as exc:
        run.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
        _close_quietly(run)
        return "error"


def _window_lost(run: AcceptanceRun, text: str) -> None:
    """Called from inside Xlib: record the first error and ask for the close, nothing more."""
    if not run.window_lost:
        run.window_lost = True
        run.error = f"the window was lost: {text}"
        run.app.request_close("window_closed")


def _bad_input() -> tuple[type[Exception], ...]:
    from engine.combat import ConfigError, SceneError
    from engine.combat.tiers import TierError
    from engine.render.sheets import SheetError

    return (OptionError, SceneError, ConfigError, TierError, SheetError)


BAD_INPUT = _bad_input()
"""What building the run raises for input it cannot use: one line, exit code 2, no report."""


def _close_quietly(run: AcceptanceRun) -> None:
    app = getattr(run, "app", None)
    if app is not None and not app.closed:
        try:
            app.close()
        except Exception:
            traceback.print_exc()


def _finish(run: AcceptanceRun, app_reason: str) -> int:
    from .outputs import exit_code, print_summary, write_outputs

    _recalibrate(run)
    gc.collect()
    try:
        report, files = write_outputs(run, app_reason)
    except Exception as exc:
        kept = " (the previous report there is intact)" if run.args.report.exists() else ""
        print(f"{PROG}: error: the report {str(run.args.report)!r} could not be written: "
              f"{type(exc).__name__}: {exc}{kept}", file=sys.stderr)
        return 1
    print_summary(report, run.args, files, FRAME_BUDGET_MS)
    return exit_code(report, run.args)


def _recalibrate(run: AcceptanceRun) -> None:
    """Time the calibration workload again after the run: a load that changed during the run
    moves both halves."""
    if not hasattr(run, "calibration"):
        return
    from .calibration import CalibrationResult, measure_calibration

    end = measure_calibration()
    cal_ns = getattr(run, "cal_ns", None)
    during = [int(v) for v in cal_ns[:int(run.cal_n[0])]] if cal_ns is not None else []
    run.calibration = CalibrationResult(run.calibration.repeats_ns + during + end.repeats_ns)


def main(argv: list[str] | None = None) -> int:
    """The stress run from the command line (``sys.argv[1:]`` when None); returns the exit
    code: 0 passed, 1 failed or partial, 2 bad input (raised as ``SystemExit(2)`` by the
    parser)."""
    return run_acceptance(parse_args(argv))
