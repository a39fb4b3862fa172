"""What an acceptance run leaves behind: a level's measurements, the series, the report, the plots,
the printed table and the exit code.

Each function reads an ``engine.acceptance.session.AcceptanceRun`` (typed loosely here: the
session imports this module, not the other way round). The report's shape is
``engine.acceptance.report.build_report``'s; the plots are ``engine.acceptance.plots``'.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from .recorder import (
    C_BLOCKS,
    C_CPU,
    C_FULL,
    C_LEVEL,
    C_LIVE,
    C_PHASE,
    C_RSS,
    C_SIM,
    C_STEP,
    C_WALL,
    N_FIXED,
)
from .run import HOLD, PHASES, SETTLE_S, Level

__all__ = ["measurements", "criteria_for", "series", "write_outputs", "print_summary",
           "exit_code", "provenance", "checkout_commit", "FRAME_TIME_CRITERION"]

FRAME_TIME_CRITERION = (
    "engine CPU frame time (the profiler meter's work time: fixed steps + render hooks + "
    "overlay + frame-end hooks), without waiting for the rasteriser; frame_full_* adds "
    "ctx.finish() (llvmpipe raster on this machine's CPUs)")


def provenance() -> dict[str, Any]:
    """What ran: ``engine_version``, ``commit`` (short hash of the checkout the engine was
    imported from, ``None`` for an installed engine or without git) and ``command_line``
    (``sys.argv``)."""
    import engine

    return {"engine_version": engine.__version__, "commit": checkout_commit(),
            "command_line": list(sys.argv)}


def checkout_commit() -> str | None:
    """The short commit of the checkout ``engine`` was imported from, or None when it is not
    a git checkout (an installed wheel: its site-packages may sit inside some other
    repository, which must not be named)."""
    import engine

    root = Path(engine.__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    head = out.stdout.strip()
    return head if out.returncode == 0 and head else None


def _pct(a: np.ndarray, q: float) -> float | None:
    return float(np.percentile(a, q)) if len(a) else None


def measurements(run: Any, level: Level, crossings: int) -> dict[str, Any]:
    """The measured values of a closed window (the keys the criteria judge, and more)."""
    start, end = level.hold_start, level.hold_end
    assert start is not None and end is not None
    rows = run.recorder.rows()
    rows = rows[(rows[:, C_LEVEL] == level.index) & (rows[:, C_PHASE] == HOLD)]
    cpu = rows[:, C_CPU]
    full = rows[:, C_FULL]
    step = rows[:, C_STEP]
    pools: dict[str, dict[str, Any]] = {}
    for k, stats in enumerate(run.pools):
        name = str(stats.name)
        acq0, reu0, ref0, gro0 = (int(v) for v in start.pool(k))
        acq1, reu1, ref1, gro1 = (int(v) for v in end.pool(k))
        pools[name] = {"acquires_hold": acq1 - acq0, "reuses_hold": reu1 - reu0,
                       "refusals_hold": ref1 - ref0, "growths_hold": gro1 - gro0,
                       "refusals": ref1, "growths": gro1,
                       "capacity": int(stats.capacity), "high_water": int(stats.high_water)}
    sched = run.app.scheduler
    marks = run.marks
    blocks = int(marks[3] - marks[0])
    census = run.census
    return {
        "enemies_target": level.target,
        "enemies_min_hold": int(census[0]),
        "enemies_max_hold": int(census[1]),
        "enemies_min_frame_end": int(census[2]),
        "memory_growth_mb": (end.rss - start.rss) / 1e6,
        "rss_start_mb": start.rss / 1e6,
        "rss_end_mb": end.rss / 1e6,
        "frame_cpu_p50_ms": _pct(cpu, 50),
        "frame_cpu_p99_ms": _pct(cpu, 99),
        "frame_cpu_max_ms": float(cpu.max()) if len(cpu) else None,
        "frame_cpu_mean_ms": float(cpu.mean()) if len(cpu) else None,
        # Medians of the two populations (with 30 Hz steps at 60 frames a second, half the
        # frames run a step): the baseline compares these, not the p50 between them.
        "tick_p50_ms": _pct(step[step > 0], 50),
        "render_cpu_p50_ms": _pct(cpu - step, 50),
        "frame_full_p50_ms": _pct(full, 50),
        "frame_full_p99_ms": _pct(full, 99),
        "frame_full_max_ms": float(full.max()) if len(full) else None,
        "frames_hold": end.frame - start.frame,
        "frames_sampled_hold": len(rows),
        "gc_spikes": level.gc_spikes,
        "in_combat_hold": int(level.in_combat),  # 1: the combat flag was on
        "gc_collections_hold": level.gc_collections,
        "gc_gen0_hold": level.gc_by_gen[0],
        "gc_gen1_hold": level.gc_by_gen[1],
        "gc_gen2_hold": level.gc_by_gen[2],
        "blocks_growth_hold": blocks,
        "small_int_crossings_hold": crossings,
        # Information only (the baseline compares it): the raw count is judged.
        "blocks_growth_beyond_counters_hold": blocks - crossings,
        "gen0_growth_hold": level.gen0_growth,
        "tracked_growth_hold": int(marks[5] - marks[2]),
        "pools": pools,
        "ring_overflows": end.ring_overflows,
        "spawn_refusals": end.refusals,
        "nonfinite_quarantined": int(run.world.stats.nonfinite_quarantined),
        "damage_refused": int(run.world.stats.damage_refused),
        "hold_sim_s": (end.sim_ns - start.sim_ns) * 1e-9,
        "hold_wall_s": (end.wall_ns - start.wall_ns) * 1e-9,
        "duration_s": level.window_s,
        "clamp_count": int(sched.clamp_count),
        "step_cap_count": int(sched.step_cap_count),
        "kills_total": int(np.sum(run.world.stats.kills_by_tier)),
    }


def criteria_for(mode: str, pool_names: list[str], crossed: list[str],
                 frame_budget_ms: float) -> list[Any]:
    """What a window is judged by: the default criteria (hold); per --ramp level the same with
    memory growth judged in the window; --max: the CPU frame time p50 and p99 only."""
    from engine.acceptance.criteria import AtMost, Below, default_criteria

    if mode == "max":
        return [
            Below("frame time p50 (engine CPU)", "frame_cpu_p50_ms", frame_budget_ms, "ms"),
            Below("frame time p99 (engine CPU)", "frame_cpu_p99_ms", frame_budget_ms, "ms"),
        ]
    crit: list[Any] = default_criteria(pool_names, required_pools=("enemies",),
                                       counters_past_256=crossed)
    if mode == "ramp":
        # Per level: the window is short and follows a ramp; memory growth is judged against
        # the whole-run limit by the hold run, not per level.
        crit = [c for c in crit if getattr(c, "key", "") != "memory_growth_mb"]
        crit.append(AtMost("memory growth in window", "memory_growth_mb", 50.0, "MB"))
    return crit


def series(run: Any) -> dict[str, Any]:
    """The recorded per-frame series, GC events and phase marks, as the report keeps them."""
    from engine.profiler import GC_GENERATIONS

    rows = run.recorder.rows()
    ser: dict[str, Any] = {
        "t_s": rows[:, C_SIM],
        "frame_cpu_ms": rows[:, C_CPU],
        "frame_full_ms": rows[:, C_FULL],
        "rss_mb": rows[:, C_RSS],
        "blocks_growth": rows[:, C_BLOCKS],
        "enemies_live": rows[:, C_LIVE],
        "step_ms": rows[:, C_STEP],
        "enemies_by_tier": {name: rows[:, N_FIXED + k]
                            for k, name in enumerate(run.tier_names)},
        "pool_utilisation": {name: rows[:, N_FIXED + run.recorder.n_tiers + k]
                             for k, name in enumerate(run.pool_names)},
    }
    wall = rows[:, C_WALL]
    events = []
    log = run.profiler.meter.gc_log
    for ev in log.recent(len(log)):
        j = int(np.searchsorted(wall, ev["t_ns"])) if len(wall) else 0
        t = float(rows[min(j, len(rows) - 1), C_SIM]) if len(rows) else 0.0
        events.append({"t_s": t, "gen": GC_GENERATIONS.index(str(ev["kind"])),
                       "pause_ms": ev["value"], "explicit": ev["flag"]})
    ser["gc_events"] = events
    phases: dict[str, float | None] = {"warmup_end_s": None, "hold_end_s": None}
    if run.levels and run.levels[0].hold_start is not None:
        phases["warmup_end_s"] = run.levels[0].hold_start.sim_ns * 1e-9
    last = run.levels[-1] if run.levels else None
    if last is not None and last.hold_end is not None:
        phases["hold_end_s"] = last.hold_end.sim_ns * 1e-9
    ser["phases"] = phases
    return ser


def _chosen_level(mode: str, levels: list[Level]) -> Level | None:
    """The level the report judges: the hold; the first failing ramp level (else the last
    measured); the largest --max level in budget (else the first)."""
    if mode == "hold":
        return levels[0] if levels else None
    if mode == "ramp":
        failing = [lv for lv in levels if lv.results and not lv.passed]
        return failing[0] if failing else next((lv for lv in reversed(levels) if lv.results),
                                               None)
    good = [lv for lv in levels if lv.results and lv.passed]
    return max(good, key=lambda lv: lv.target) if good else (levels[0] if levels else None)


def _search_extra(mode: str, levels: list[Level]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "levels": [{"target": lv.target, "passed": lv.passed,
                    "failed": [r.name for r in lv.results if r.verdict == "FAIL"],
                    "measurements": {k: v for k, v in lv.measurements.items() if k != "pools"}}
                   for lv in levels if lv.results],
    }
    if mode == "ramp":
        failing = [lv for lv in levels if lv.results and not lv.passed]
        out["first_failing_n"] = failing[0].target if failing else None
        out["first_failing_criteria"] = (
            [r.name for r in failing[0].results if r.verdict == "FAIL"] if failing else [])
    else:
        good = [lv.target for lv in levels if lv.results and lv.passed]
        out["largest_n_in_budget"] = max(good) if good else None
        bad = [lv.target for lv in levels if lv.results and not lv.passed]
        out["smallest_n_over_budget"] = min(bad) if bad else None
    return out


def write_outputs(run: Any, app_reason: str | None) -> tuple[dict[str, Any], list[Path]]:
    """The report (atomic JSON) and the plots; returns the report and the files written."""
    from engine.acceptance.criteria import default_criteria, evaluate
    from engine.acceptance.plots import write_plots
    from engine.acceptance.report import build_report, machine_info, summarise_series, write_report

    args = run.args
    recorder = getattr(run, "recorder", None)
    levels = run.levels
    chosen = _chosen_level(args.mode, levels)
    if chosen is not None and chosen.results:
        meas = dict(chosen.measurements)
        results = chosen.results
    else:
        meas = {"enemies_target": chosen.target if chosen else args.enemies,
                "duration_s": args.duration, "hold_sim_s": 0.0, "pools": {}}
        results = evaluate(default_criteria(getattr(run, "pool_names", ())), meas)
    app = getattr(run, "app", None)
    config = {"enemies": args.enemies, "duration_s": args.duration, "warmup_s": args.warmup,
              "ramp_timeout_s": args.ramp_timeout, "seed": args.seed,
              "benchmark": args.benchmark, "headless": bool(app.headless if app else True),
              "mode": args.mode, "dashboard": not args.no_dashboard,
              "size": [args.width, args.height], "step_hz": run.step_hz,
              "settle_s": SETTLE_S, "max_frames": args.frames}
    if args.mode != "hold":
        config.update({"step": args.step, "window_s": args.window, "limit": args.limit})
    calibration = getattr(run, "calibration", None)
    extra: dict[str, Any] = {
        "frame_time_criterion": FRAME_TIME_CRITERION,
        "calibration": calibration.as_dict() if calibration is not None else None,
        "files": {},
    }
    if run.error:
        extra["error"] = run.error
    if chosen is not None and chosen.results:
        extra["counters_past_256_in_hold"] = list(chosen.crossed)
    if args.mode != "hold":
        extra[args.mode] = _search_extra(args.mode, levels)
    summary = getattr(run, "summary_at_close", None)
    if summary is not None:
        extra["profiler"] = {k: summary.get(k) for k in ("gc", "scheduler", "gc_policy",
                                                          "budgets", "leaks", "alloc")}
    ser = series(run) if recorder is not None else None
    series_summary = None
    if ser is not None and recorder is not None:
        series_summary = {k: summarise_series(ser[k])
                          for k in ("frame_cpu_ms", "frame_full_ms", "rss_mb", "enemies_live")}
        extra["series_stride"] = recorder.stride
    report = build_report(
        config=config,
        run={"partial": not run.finished,
             "exit_reason": "completed" if run.finished else (app_reason or "error"),
             "frames": int(app.frame) if app is not None else 0,
             "sim_time_s": app.scheduler.sim_time_ns * 1e-9 if app is not None else 0.0,
             "wall_time_s": (time.perf_counter_ns() - run.started_wall) * 1e-9,
             "phase": run.ended_in or PHASES[run.phase],
             "stop_signal": run.stop_signal, **provenance()},
        measurements=meas, results=results,
        machine=machine_info(getattr(run, "gl_renderer", None), getattr(run, "gl_version", None)),
        calibration_ns=calibration.median_ns if calibration is not None else None,
        series=ser, series_summary=series_summary, extra=extra)
    files: list[Path] = []
    stem = args.report.stem
    if ser is not None:
        try:
            files += write_plots(report, args.report.parent, stem)
        except Exception as exc:  # plots must not lose the report
            run.say(f"plots failed: {type(exc).__name__}: {exc}")
    if run.screenshot_path is not None:
        files.append(run.screenshot_path)
    report["extra"]["files"] = {p.stem.replace(stem + "_", ""): p.name for p in files}
    write_report(args.report, report)
    return report, files


def print_summary(report: dict[str, Any], args: Any, files: list[Path],
                  frame_budget_ms: float) -> None:
    """The final table, the search's answer, the verdict and the files, on stdout."""
    from engine.acceptance.criteria import format_table
    from engine.acceptance.report import criteria_results

    print()
    print(format_table(criteria_results(report)))
    print()
    if args.mode == "ramp":
        r = report["extra"]["ramp"]
        print(f"ramp: first N where a criterion fails: {r['first_failing_n']} "
              f"({', '.join(r['first_failing_criteria']) or 'none up to --limit'})")
    elif args.mode == "max":
        m = report["extra"]["max"]
        print(f"max: largest N within the {frame_budget_ms:g} ms CPU frame budget: "
              f"{m['largest_n_in_budget']} (smallest over budget: "
              f"{m['smallest_n_over_budget']})")
    if report["run"]["partial"]:
        print(f"PARTIAL RUN ({report['run']['exit_reason']}, phase {report['run']['phase']}, "
              f"{report['run']['sim_time_s']:.1f} s simulated): the report is marked partial")
    print(f"verdict: {report['verdict']}")
    print(f"report: {args.report}")
    for p in files:
        print(f"  {p}")


def exit_code(report: dict[str, Any], args: Any) -> int:
    """0: passed (--ramp: no level up to --enemies failed; --max: the largest N in budget is
    >= --enemies); 1: a criterion failed, or the run was partial."""
    if args.mode == "hold":
        return 0 if report["verdict"] == "PASS" else 1
    if report["run"]["partial"]:
        return 1
    if args.mode == "ramp":
        found = report["extra"]["ramp"]["first_failing_n"]
        return 0 if found is None or found > args.enemies else 1
    found = report["extra"]["max"]["largest_n_in_budget"]
    return 0 if found is not None and found >= args.enemies else 1
