"""README.md's first sprite from a PNG: at most 10 lines, run as written (headless, in a fresh
interpreter, from a folder holding ``hero.png``). The only change is the frame limit:
``app.run()`` becomes a run of a few frames that keeps the last image."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
HERO = (250, 40, 20, 255)

RUN = '''
import json as _json
import engine.render as _render
_shots = []
app.frame_end_hooks.append(lambda: _shots.append(_render.read_pixels(app.target)))
app.run(max_frames=3)
_px = _shots[-1]
_hero = (abs(_px[..., :3].astype(int) - (250, 40, 20)).sum(axis=2) < 40)
_ys, _xs = _hero.nonzero()
print(_json.dumps({"hero": int(_hero.sum()), "centre": [float(_xs.mean()), float(_ys.mean())],
                   "size": list(_px.shape[:2]), "exit": app.exit_reason}))
'''


def first_sprite() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Embedding the engine"):]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]


def test_readme_first_sprite_is_at_most_ten_lines():
    code = [ln for ln in first_sprite().splitlines() if ln.strip()]
    assert len(code) <= 10, code
    assert any("load_image(\"hero.png\")" in ln for ln in code)


@pytest.mark.gl
def test_readme_first_sprite_runs_as_written(tmp_path):
    snippet = first_sprite().rstrip()
    assert snippet.endswith("app.run()")
    hero = np.zeros((32, 32, 4), np.uint8)
    hero[...] = HERO
    Image.fromarray(hero, "RGBA").save(tmp_path / "hero.png")
    (tmp_path / "program.py").write_text(snippet[:-len("app.run()")] + RUN)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "program.py"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["exit"] == "max_frames" and got["size"] == [240, 320]
    assert got["hero"] == 32 * 32  # the whole PNG, once, 1:1
    assert got["centre"] == [159.5, 119.5]  # at world (0, 0): the centre of the screen
