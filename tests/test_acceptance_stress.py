"""demos/stress_500.py (engine.acceptance.cli) for real: command-line errors, a short headless
benchmark run held against its baseline (tests/baselines/stress_ci.json), runs cut short (a
frame limit, Ctrl-C) that still write a report marked partial, and planted leaks handed to the
run through its API for a game's own world and systems (``AcceptanceRun(world_factory=...,
extra_systems=...)``). Every run is a subprocess with real GL (EGL on Mesa), real files and
the real command line.

The short run is the CI guard: its report goes through tools/compare_baseline.py, so a
regression in allocations, GC, memory, timing ratios, pools or enemies sustained fails here.
Rewrite the baseline deliberately (after an intended change) with:

    python demos/stress_500.py --enemies 300 --duration 10 --warmup 3 --headless --benchmark \\
        --report reports/stress_ci.json
    python -m tools.compare_baseline reports/stress_ci.json tests/baselines/stress_ci.json --update
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.acceptance.plots import PLOT_NAMES
from engine.acceptance.report import load_report

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demos" / "stress_500.py"
TOOL = "tools.compare_baseline"  # run as a module from ROOT
BASELINE = ROOT / "tests" / "baselines" / "stress_ci.json"
CI_ARGS = ["--enemies", "300", "--duration", "10", "--warmup", "3", "--headless", "--benchmark"]

pytestmark = pytest.mark.gl


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DISPLAY", None)  # headless whatever the machine has
    env.pop("WAYLAND_DISPLAY", None)
    # This checkout's engine, whatever else is installed.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _demo(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DEMO), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout, env=_env())


def _egl_available() -> bool:
    try:
        import moderngl

        ctx = moderngl.create_standalone_context(backend="egl", require=330)
        ctx.release()
        return True
    except Exception:
        return False


needs_egl = pytest.mark.skipif(not _egl_available(), reason="no EGL / GL 3.3 here")


# ------------------------------------------------------------------------------ command line

@pytest.mark.parametrize("args,expected", [
    (["--enemies", "-5"], "--enemies must be a positive integer, got -5"),
    (["--enemies", "0"], "--enemies must be a positive integer, got 0"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--duration", "nan"], "--duration must be a positive number of seconds, got nan"),
    (["--ramp", "--max"], "not allowed with argument"),
    (["--size", "wide"], "--size: size must be WIDTHxHEIGHT"),
    (["--report", "out.txt"], "--report must name a .json file"),
])
def test_bad_command_line_is_one_line_and_exit_2(args, expected):
    proc = _demo(*args, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("stress_500.py: error: ") and expected in lines[0]
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_help_is_the_documentation():
    proc = _demo("--help", timeout=60)
    assert proc.returncode == 0
    for word in ("--enemies", "--duration", "--warmup", "--seed", "--headless", "--benchmark",
                 "--report", "--ramp", "--max", "partial", "Exit codes"):
        assert word in proc.stdout


# ------------------------------------------------------------------------------ the CI run

@pytest.fixture(scope="module")
def ci_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("stress") / "stress_ci.json"
    proc = _demo(*CI_ARGS, "--report", str(out), timeout=240)
    return proc, out


@needs_egl
def test_short_benchmark_run_passes_every_criterion(ci_run):
    proc, out = ci_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = load_report(out)
    assert report["verdict"] == "PASS" and not report["run"]["partial"]
    assert report["run"]["exit_reason"] == "completed"
    meas = report["measurements"]
    assert meas["enemies_min_hold"] >= 300
    assert meas["gc_collections_hold"] == 0 and meas["tracked_growth_hold"] == 0
    assert meas["gen0_growth_hold"] == 0
    # The engine's counters are int64 cells: none of the world's ints passes 256 in the hold.
    assert meas["small_int_crossings_hold"] == 0
    assert report["extra"]["counters_past_256_in_hold"] == []
    # The hold is combat: the profiler's flag was on (a gen2 collection would be a spike),
    # and it is off again once the hold has ended.
    assert meas["in_combat_hold"] == 1
    assert report["extra"]["profiler"]["gc_policy"]["in_combat"] is False
    assert meas["hold_sim_s"] >= 10.0
    assert report["calibration_ns"] > 0
    assert "llvmpipe" in (report["machine"]["gl_renderer"] or "") or \
        report["machine"]["gl_renderer"]
    # The table names the frame time it judges, and says the raster one is not judged.
    assert "frame time p50 (engine CPU)" in proc.stdout
    assert "frame time p50 (full, incl. raster)" in proc.stdout and "INFO" in proc.stdout
    assert "verdict: PASS" in proc.stdout


@needs_egl
def test_short_run_writes_plots_and_screenshot(ci_run):
    proc, out = ci_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in PLOT_NAMES:
        png = out.with_name(f"stress_ci_{name}.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shot = out.with_name("stress_ci_screenshot.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    # Atomic writes leave no temporary files behind.
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


@needs_egl
def test_short_run_holds_its_baseline(ci_run):
    proc, out = ci_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if not BASELINE.exists():
        pytest.fail(f"no baseline {BASELINE}; make it once with "
                    f"python -m tools.compare_baseline {out} {BASELINE} --update")
    # Counts only: a timing ratio against the calibration moves with other load on the
    # machine (3 of 5 suites failed at load 7-10 on 2 cores); timings are the benchmarks' job.
    cmp = subprocess.run([sys.executable, "-m", TOOL, str(out), str(BASELINE), "--counts-only"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert cmp.returncode == 0, cmp.stdout + cmp.stderr
    assert "no regression" in cmp.stdout
    assert "not judged" in cmp.stdout  # the timing rows are shown, not judged


@needs_egl
def test_a_regression_against_the_baseline_fails(ci_run, tmp_path):
    """The same report with a planted leak fails the comparison (the guard can fail)."""
    proc, out = ci_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    report["measurements"]["blocks_growth_hold"] += 300  # one object leaked per tick
    leaky = tmp_path / "leaky.json"
    leaky.write_text(json.dumps(report))
    cmp = subprocess.run([sys.executable, "-m", TOOL, str(leaky), str(BASELINE),
                          "--counts-only"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert cmp.returncode == 1, cmp.stdout + cmp.stderr
    assert "blocks_growth_hold" in cmp.stdout and "REGRESSION" in cmp.stdout


# ------------------------------------------------------------------------------ partial runs

@needs_egl
def test_a_frame_limit_shorter_than_the_run_writes_a_partial_report(tmp_path):
    out = tmp_path / "short.json"
    proc = _demo("--enemies", "200", "--duration", "10", "--headless", "--benchmark",
                 "--frames", "90", "--report", str(out), timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = load_report(out)
    assert report["run"]["partial"] is True
    assert report["run"]["exit_reason"] == "max_frames"
    assert report["run"]["frames"] == 90 and report["run"]["phase"] == "ramp"
    assert report["verdict"] == "FAIL"
    full = next(r for r in report["criteria"] if r["name"] == "full duration reached")
    assert full["verdict"] == "FAIL"
    assert "PARTIAL RUN (max_frames" in proc.stdout


@needs_egl
def test_ctrl_c_during_the_hold_writes_a_partial_report(tmp_path):
    out = tmp_path / "interrupted.json"
    proc = subprocess.Popen(
        [sys.executable, str(DEMO), "--enemies", "100", "--duration", "120", "--warmup", "0",
         "--headless", "--benchmark", "--report", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=_env())
    try:
        deadline = time.monotonic() + 120
        seen = []
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            if "hold phase" in line:
                break
            assert time.monotonic() < deadline, "no hold phase within 120 s:\n" + "".join(seen)
        time.sleep(1.0)  # a few frames into the hold
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stdout = "".join(seen) + rest
    assert proc.returncode == 1, stdout + err
    report = load_report(out)
    assert report["run"]["partial"] is True and report["run"]["exit_reason"] == "interrupt"
    assert report["run"]["phase"] == "hold"
    assert 0 < report["measurements"]["hold_sim_s"] < 120
    assert report["verdict"] == "FAIL"
    assert "PARTIAL RUN (interrupt" in stdout
    assert out.with_name("interrupted_screenshot.png").exists()


_LEAKY_DRIVER = '''
import sys

from engine.acceptance import cli
from engine.acceptance.run import HOLD
from engine.acceptance.session import AcceptanceRun
from engine.combat import World

kept = []
MODE = {mode!r}


def world_factory(config, seed):
    world = World(config, seed=seed)
    if MODE == "counter":
        # A plain int counter on the player, found by the run's census like any other.
        world.player.planted_hits = 0
    return world


def leak(dt):
    if MODE == "per_tick":
        # One tuple (a tracked container) kept per tick.
        kept.append((dt, len(kept)))
    elif MODE == "counter":
        if run.phase == HOLD:
            run.world.player.planted_hits += 5  # past 256 within the 3 s hold
    elif run.phase == HOLD and not kept:
        # Once, in the hold: five plain objects (not tracked by the GC, no container).
        kept.extend(object() for _ in range(5))


run = AcceptanceRun(cli.parse_args(sys.argv[1:]), world_factory=world_factory,
                    extra_systems=[("leak", leak)])
sys.exit(cli.execute(run))
'''


def _leaky_run(tmp_path, mode, returncode=1):
    driver = tmp_path / "leaky_stress.py"
    driver.write_text(_LEAKY_DRIVER.format(mode=mode))
    out = tmp_path / "leaky.json"
    proc = subprocess.run(
        [sys.executable, str(driver), "--enemies", "100", "--duration", "3", "--warmup", "0",
         "--headless", "--benchmark", "--report", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=180, env=_env())
    if returncode is not None:
        assert proc.returncode == returncode, proc.stdout + proc.stderr
    report = load_report(out)
    assert not report["run"]["partial"]
    if returncode == 1:
        assert report["verdict"] == "FAIL"
    failed = {r["name"] for r in report["criteria"] if r["verdict"] == "FAIL"}
    return report, failed


@needs_egl
def test_a_planted_leak_fails_the_run(tmp_path):
    """The hold's allocation criteria can fail: a system that keeps one tuple per tick."""
    report, failed = _leaky_run(tmp_path, "per_tick")
    assert {"allocated blocks growth (hold)", "tracked objects retained (hold)",
            "gen0 count growth (hold)"} <= failed
    # 3 s at 30 steps per second: one tuple per tick, counted exactly.
    assert report["measurements"]["tracked_growth_hold"] >= 90


