"""docs/EMBEDDING.md sections 6 and 7 run as written: the first sprite from a PNG (alone), then
with the animated sheet and the text added before its ``app.run()``, headless, in a fresh
interpreter, from a folder holding the PNGs the snippets name. The only change to the snippets
is the frame limit (``app.run()`` becomes a run of a few frames that keeps the last image)."""

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
DOC = ROOT / "docs" / "EMBEDDING.md"
HERO = (250, 40, 20, 255)
WALK = [(20, 200, 40, 255), (20, 180, 60, 255), (20, 160, 80, 255), (20, 140, 100, 255)]

RUN = '''
import json as _json
import engine.render as _render
_shots = []
app.frame_end_hooks.append(lambda: _shots.append(_render.read_pixels(app.target)))
app.run(max_frames=3)
_px = _shots[-1]
def _count(rgb):
    return int((abs(_px[..., :3].astype(int) - rgb).sum(axis=2) < 40).sum())
def _tight(rgb):
    return int((abs(_px[..., :3].astype(int) - rgb).sum(axis=2) < 12).sum())
print(_json.dumps({"hero": _count((250, 40, 20)),
                   "walk": sum(_tight(c) for c in ((20, 200, 40), (20, 180, 60),
                                                   (20, 160, 80), (20, 140, 100))),
                   "yellow": _count((255, 230, 76)), "exit": app.exit_reason}))
'''


def snippets() -> list[str]:
    text = DOC.read_text()
    section = text[text.index("## 6. Your own art"):text.index("## 8. Input")]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def run_program(tmp_path: Path, source: str) -> dict:
    hero = np.zeros((32, 32, 4), np.uint8)
    hero[...] = HERO
    Image.fromarray(hero, "RGBA").save(tmp_path / "hero.png")
    walker = np.zeros((32, 4 * 32, 4), np.uint8)
    for i, c in enumerate(WALK):
        walker[:, i * 32:(i + 1) * 32] = c
    Image.fromarray(walker, "RGBA").save(tmp_path / "walker.png")
    (tmp_path / "program.py").write_text(source)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "program.py"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.gl
def test_first_sprite_snippet_draws_the_png(tmp_path):
    first = snippets()[0]
    assert first.rstrip().endswith("app.run()")
    code_lines = [ln for ln in first.splitlines() if ln.strip()]
    assert len(code_lines) <= 10
    got = run_program(tmp_path, first.rstrip()[:-len("app.run()")] + RUN)
    assert got["hero"] == 32 * 32 and got["walk"] == 0 and got["exit"] == "max_frames"


@pytest.mark.gl
def test_animated_sheet_and_text_snippets_added_to_it(tmp_path):
    first, walker, text = snippets()
    program = first.rstrip()[:-len("app.run()")] + walker + text + RUN
    got = run_program(tmp_path, program)
    assert got["hero"] > 0.9 * 32 * 32  # the world label may cover a few of its pixels
    assert got["walk"] == 32 * 32  # one frame of the walk (the one its time is at), at -64, 0
    assert got["yellow"] > 20  # the HUD line
