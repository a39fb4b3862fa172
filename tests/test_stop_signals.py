"""Hard stops of the acceptance run, for real: SIGTERM, SIGHUP, SIGINT in a program a shell
script started in the background (where the shell ignores SIGINT), and a second SIGINT during
shutdown, and a window destroyed by another X client. Each ends the run with a valid report
marked partial, exit code 1, no traceback and no temporary file left beside the report. Real
subprocesses, real signals (``os.kill``), headless small runs (the window one under X); the
signal goes in once the hold has started (read from the progress lines), not after a fixed
sleep.

And ``engine.core.signals`` in-process: the handlers it installs and restores.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.acceptance.report import load_report
from engine.core.signals import last_stop_signal, shutting_down, stop_signals

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demos" / "stress_500.py"
RUN_ARGS = ["--enemies", "100", "--duration", "30", "--warmup", "0", "--benchmark",
            "--headless", "--size", "320x180", "--no-dashboard"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _wait_for(path: Path, text: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not in {path} within {timeout} s:\n"
                         + (path.read_text(errors="replace") if path.exists() else "(none)"))


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:  # it ended already: what it left is still judged
        pass


def _check_partial(report_path: Path, stderr: str, stop: str) -> None:
    assert "Traceback" not in stderr, stderr
    report = load_report(report_path)  # valid JSON, valid schema
    assert report["run"]["partial"] is True
    assert report["run"]["exit_reason"] == "interrupt"
    assert report["run"]["stop_signal"] == stop
    assert report["run"]["command_line"][0].endswith("stress_500.py")
    assert report["run"]["engine_version"]
    assert report["verdict"] == "FAIL"
    left = [p.name for p in report_path.parent.iterdir() if p.name.endswith(".tmp")]
    assert left == [], left


def _start(tmp_path: Path) -> tuple[subprocess.Popen, Path, Path, Path]:
    report = tmp_path / "run.json"
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    proc = subprocess.Popen([sys.executable, str(DEMO), *RUN_ARGS, "--report", str(report)],
                            stdout=out.open("w"), stderr=err.open("w"), cwd=ROOT, env=_env())
    return proc, report, out, err


@pytest.mark.gl
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_end_the_run_like_ctrl_c(tmp_path, stop):
    proc, report, out, err = _start(tmp_path)
    try:
        _wait_for(out, "hold phase")
        _kill(proc.pid, getattr(signal, stop))
        assert proc.wait(timeout=120) == 1, out.read_text() + err.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "PARTIAL RUN (interrupt" in out.read_text()
    _check_partial(report, err.read_text(), stop)


@pytest.mark.gl
def test_a_second_ctrl_c_during_shutdown_still_leaves_a_valid_report(tmp_path):
    proc, report, out, err = _start(tmp_path)
    try:
        _wait_for(out, "hold phase")
        _kill(proc.pid, signal.SIGINT)
        time.sleep(0.2)  # into the shutdown (screenshot, plots, report), or its unwinding
        _kill(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=120) == 1, out.read_text() + err.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    _check_partial(report, err.read_text(), "SIGINT")


@pytest.mark.gl
def test_a_run_started_in_the_background_by_a_shell_script_stops_on_sigint(tmp_path):
    """``sh -c 'prog &'``: the shell sets SIGINT to SIG_IGN in the background job."""
    report = tmp_path / "bg.json"
    out, err, rc = tmp_path / "out.txt", tmp_path / "err.txt", tmp_path / "rc.txt"
    args = " ".join([sys.executable, str(DEMO), *RUN_ARGS, "--report", str(report)])
    script = (f"{args} > {out} 2> {err} & echo $! > {tmp_path / 'pid.txt'}; wait $!; "
              f"echo $? > {rc}")
    shell = subprocess.Popen(["sh", "-c", script], cwd=ROOT, env=_env())
    try:
        _wait_for(out, "hold phase")
        pid = int((tmp_path / "pid.txt").read_text())
        _kill(pid, signal.SIGINT)
        shell.wait(timeout=120)
    finally:
        if shell.poll() is None:
            shell.kill()
            shell.wait()
    assert rc.read_text().strip() == "1", out.read_text() + err.read_text()
    _check_partial(report, err.read_text(), "SIGINT")


def test_stop_signals_raise_and_shutdown_notes_them(capsys):
    before = {name: signal.getsignal(getattr(signal, name)) for name in ("SIGTERM", "SIGHUP")}
    with stop_signals():
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the handler runs at the next bytecode; the sleep is never reached
        assert last_stop_signal() == "SIGTERM"
        with shutting_down():
            os.kill(os.getpid(), signal.SIGHUP)  # noted, not raised
            time.sleep(0)
        assert last_stop_signal() == "SIGHUP"
    assert "SIGHUP received while stopping" in capsys.readouterr().err
    after = {name: signal.getsignal(getattr(signal, name)) for name in ("SIGTERM", "SIGHUP")}
    assert after == before


def test_stop_signals_take_sigint_over_from_sig_ign():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with stop_signals():
            with pytest.raises(KeyboardInterrupt):
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(1)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_handler_of_the_program_s_own_is_left_alone():
    seen = []
    previous = signal.signal(signal.SIGTERM, lambda n, f: seen.append(n))
    try:
        with stop_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0)
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)


_DESTROY = """
import ctypes, sys
x = ctypes.CDLL("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
d = ctypes.c_void_p(x.XOpenDisplay(None))
x.XDestroyWindow(d, ctypes.c_ulong(int(sys.argv[1], 16)))
x.XSync(d, 0)
"""


@pytest.mark.gl
@pytest.mark.skipif(not os.environ.get("DISPLAY") or not shutil.which("xwininfo"),
                    reason="needs an X display (xvfb-run) and xwininfo")
def test_a_window_destroyed_from_outside_ends_the_run_with_a_partial_report(tmp_path):
    """Another X client destroys the run's window (BadWindow for the run's next requests):
    the run ends like a closed window, without the screenshot, with its report."""
    report = tmp_path / "lost.json"
    args = [a for a in RUN_ARGS if a != "--headless"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    proc = subprocess.Popen([sys.executable, str(DEMO), *args, "--report", str(report)],
                            stdout=out.open("w"), stderr=err.open("w"), cwd=ROOT, env=env)
    try:
        _wait_for(out, "hold phase")
        info = subprocess.run(["xwininfo", "-name", "horde engine - stress 100"],
                              capture_output=True, text=True, timeout=30).stdout
        window = info.split("Window id:")[1].split()[0]
        subprocess.run([sys.executable, "-c", _DESTROY, window], check=True, timeout=30)
        assert proc.wait(timeout=120) == 1, out.read_text() + err.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in err.read_text(), err.read_text()
    loaded = load_report(report)
    assert loaded["run"]["partial"] is True
    assert loaded["run"]["exit_reason"] == "window_closed"
    # BadWindow, or BadDrawable when a GLX request comes first.
    assert "the window was lost: X error Bad" in loaded["extra"]["error"]
    assert "screenshot skipped" in out.read_text()
