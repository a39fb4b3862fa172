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
from typing import Any

from .session import FRAME_BUDGET_MS, AcceptanceRun, SystemEntry, WorldFactory

__all__ = ["HELP", "PROG", "build_parser", "parse_args", "main", "run_acceptance", "execute"]

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
closed window, Escape or Ctrl-C still writes the report, marked partial, and the exit code is 1.

Outputs beside --report: the JSON report (written atomically), PNG plots (frame time, memory,
enemies by tier, GC, pools) and a final screenshot. Compare a report with a baseline with
tools/compare_baseline.py; draw the plots again with tools/plot_report.py.

Exit codes: 0 every criterion passed (--ramp: no level up to --enemies failed; --max: the
largest N in budget is >= --enemies); 1 a criterion failed, or the run was partial or broke;
2 bad command-line input.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one clear line, exit 2 (no usage dump)
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The command line; its help is the documentation of the run."""
    parser = _Parser(
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
    parser.add_argument("--seed", type=int, default=1, metavar="N",
                        help="random seed of the world and the app (default: %(default)s)")
    parser.add_argument("--headless", action="store_true",
                        help="render offscreen (EGL) even when a display exists; without a "
                             "display the run is headless anyway")
    parser.add_argument("--benchmark", action="store_true",
                        help="fixed frame time (1/60 s per frame, whatever the wall clock) and "
                             "a seeded RNG: the same simulation on every machine")
    parser.add_argument("--report", type=Path, default=Path("reports/stress_500.json"),
                        metavar="PATH",
                        help="JSON report path; plots (<stem>_*.png) and the screenshot "
                             "(<stem>_screenshot.png) go beside it (default: %(default)s)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--ramp", action="store_true",
                      help="raise the target by --step every --window seconds and report the "
                           "first N at which any criterion fails")
    mode.add_argument("--max", action="store_true",
                      help="find the largest N whose CPU frame time p50 and p99 stay under "
                           "16 ms (doubling, then bisection to --step)")
    parser.add_argument("--step", type=int, default=1000, metavar="N",
                        help="--ramp/--max: enemies added per level, and the resolution of "
                             "--max (default: %(default)s)")
    parser.add_argument("--window", type=float, default=2.0, metavar="S",
                        help="--ramp/--max: simulated seconds measured at each level "
                             "(default: %(default)s)")
    parser.add_argument("--limit", type=int, default=20000, metavar="N",
                        help="--ramp/--max: the largest N tried (default: %(default)s)")
    parser.add_argument("--max-frames", type=int, default=None, metavar="N",
                        help="stop after N frames, finished or not (a shorter run is "
                             "reported as partial)")
    parser.add_argument("--no-dashboard", action="store_true",
                        help="run without the ImGui dashboard (its UI build is otherwise part "
                             "of the CPU frame time)")
    parser.add_argument("--size", default="1280x720", metavar="WxH",
                        help="framebuffer size (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="print only the final table")
    parser.add_argument("--trace-allocations", action="store_true",
                        help="allocation tracing (tracemalloc) from the start: per-tick "
                             "temporaries are judged, traced growth is watched, the report "
                             "lists the top allocation sites (slower: ~1.1-1.4x a tick)")
    parser.add_argument("--trace", type=Path, default=None, metavar="PATH",
                        help="write a Chrome/Perfetto JSON trace of the hold (frames, "
                             "systems, GC, flags) to PATH (.json)")
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
    if args.max_frames is not None and args.max_frames <= 0:
        parser.error(f"--max-frames must be a positive integer, got {args.max_frames}")
    from engine.core import AppConfig
    try:
        args.width, args.height = AppConfig.parse_size(args.size)
    except ValueError as exc:
        parser.error(f"--{exc}")
    if args.report.suffix != ".json":
        parser.error(f"--report must name a .json file, got {str(args.report)!r}")
    if args.trace is not None and args.trace.suffix != ".json":
        parser.error(f"--trace must name a .json file, got {str(args.trace)!r}")
    args.mode = "ramp" if args.ramp else "max" if args.max else "hold"
    return args


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
    """Build and run ``run``, write its outputs, print the table; returns the exit code."""
    from .outputs import exit_code, print_summary, write_outputs

    args = run.args
    app_reason: str | None = None
    try:
        run.build()
        n = args.enemies if args.mode == "hold" else args.step
        span = (f"hold {args.duration:g} s" if args.mode == "hold"
                else f"windows of {args.window:g} s")
        clock = "benchmark (fixed 1/60 s frames)" if args.benchmark else "real time"
        run.say(f"{args.mode} run: {n} enemies, {span} simulated, warm-up >= "
                f"{args.warmup:g} s, seed {args.seed}, {clock}, "
                f"{'headless' if run.app.headless else 'window'}, GL: {run.gl_renderer}")
        app_reason = run.app.run(max_frames=args.max_frames)
    except KeyboardInterrupt:  # Ctrl-C while building: nothing ran, still say so
        app_reason = "interrupt"
    except Exception as exc:
        app_reason = "error"
        run.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
        app = getattr(run, "app", None)
        if app is not None and not app.closed:
            try:
                app.close()
            except Exception:
                traceback.print_exc()
    _recalibrate(run)
    gc.collect()
    try:
        report, files = write_outputs(run, app_reason)
    except Exception as exc:
        print(f"{PROG}: error: the report could not be written: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        traceback.print_exc()
        return 1
    print_summary(report, args, files, FRAME_BUDGET_MS)
    return exit_code(report, args)


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
