"""The acceptance run's logic without GL: criteria, the JSON report, baselines, plots, and the
baseline tool's command line (real files, real subprocesses)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.acceptance import baseline as bl
from engine.acceptance.calibration import measure_calibration
from engine.acceptance.criteria import (
    FAIL,
    INFO,
    PASS,
    AtLeast,
    CriteriaError,
    Criterion,
    PoolReuse,
    default_criteria,
    evaluate,
    format_table,
    overall_passed,
)
from engine.acceptance.plots import PLOT_NAMES, write_plots
from engine.acceptance.report import (
    SCHEMA_VERSION,
    ReportError,
    build_report,
    load_report,
    machine_info,
    validate_report,
    write_report,
)

ROOT = Path(__file__).resolve().parent.parent
TOOL = "tools.compare_baseline"  # run as a module from ROOT
POOLS = ("enemies", "projectiles")


def good_measurements() -> dict:
    return {
        "enemies_target": 500, "enemies_min_hold": 500, "enemies_max_hold": 512,
        "memory_growth_mb": 1.5,
        "frame_cpu_p50_ms": 8.0, "frame_cpu_p99_ms": 12.5,
        "tick_p50_ms": 5.0, "render_cpu_p50_ms": 3.0,
        "frame_full_p50_ms": 21.0, "frame_full_p99_ms": 33.0,
        "gc_spikes": 0, "gc_collections_hold": 0,
        "blocks_growth_hold": -1, "small_int_crossings_hold": 0,
        "blocks_growth_beyond_counters_hold": -1, "gen0_growth_hold": 0, "tracked_growth_hold": 0,
        "pools": {"enemies": {"acquires_hold": 400, "reuses_hold": 400},
                  "projectiles": {"acquires_hold": 900, "reuses_hold": 899}},
        "ring_overflows": 0, "spawn_refusals": 0,
        "nonfinite_quarantined": 0, "damage_refused": 0,
        "hold_sim_s": 10.0, "duration_s": 10.0,
    }


CONFIG = {"enemies": 500, "duration_s": 10.0, "warmup_s": 3.0, "seed": 7, "benchmark": True,
          "mode": "hold", "headless": True}


def make_report(measurements: dict | None = None, *, partial: bool = False,
                calibration_ns: int | None = 800_000, series: bool = True) -> dict:
    meas = measurements if measurements is not None else good_measurements()
    results = evaluate(default_criteria(POOLS, required_pools=("enemies",)), meas)
    n = 5
    ser = {
        "t_s": [0.0, 1.0, 2.0, 3.0, 4.0],
        "frame_cpu_ms": [8.0, 9.0, 7.5, 8.2, None],
        "frame_full_ms": [20.0, 21.0, 22.0, 20.5, 19.0],
        "rss_mb": [100.0, 101.0, 101.0, 101.5, 101.5],
        "blocks_growth": [0, 0, 0, 0, 0],
        "enemies_by_tier": {"grunt": [10, 200, 400, 400, 400], "brute": [0, 50, 100, 100, 100]},
        "pool_utilisation": {"enemies": [0.01, 0.25, 0.5, 0.5, 0.5]},
        "gc_events": [{"t_s": 0.5, "gen": 0, "pause_ms": 0.2}],
        "phases": {"warmup_end_s": 2.0, "hold_end_s": None},
    } if series else None
    assert ser is None or len(ser["t_s"]) == n
    return build_report(
        config=CONFIG, measurements=meas, results=results, calibration_ns=calibration_ns,
        machine=machine_info("llvmpipe (test)", "4.5"),
        run={"partial": partial, "exit_reason": "interrupt" if partial else "completed",
             "frames": 780, "sim_time_s": 13.0, "wall_time_s": 20.0, "phase": "hold"},
        series=ser)


# ------------------------------------------------------------------------------ criteria

def test_good_measurements_pass_every_criterion():
    results = evaluate(default_criteria(POOLS, required_pools=("enemies",)), good_measurements())
    verdicts = {r.name: r.verdict for r in results}
    assert overall_passed(results)
    assert all(v in (PASS, INFO) for v in verdicts.values()), verdicts
    # The full frame time (with the rasteriser) is reported and never judged.
    assert verdicts["frame time p50 (full, incl. raster)"] == INFO
    assert verdicts["frame time p50 (engine CPU)"] == PASS


BAD_INPUTS = [
    ("enemies sustained (min over hold)", "enemies_min_hold", 499),
    ("memory growth after warm-up", "memory_growth_mb", 50.0),
    ("memory growth after warm-up", "memory_growth_mb", 153.0),
    ("frame time p50 (engine CPU)", "frame_cpu_p50_ms", 16.0),
    ("frame time p99 (engine CPU)", "frame_cpu_p99_ms", 40.0),
    ("GC spikes (hold)", "gc_spikes", 1),
    ("GC collections (hold)", "gc_collections_hold", 1),
    ("allocated blocks growth (hold)", "blocks_growth_hold", 3),
    ("allocated blocks growth (hold)", "blocks_growth_hold", 1800),
    ("tracked objects retained (hold)", "tracked_growth_hold", 1),
    ("gen0 count growth (hold)", "gen0_growth_hold", 1),
    ("ring overflows", "ring_overflows", 2),
    ("unexpected spawn refusals", "spawn_refusals", 1),
    ("non-finite rows quarantined", "nonfinite_quarantined", 20),
    ("damage events refused", "damage_refused", 1),
    ("full duration reached", "hold_sim_s", 1.44),
]


@pytest.mark.parametrize("name,key,bad", BAD_INPUTS, ids=[f"{k}={v}" for _, k, v in BAD_INPUTS])
def test_each_criterion_fails_on_its_bad_input(name, key, bad):
    meas = good_measurements()
    meas[key] = bad
    results = evaluate(default_criteria(POOLS), meas)
    failed = [r.name for r in results if r.verdict == FAIL]
    assert failed == [name]
    assert not overall_passed(results)


@pytest.mark.parametrize("name,key,_bad", BAD_INPUTS[::2])
def test_a_criterion_without_its_measurement_fails(name, key, _bad):
    meas = good_measurements()
    del meas[key]
    row = next(r for r in evaluate(default_criteria(POOLS), meas) if r.name == name)
    assert row.verdict == FAIL and row.measured is None
    assert "not measured" in row.note


def test_nan_and_none_are_not_measured():
    meas = good_measurements()
    meas["frame_cpu_p50_ms"] = float("nan")
    meas["gc_spikes"] = None
    fails = {r.name for r in evaluate(default_criteria(), meas) if r.verdict == FAIL}
    assert fails == {"frame time p50 (engine CPU)", "GC spikes (hold)"}


def test_pool_reuse_fails_below_95_percent_and_without_required_churn():
    meas = good_measurements()
    meas["pools"]["projectiles"] = {"acquires_hold": 100, "reuses_hold": 94}
    row = PoolReuse("projectiles").evaluate(meas)
    assert row.verdict == FAIL and row.measured == pytest.approx(0.94)
    meas["pools"]["projectiles"] = {"acquires_hold": 100, "reuses_hold": 95}
    assert PoolReuse("projectiles").evaluate(meas).verdict == PASS
    # No churn: INFO for an optional pool, FAIL for a required one.
    meas["pools"]["projectiles"] = {"acquires_hold": 0, "reuses_hold": 0}
    assert PoolReuse("projectiles").evaluate(meas).verdict == INFO
    assert PoolReuse("projectiles", require_churn=True).evaluate(meas).verdict == FAIL
    # A pool that was not measured at all fails.
    assert PoolReuse("bosses").evaluate(meas).verdict == FAIL


def test_limit_from_another_measurement_and_bad_declarations():
    crit = AtLeast("enemies", "enemies_min_hold", "enemies_target")
    assert crit.evaluate({"enemies_min_hold": 10, "enemies_target": 10}).verdict == PASS
    assert crit.evaluate({"enemies_min_hold": 10, "enemies_target": 11}).verdict == FAIL
    assert crit.evaluate({"enemies_min_hold": 10}).verdict == FAIL
    with pytest.raises(CriteriaError, match="op must be one of"):
        Criterion("x", "x", "~", 1)
    with pytest.raises(CriteriaError, match="min_ratio"):
        PoolReuse("p", 1.5)


def test_blocks_are_judged_raw_and_counters_past_256_are_named_not_subtracted():
    """The blocks row holds the raw growth: a plain-int counter passing 256 is one block of it,
    named in the INFO row, and no longer subtracted (the beyond-counters figure is not a
    row)."""
    meas = good_measurements()
    meas.update({"blocks_growth_hold": 3, "small_int_crossings_hold": 3,
                 "blocks_growth_beyond_counters_hold": 0})
    names = ["player.kills", "pool enemies.acquires", "stats.ticks"]
    rows = {r.name: r for r in evaluate(default_criteria(POOLS, counters_past_256=names),
                                        meas)}
    assert rows["allocated blocks growth (hold)"].verdict == FAIL
    info = rows["counters passing 256 (hold)"]
    assert info.verdict == INFO and info.measured == 3
    assert info.note.endswith(": player.kills, pool enemies.acquires, stats.ticks")
    assert not any("beyond" in name for name in rows)
    assert not any("beyond" in c.name for c in default_criteria(POOLS))
    # None passing 256: the note has no names.
    clean = {r.name: r for r in evaluate(default_criteria(POOLS), good_measurements())}
    assert clean["counters passing 256 (hold)"].note.endswith("(engine counters are int64 "
                                                              "cells)")


def test_table_lists_every_row_and_names_the_frame_time_used():
    results = evaluate(default_criteria(POOLS), good_measurements())
    table = format_table(results)
    lines = table.splitlines()
    assert len(lines) == 2 + len(results)
    assert "no raster wait" in table and "incl. raster" in table
    assert "PASS" in table and "INFO" in table


# ------------------------------------------------------------------------------ report

def test_report_round_trip_is_atomic_and_equal(tmp_path):
    report = make_report()
    path = write_report(tmp_path / "sub" / "r.json", report)
    assert load_report(path) == report
    # Only the report is left: the temporary file was renamed, not copied.
    assert os.listdir(path.parent) == ["r.json"]
    assert report["schema_version"] == SCHEMA_VERSION
    assert report["verdict"] == PASS


def test_a_failed_write_leaves_the_old_report(tmp_path):
    path = write_report(tmp_path / "r.json", make_report())
    before = path.read_bytes()
    bad = make_report()
    bad["measurements"]["gc_spikes"] = object()  # cannot be JSON
    with pytest.raises(TypeError, match="JSON-able"):
        write_report(path, bad)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["r.json"]


def test_nan_becomes_null():
    meas = good_measurements()
    meas["frame_full_p99_ms"] = float("nan")
    report = make_report(meas)
    assert report["measurements"]["frame_full_p99_ms"] is None
    json.dumps(report, allow_nan=False)


def test_partial_report_is_a_fail_even_when_criteria_pass():
    report = make_report(partial=True)
    assert all(row["verdict"] != FAIL for row in report["criteria"])
    assert report["verdict"] == FAIL and report["run"]["partial"] is True


MALFORMED = [
    (lambda r: r.pop("measurements"), "'measurements' is missing"),
    (lambda r: r["run"].update(partial="no"), "'run.partial': expected true or false"),
    (lambda r: r["measurements"].update(frame_cpu_p50_ms="fast"),
     "'measurements.frame_cpu_p50_ms': expected a number or null, got str"),
    (lambda r: r["measurements"]["pools"]["enemies"].update(acquires_hold=[1]),
     "'measurements.pools.enemies.acquires_hold'"),
    (lambda r: r["criteria"][0].update(verdict="MAYBE"), "'criteria[0].verdict'"),
    (lambda r: r.update(schema_version=99), "'schema_version': expected 1"),
    (lambda r: r["series"]["frame_cpu_ms"].pop(), "'series.frame_cpu_ms': expected a list of 5"),
    (lambda r: r["series"]["gc_events"][0].pop("gen"), "'series.gc_events[0].gen' is missing"),
    (lambda r: r["machine"].update(cpu_count="2"), "'machine.cpu_count': expected an integer"),
]


@pytest.mark.parametrize("mutate,message", MALFORMED, ids=[m for _, m in MALFORMED])
def test_malformed_report_names_the_field(tmp_path, mutate, message):
    report = make_report()
    mutate(report)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(report))
    with pytest.raises(ReportError) as err:
        load_report(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_not_json_and_missing_file_are_clear(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{ nope")
    with pytest.raises(ReportError, match="not valid JSON"):
        load_report(bad)
    with pytest.raises(ReportError, match="no such file"):
        load_report(tmp_path / "missing.json")
    with pytest.raises(ReportError, match="JSON object at the top"):
        validate_report([1, 2])


# ------------------------------------------------------------------------------ baseline

def test_identical_report_passes_its_baseline():
    report = make_report()
    base = bl.baseline_from_report(report)
    result = bl.compare(report, base)
    assert result.ok, result.format_table()
    assert not result.improved


def _worse(key, value):
    def mutate(r):
        r["measurements"][key] = value
    return mutate


def _reuse(r):
    r["measurements"]["pools"]["enemies"]["reuses_hold"] = 300


def _calibration_faster(r):  # same frame time on a machine twice as fast: a real slowdown x2.5
    r["calibration_ns"] = 320_000


PLANTED = [
    ("blocks_growth_hold", _worse("blocks_growth_hold", 10)),
    ("blocks_growth_beyond_counters_hold", _worse("blocks_growth_beyond_counters_hold", 2)),
    ("gen0_growth_hold", _worse("gen0_growth_hold", 3)),
    ("tracked_growth_hold", _worse("tracked_growth_hold", 1)),
    ("gc_collections_hold", _worse("gc_collections_hold", 1)),
    ("gc_spikes", _worse("gc_spikes", 1)),
    ("ring_overflows", _worse("ring_overflows", 3)),
    ("spawn_refusals", _worse("spawn_refusals", 1)),
    ("memory_growth_mb", _worse("memory_growth_mb", 40.0)),
    ("tick_p50_ms/calibration", _worse("tick_p50_ms", 10.5)),
    ("render_cpu_p50_ms/calibration", _worse("render_cpu_p50_ms", 6.5)),
    ("frame_cpu_p99_ms/calibration", _worse("frame_cpu_p99_ms", 51.0)),
    ("frame_full_p50_ms/calibration", _worse("frame_full_p50_ms", 85.0)),
    ("enemies_min_hold", _worse("enemies_min_hold", 420)),
    ("hold_sim_s", _worse("hold_sim_s", 9.0)),
    ("pool_reuse.enemies", _reuse),
]


@pytest.mark.parametrize("metric,mutate", PLANTED, ids=[m for m, _ in PLANTED])
def test_a_planted_regression_in_each_metric_is_caught(metric, mutate):
    report = make_report()
    base = bl.baseline_from_report(report)
    worse = copy.deepcopy(report)
    mutate(worse)
    result = bl.compare(worse, base)
    assert metric in {r.metric for r in result.regressions}, result.format_table()


def test_timings_are_normalised_by_the_calibration():
    report = make_report()
    base = bl.baseline_from_report(report)
    slower_machine = copy.deepcopy(report)
    for key in bl.TIMING_METRICS:
        slower_machine["measurements"][key] *= 3.0
    slower_machine["calibration_ns"] *= 3
    assert bl.compare(slower_machine, base).ok
    same_machine_slower_code = copy.deepcopy(report)
    same_machine_slower_code["measurements"]["tick_p50_ms"] *= 2.5
    assert not bl.compare(same_machine_slower_code, base).ok
    # The planted calibration change alone (same ms, faster machine) is a regression too.
    faster = copy.deepcopy(report)
    _calibration_faster(faster)
    assert not bl.compare(faster, base).ok


def test_counts_only_shows_timings_without_judging_them():
    """The suite's mode: a timing that contention tripled is shown, and is no regression;
    a count that grew still is."""
    report = make_report()
    base = bl.baseline_from_report(report)
    busy = copy.deepcopy(report)
    for key in bl.TIMING_METRICS:
        busy["measurements"][key] *= 3.0
    assert not bl.compare(busy, base).ok
    result = bl.compare(busy, base, judge_timings=False)
    assert result.ok, result.format_table()
    timing_rows = [r for r in result.rows if r.rule == "timing"]
    assert timing_rows and all(r.status == bl.NOT_JUDGED for r in timing_rows)
    busy["measurements"]["blocks_growth_hold"] += 300
    assert "blocks_growth_hold" in {r.metric for r in
                                    bl.compare(busy, base, judge_timings=False).regressions}


def test_blocks_slack_and_exact_counts():
    report = make_report()
    base = bl.baseline_from_report(report)
    within = copy.deepcopy(report)
    within["measurements"]["blocks_growth_hold"] += 2  # the measured jitter: allowed
    assert bl.compare(within, base).ok
    within["measurements"]["blocks_growth_hold"] += 1
    assert not bl.compare(within, base).ok
    exact = copy.deepcopy(report)
    exact["measurements"]["gen0_growth_hold"] += 1  # every other count is exact
    assert not bl.compare(exact, base).ok


def test_partial_or_failing_report_regresses_and_lower_counts_are_better():
    report = make_report()
    base = bl.baseline_from_report(report)
    partial = make_report(partial=True)
    assert {r.metric for r in bl.compare(partial, base).regressions} >= {"run complete",
                                                                          "criteria verdict"}
    meas = good_measurements()
    meas["blocks_growth_hold"] = 25
    base5 = bl.baseline_from_report(make_report(meas))
    result = bl.compare(report, base5)
    assert result.ok and [r.metric for r in result.improved] == ["blocks_growth_hold"]


def test_config_mismatch_and_bad_baselines_are_errors(tmp_path):
    report = make_report()
    base = bl.baseline_from_report(report)
    other = copy.deepcopy(report)
    other["config"]["enemies"] = 300
    with pytest.raises(bl.BaselineError, match="enemies=500 in the baseline, 300 in the report"):
        bl.compare(other, base)
    with pytest.raises(bl.BaselineError, match="partial run"):
        bl.baseline_from_report(make_report(partial=True))
    with pytest.raises(bl.BaselineError, match="calibration_ns"):
        bl.baseline_from_report(make_report(calibration_ns=None))
    broken = copy.deepcopy(base)
    broken["tolerances"]["timing_factor"] = "x"
    with pytest.raises(bl.BaselineError, match="tolerances.timing_factor"):
        bl.compare(report, broken)
    broken = copy.deepcopy(base)
    del broken["metrics"]
    path = tmp_path / "b.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(bl.BaselineError, match="'metrics' is missing"):
        bl.load_baseline(path)


def _tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", TOOL, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


def test_compare_tool_update_identical_and_regression(tmp_path):
    rpath = write_report(tmp_path / "r.json", make_report())
    bpath = tmp_path / "baselines" / "b.json"
    # No baseline yet: a clear error, exit 2.
    proc = _tool(str(rpath), str(bpath))
    assert proc.returncode == 2 and "no such file" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    # --update writes it (atomically), keeping tolerances of an existing one.
    proc = _tool(str(rpath), str(bpath), "--update")
    assert proc.returncode == 0, proc.stderr
    assert bl.load_baseline(bpath)["verdict"] == PASS
    proc = _tool(str(rpath), str(bpath))
    assert proc.returncode == 0 and "no regression" in proc.stdout
    # A planted regression: exit 1 with the metric named.
    worse = make_report()
    worse["measurements"]["blocks_growth_hold"] = 250
    wpath = write_report(tmp_path / "w.json", worse)
    proc = _tool(str(wpath), str(bpath))
    assert proc.returncode == 1
    assert "REGRESSION" in proc.stdout and "blocks_growth_hold" in proc.stdout
    # --update rewrites the baseline deliberately; then the same report passes.
    data = json.loads(bpath.read_text())
    data["tolerances"]["memory_slack_mb"] = 3.0
    bpath.write_text(json.dumps(data))
    assert _tool(str(wpath), str(bpath), "--update").returncode == 0
    rewritten = bl.load_baseline(bpath)
    assert rewritten["metrics"]["blocks_growth_hold"] == 250
    assert rewritten["tolerances"]["memory_slack_mb"] == 3.0
    assert _tool(str(wpath), str(bpath)).returncode == 0
    assert sorted(os.listdir(bpath.parent)) == ["b.json"]


def test_compare_tool_bad_input_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "horde-engine.stress-report"}')
    proc = _tool(str(bad), str(tmp_path / "b.json"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "'schema_version' is missing" in proc.stderr
    proc = _tool(str(bad), str(bad), "--bogus")
    assert proc.returncode == 2 and "unrecognized arguments: --bogus" in proc.stderr
    partial = write_report(tmp_path / "p.json", make_report(partial=True))
    proc = _tool(str(partial), str(tmp_path / "b.json"), "--update")
    assert proc.returncode == 2 and "partial run" in proc.stderr


# ------------------------------------------------------------------------------ plots, calibration

def test_plots_are_pngs_beside_the_report(tmp_path):
    paths = write_plots(make_report(), tmp_path, "stress")
    assert [p.name for p in paths] == [f"stress_{n}.png" for n in PLOT_NAMES]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000


def test_plots_without_series_fail_clearly(tmp_path):
    with pytest.raises(KeyError):
        write_plots(make_report(series=False), tmp_path, "x")


def test_calibration_is_positive_and_validates_repeats():
    result = measure_calibration(repeats=3)
    assert len(result.repeats_ns) == 3
    assert 0 < result.min_ns <= result.median_ns
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        measure_calibration(repeats=0)


def test_plot_report_tool(tmp_path):
    rpath = write_report(tmp_path / "r.json", make_report())
    proc = subprocess.run([sys.executable, "-m", "tools.plot_report", str(rpath),
                           "--plots-dir", str(tmp_path / "png")], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == sorted(
        f"r_{n}.png" for n in PLOT_NAMES)
    bare = write_report(tmp_path / "bare.json", make_report(series=False))
    proc = subprocess.run([sys.executable, "-m", "tools.plot_report", str(bare)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "has no 'series'" in proc.stderr
