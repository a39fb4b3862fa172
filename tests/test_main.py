"""``python -m engine`` from a checkout: the version line, the renderer line, where the stock
shaders and scenes are, and what to run next; with no EGL vendor to load, one line says what was
expected and the exit code is 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.gl


def run_main(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    return subprocess.run([sys.executable, "-m", "engine"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_reports_version_renderer_and_the_checkout_folders(tmp_path):
    proc = run_main(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("hordekit ") and lines[0].endswith("(checkout)"), proc.stdout
    assert lines[1].startswith("GL: ") and lines[1].endswith("via standalone EGL"), proc.stdout
    assert f"shaders: {ROOT / 'shaders'}" in lines
    assert f"boss scenes: {ROOT / 'demos' / 'scenes'}" in lines
    assert "next:" in lines


def test_no_egl_vendor_is_one_line_and_exit_code_1(tmp_path):
    # libglvnd's libEGL loads the vendors this variable names; none loadable: no context.
    proc = run_main(tmp_path, __EGL_VENDOR_LIBRARY_FILENAMES=str(tmp_path / "none.json"))
    if proc.returncode == 0:
        pytest.skip("this libEGL ignores __EGL_VENDOR_LIBRARY_FILENAMES (not libglvnd)")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    gl = [line for line in proc.stdout.splitlines() if line.startswith("GL: ")]
    assert len(gl) == 1 and gl[0].startswith(
        "GL: none - expected an OpenGL 3.3 context from standalone EGL, got "), proc.stdout


def test_options_are_refused_with_exit_code_2(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "engine", "--verbose"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no options" in proc.stderr
