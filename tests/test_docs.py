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
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PREFIXES = ("python ", "python3 ", ".venv/bin/python ", "make ", "make\n", "pip ",
            "hordekit-", "xvfb-run ")
PLACEHOLDER = re.compile(r"\b(REPORT|BASELINE|PATH|NAME|N|S|WxH)\b|\[--|\.\.\.")

SKIP: dict[str, str] = {
    "make stress": "the 60 s acceptance run; the same run is held at a short duration by "
                   "tests/test_acceptance_stress.py",
    "make test": "this suite",
    "make bench": "every benchmark (minutes); each tool's --help runs in "
                  "tests/test_cli_options.py or tests/test_tools_common.py",
    "make stress ARGS=": "the acceptance run with other options (60 s or more)",
    "pip install hordekit": "installs from the package index; tests/test_wheel.py installs the "
                            "wheel built from this tree instead",
    "--soak": "a soak of minutes",
    "--sizes 500 2k 10k 50k 100k": "the full sweep (minutes)",
    "--sizes 10k 100k": "100k enemies on llvmpipe (minutes)",
    "--sizes 500 10k 100k": "100k enemies on llvmpipe (minutes)",
    "--minutes 10": "a 10-minute soak; tests/test_soak.py runs a short one",
    "demos/horde.py": "opens a window and plays until closed; tests/test_demos.py drives it",
    "python demos/boids.py --boids 20000": "opens a window until closed",
    "python demos/boids.py  ": "opens a window until closed",
    "--update": "rewrites a baseline under version control",
    "--max": "searches N upward for minutes",
    "--ramp": "raises N until a criterion fails (minutes)",
    "stress_500.py --benchmark --headless --duration 10": "a 10 s hold after the ramp",
    "--enemies 10000 --duration 600": "a 10-minute hold",
}
"""Command text (a substring) -> why the test does not run it."""

SNIPPET_SKIP: dict[str, str] = {}
"""First line of a python snippet -> why the test does not run it."""


def _blocks(text: str):
    for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M):
        yield m.group(1), m.group(2), text[:m.start()].count("\n") + 1


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
    outside = re.sub(r"^```.*?^```", lambda m: "\n" * m.group(0).count("\n"), text,
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
    for key, why in SKIP.items():
        if key in cmd + " ":
            return why
    if PLACEHOLDER.search(cmd):
        return "a template with placeholders (REPORT, PATH, [--option] ...), not a command"
    return None


def test_the_docs_hold_commands_and_snippets():
    assert len(COMMANDS) >= 10, COMMANDS
    assert len(SNIPPETS) >= 5, SNIPPETS


def test_every_skip_reason_still_matches_a_command():
    texts = [cmd + " " for _, cmd in COMMANDS]
    stale = [key for key in SKIP if not any(key in t for t in texts)]
    assert not stale, f"SKIP entries no document holds any more: {stale}"


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