@needs_egl
def test_five_objects_kept_once_fail_the_blocks_row(tmp_path):
    """What only the blocks row sees: five untracked objects retained once in the hold. The
    tracked and gen0 rows pass; the raw blocks growth (nothing subtracted: the engine's
    counters are int64 cells) fails."""
    report, failed = _leaky_run(tmp_path, "once")
    assert failed == {"allocated blocks growth (hold)"}
    meas = report["measurements"]
    assert meas["tracked_growth_hold"] == 0 and meas["gen0_growth_hold"] == 0
    assert meas["blocks_growth_hold"] >= 5 and meas["small_int_crossings_hold"] == 0


@needs_egl
def test_a_plain_int_counter_passing_256_is_named(tmp_path):
    """A plain int counter added to the world (here on the player) that passes 256 in the hold
    is one block of the raw growth, and the INFO row names it. Without it the run names none
    (the engine's own counters are int64 cells: tests/test_counters.py)."""
    report, _ = _leaky_run(tmp_path, "counter", returncode=None)
    meas = report["measurements"]
    assert meas["small_int_crossings_hold"] == 1
    assert meas["blocks_growth_hold"] - meas["blocks_growth_beyond_counters_hold"] == 1
    assert report["extra"]["counters_past_256_in_hold"] == ["player.planted_hits"]
    row = next(r for r in report["criteria"] if r["name"] == "counters passing 256 (hold)")
    assert row["verdict"] == "INFO" and row["note"].endswith(": player.planted_hits")
