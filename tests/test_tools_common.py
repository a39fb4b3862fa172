"""tools/common.py: the parser every tool uses exits 2 with one line, sizes follow the
engine's rule, percentiles by rank, machine info is plain JSON; and every tool runs as
``python -m tools.NAME --help`` from the repository root with no ``sys.path`` edit."""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from tools.common import machine_info, parse_size, percentile, tool_parser

ROOT = Path(__file__).resolve().parents[1]
TOOLS = sorted(p.stem for p in (ROOT / "tools").glob("*.py")
               if p.stem not in ("__init__", "common", "naive_horde"))


def test_parser_errors_are_one_line_and_exit_2(capsys):
    parser = tool_parser("demo", "First line.\n\nMore text.")
    parser.add_argument("--fbo", type=parse_size)
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--fbo", "12x"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("python -m tools.demo: error:")
    assert "WIDTHxHEIGHT" in err and "'12x'" in err
    assert parser.description == "First line." and parser.epilog == "More text."


def test_sizes_follow_the_engine():
    assert parse_size("640X480") == (640, 480)
    with pytest.raises(argparse.ArgumentTypeError, match="WIDTHxHEIGHT"):
        parse_size("0x4")


def test_percentile_by_rank():
    values = list(range(1, 21))
    assert percentile(values, 95) == 20 and percentile(values, 50) == 11
    assert percentile(values, 0) == 1 and math.isnan(percentile([], 95))
    with pytest.raises(ValueError, match="0..100"):
        percentile(values, 101)


def test_machine_info_is_plain_json():
    info = machine_info()
    assert json.loads(json.dumps(info)) == info
    assert info["cores"] >= 1 and info["python"] and info["numpy"]


def test_no_sys_path_edits_in_tools_tests_or_demos():
    edits = tuple("sys.path." + verb for verb in ("insert", "append"))  # not this file's text
    for folder in ("tools", "tests", "demos"):
        for path in (ROOT / folder).glob("*.py"):
            text = path.read_text()
            assert not any(e in text for e in edits), path


@pytest.mark.parametrize("tool", TOOLS)
def test_every_tool_answers_help_as_a_module(tool):
    done = subprocess.run([sys.executable, "-m", f"tools.{tool}", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: python -m tools.{tool}")
