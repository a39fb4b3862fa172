"""The gallery (engine/examples): each program runs as ``python -m engine.examples.NAME``
headless for a few frames and saves a last frame that shows something; the listing names
them all; bad input exits 2 with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.examples import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
CLEAR = np.array([15, 15, 20])  # AppConfig's default clear colour, in bytes


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.gl
@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_headless_and_draws(name, tmp_path):
    shot = tmp_path / f"{name}.png"
    out = run(f"engine.examples.{name}", "--frames", "30", "--headless", "--size", "320x200",
              "--screenshot", str(shot), cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "30 frames" in out.stdout and str(shot) in out.stdout
    px = np.asarray(Image.open(shot))[..., :3].astype(int)
    assert px.shape == (200, 320, 3)
    drawn = (np.abs(px - CLEAR).sum(axis=2) > 40).sum()
    assert drawn > 100, f"{name}: only {drawn} pixels differ from the clear colour"
    assert sorted(p.name for p in tmp_path.iterdir()) == [shot.name]  # nothing left behind


def test_listing_names_every_example(tmp_path):
    out = run("engine.examples", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for name in EXAMPLES:
        assert f"python -m engine.examples.{name}" in out.stdout


def test_gallery_is_every_module_of_the_folder():
    folder = ROOT / "engine" / "examples"
    modules = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")}
    assert modules == set(EXAMPLES)


@pytest.mark.parametrize("argv, expected", [
    (["--frames", "0"], "--frames must be >= 1"),
    (["--screenshot", "x.png"], "--screenshot needs --frames"),
    (["--size", "big"], "size must be WIDTHxHEIGHT"),
])
def test_bad_input_exits_2_with_one_line(argv, expected, tmp_path):
    out = run("engine.examples.first_sprite", *argv, cwd=tmp_path)
    assert out.returncode == 2 and expected in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
