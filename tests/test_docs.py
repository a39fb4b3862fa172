"""Every command and snippet in README.md and docs/*.md runs as written, or is skipped here
with its reason.

Commands are the lines of shell blocks and the inline code spans that start like a command
(``python``, ``.venv/bin/python``, ``make``, ``pip``, ``hordekit-*``); snippets are the
``python`` blocks. A command runs from the repository root with this interpreter in place of
``python`` / ``.venv/bin/python``; a snippet runs in a fresh interpreter. Anything not run is
listed in SKIP (a command) or SNIPPET_SKIP (a snippet) with the reason, and a listed entry that
no document holds any more fails, so the lists cannot go stale.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PREFIXES = ("python ", "python3 ", ".venv/bin/python ", "make ", "make\n", "pip ",
            "hordekit-", "xvfb-run ")
PLACEHOLDER = re.compile(r"\b(REPORT|BASELINE|PATH|NAME|N|S|WxH)\b|\[--|\.\.\.")

SKIP: dict[str, str] = {
    "make stress": "the 60 s acceptance run (real time); the same run is held at a short "
                   "duration by tests/test_acceptance_stress.py",
    "make test": "this suite",
    "pip install hordekit": "installs from the package index; tests/test_wheel.py installs the "
                            "wheel built from this tree instead",
    "--soak": "a soak of minutes",
    "--sizes 500 2k 10k 50k 100k": "the full sweep (minutes)",
    "--sizes 10k 100k": "100k enemies on llvmpipe (minutes)",
    "python -m tools.bench_combat": "500 to 100k enemies beside the naive reference (minutes); "
                                    "tests/test_naive_parity.py runs its pieces",
    "python -m tools.bench_gpu": "up to 1M enemies on llvmpipe (minutes); "
                                 "tests/test_horde_gpu_world.py runs it at 400",
    "--enemies 300 --duration 10 --warmup 3 --headless --benchmark --report": "the CI "
        "configuration: tests/test_acceptance_stress.py runs exactly this (CI_ARGS)",
    "python -m tools.compare_baseline reports/stress_ci.json tests/baselines/stress_ci.json":
        "judges timing ratios, which another load on the machine moves; "
        "tests/test_acceptance_stress.py runs it on the CI report with --counts-only",
    "--update": "rewrites a baseline under version control",
    "--enemies 10000 --duration 10": "10,000 enemies on llvmpipe, a measurement (a minute or "
                                     "more); its verdict fails particle-pool reuse at 10k, "
                                     "an open item of the profiler issue (docs/PROFILER.md)",
    "-noreset' python demos/stress_500.py": "the 60 s acceptance run in a virtual window",
}
"""Command text (a substring) -> why the test does not run it."""

EXACT_SKIP: dict[str, str] = {
    "python demos/boids.py": "opens a window until it is closed; the headless form runs here",
    "python -m engine.examples.first_sprite": "opens a window until it is closed; "
                                              "tests/test_examples.py runs it headless",
    "python -m engine.examples.custom_system": "opens a window until it is closed; the "
                                               "headless form runs here",
}
"""Whole command -> why the test does not run it (the same command with options may run)."""

_WALK = ("a step of the walk-through: demos/boids.py is the whole program (tests/test_demos.py "
         "runs it)")
_ART = ("needs the PNG files it names: tests/test_embedding_art.py runs it as written from a "
        "folder holding them")
SNIPPET_SKIP: dict[str, str] = {
    'app = engine.App(engine.AppConfig(width=320, height=240, title="first sprite"))':
        "needs hero.png: tests/test_readme_first_sprite.py (README) and "
        "tests/test_embedding_art.py (EMBEDDING) run it as written beside one",
    "BOID_COLUMNS = {": _WALK,
    'for name, fn in [("boids.hash", sim.rebuild), ("predators", sim.hunt),': _WALK,
    "gfx = engine.GraphicsContext(app.ctx)": _WALK,
    "from engine.core.keys import KEY_P, KEY_SPACE": _WALK,
    "prof = engine.Profiler()": _WALK,
    "sim = Boids(600, seed=1, predators=4)": _WALK,
    'walker = engine.load_grid_sheet("walker.png", (32, 32), {"walk": (0, 4, 8.0)})': _ART,
    "font = engine.Font(size=18)": _ART,
    "report = measure_steady_state(lambda: system(dt))": "a pattern: `system` and `dt` are "
                                                          "your own",
    "app.start()": "the by-hand loop over the `app` of section 1; tests/test_app_drive.py "
                   "drives start / step_frame / close",
    'predators = engine.ObjectPool("predators", make_predator, 8)': _WALK,
    'caught = engine.RingBuffer("caught", 256, {"predator": np.int32, "x": np.float32,': _WALK,
    "class Boids(engine.CounterCells):": _WALK,
    'layer = engine.SpriteLayer(gfx, shaders, atlas, [engine.SpriteKind("bat", 0, "bat"),':
        "the layer over your store; python -m engine.examples.custom_system is the whole "
        "program (tests/test_examples.py runs it)",
    "for _ in range(200): tick()": "a pattern: `tick` is your own system",
    "a = census(); run_frames(600); b = census()": "a pattern: `run_frames` is your own loop",
}
"""First line of a python snippet -> why the test does not run it."""


def _blocks(text: str):
    """(language, body, line) of every fenced block, indented ones (in a list) included."""
    for m in re.finditer(r"^( *)```(\w*)\n(.*?)^\1```", text, re.S | re.M):
        yield m.group(2), textwrap.dedent(m.group(3)), text[:m.start()].count("\n") + 1


def _commands_of(text: str):
    for lang, body, line in _blocks(text):
        if lang in ("sh", "bash", "console", ""):
            for i, raw in enumerate(body.splitlines()):
                cmd = raw.split("  #")[0].strip()
                if cmd.startswith("$ "):
                    cmd = cmd[2:]
                if cmd.startswith(PREFIXES) or cmd == "make":
                    yield line + 1 + i, cmd
    # Blocks blanked line for line, so an inline span keeps its line number.
    outside = re.sub(r"^( *)```.*?^\1```", lambda m: "\n" * m.group(0).count("\n"), text,
                     flags=re.S | re.M)
    for m in re.finditer(r"`([^`\n]+)`", outside):
        cmd = m.group(1).strip()
        if cmd.startswith(PREFIXES):
            yield outside[:m.start()].count("\n") + 1, cmd


def _snippets_of(text: str):
    for lang, body, line in _blocks(text):
        if lang == "python":
            yield line, body


def _all(kind):
    out, seen = [], set()
    for doc in DOCS:
        text = doc.read_text()
        for line, item in kind(text):
            if (doc, item) not in seen:  # the same command twice in one page runs once
                seen.add((doc, item))
                out.append((f"{doc.relative_to(ROOT)}:{line}", item))
    return out


COMMANDS = _all(_commands_of)
SNIPPETS = _all(_snippets_of)


def _reason(cmd: str) -> str | None:
    if cmd in EXACT_SKIP:
        return EXACT_SKIP[cmd]
    for key, why in SKIP.items():
        if key in cmd + " ":
            return why
    if PLACEHOLDER.search(cmd):
        return "a template with placeholders (REPORT, PATH, [--option] ...), not a command"
    return None


def test_the_docs_hold_commands_and_snippets():
    assert len(COMMANDS) >= 10, COMMANDS
    assert len(SNIPPETS) >= 5, SNIPPETS


def _snippet_reason(body: str) -> str | None:
    lines = [ln.split("  #")[0].rstrip() for ln in body.splitlines() if ln.strip()]
    for key, why in SNIPPET_SKIP.items():
        if key in lines[:3]:
            return why
    return None


def test_every_skip_reason_still_matches_a_command():
    texts = [cmd + " " for _, cmd in COMMANDS]
    stale = [key for key in SKIP if not any(key in t for t in texts)]
    stale += [key for key in EXACT_SKIP if key not in {c for _, c in COMMANDS}]
    heads = [[ln.split("  #")[0].rstrip() for ln in body.splitlines() if ln.strip()][:3]
             for _, body in SNIPPETS]
    stale += [key for key in SNIPPET_SKIP if not any(key in h for h in heads)]
    assert not stale, f"skip entries no document holds any more: {stale}"


@pytest.mark.parametrize("where, body", SNIPPETS, ids=[w for w, _ in SNIPPETS])
def test_snippet_runs_as_written(where, body, tmp_path):
    why = _snippet_reason(body)
    if why is not None:
        pytest.skip(f"{where}: {why}")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", body], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, f"{where}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("where, cmd", COMMANDS, ids=[w for w, _ in COMMANDS])
def test_command_runs_as_written(where, cmd):
    why = _reason(cmd)
    if why is not None:
        pytest.skip(f"{where}: {why}")
    argv = shlex.split(cmd)
    if argv[0] in ("python", "python3", ".venv/bin/python"):
        argv[0] = sys.executable
    elif argv[0].startswith("hordekit-"):
        argv = [sys.executable, "-c",
                {"hordekit-stress": "from engine.acceptance.cli import main; "
                                    "raise SystemExit(main())",
                 "hordekit-info": "from engine.__main__ import main; raise SystemExit(main())",
                 }[argv[0]], *argv[1:]]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, f"{where}: {cmd}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr
