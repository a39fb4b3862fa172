"""The acceptance run with the profiler's additions, end to end (a real headless benchmark run
in a subprocess): a user's screenshot in the hold is an event, not a failure; a planted leak is
named by the system that planted it; --trace writes a Perfetto trace of the hold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.acceptance.report import load_report

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.gl

_DRIVER = '''
import sys

from engine.acceptance import cli
from engine.acceptance.run import HOLD
from engine.acceptance.session import AcceptanceRun

kept = []
ticks = [0]
MODE = {mode!r}


def plant(dt):
    if run.phase != HOLD:
        return
    ticks[0] += 1
    if MODE == "screenshot" and ticks[0] == 30:
        run._dashboard_screenshot()  # what the dashboard's button calls
    elif MODE == "leak":
        # A plain object: a small tuple would come from CPython's free list, and the
        # scheduler would charge its block to whichever system refills the list (see
        # docs/PROFILER.md, "Who allocated").
        kept.append(object())


run = AcceptanceRun(cli.parse_args(sys.argv[1:]), extra_systems=[("plant", plant)])
sys.exit(cli.execute(run))
'''


def _run(tmp_path, mode, *extra):
    driver = tmp_path / "driver.py"
    driver.write_text(_DRIVER.format(mode=mode))
    out = tmp_path / "r.json"
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    proc = subprocess.run(
        [sys.executable, str(driver), "--enemies", "100", "--duration", "3", "--warmup", "0",
         "--headless", "--benchmark", "--report", str(out), "--quiet", *extra],
        capture_output=True, text=True, cwd=ROOT, timeout=240, env=env)
    return proc, load_report(out)


def test_a_screenshot_in_the_hold_is_an_event_and_the_run_still_passes(tmp_path):
    proc, report = _run(tmp_path, "screenshot", "--trace", str(tmp_path / "t.json"))
    failed = [r["name"] for r in report["criteria"] if r["verdict"] == "FAIL"]
    assert report["measurements"]["user_actions"] == 1
    assert list(tmp_path.glob("r_dash_*.png"))
    assert failed == [] and proc.returncode == 0, proc.stdout + proc.stderr
    events = json.loads((tmp_path / "t.json").read_text())["traceEvents"]
    assert {"frame", "step", "plant", "waves"} <= {e["name"] for e in events if e["ph"] == "X"}


def test_a_planted_leak_is_named_by_its_system(tmp_path):
    proc, report = _run(tmp_path, "leak")
    assert proc.returncode == 1
    by_system = report["extra"]["profiler"]["alloc"]["by_system_since_warmup"]
    name, blocks = next(iter(by_system.items()))
    assert name == "plant" and blocks >= 90  # an object a tick over 3 s


def test_the_user_action_code_is_the_profilers():
    from engine.acceptance import actions
    from engine.profiler import SPIKE_NAMES, SpikeKind

    assert actions._USER_ACTION == int(SpikeKind.USER_ACTION)
    assert SPIKE_NAMES[actions._USER_ACTION] == "user_action"
