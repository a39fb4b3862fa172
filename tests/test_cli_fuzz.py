"""Property-based fuzzing of every command-line parser (the demos', the tools', the acceptance
run's), in-process: a random argv list either parses or ends in ``SystemExit(2)`` with one line
on stderr, never a traceback. The words come from each parser's own option names mixed with
random values (numbers of every size and sign, NaN and infinities, sizes, lists, junk text).
Paths the values name are relative (the parsers create an output's missing directories), so the
test runs in a temporary working directory.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent


def _demo(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"_fuzz_demo_{name}", ROOT / "demos" /
                                                  f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parsers() -> dict[str, tuple[Callable[[list[str]], Any], list[str]]]:
    """name -> (parse function, its option strings)."""
    from engine.acceptance import cli
    from tools import (
        bench_combat,
        bench_data,
        bench_profiler,
        bench_render,
        bench_scale,
        bench_spatial,
        compare_baseline,
        naive_horde,
        plot_report,
    )

    boids, horde, minimal = _demo("boids"), _demo("horde"), _demo("minimal")
    funcs: dict[str, Callable[[list[str]], Any]] = {
        "stress_500": cli.parse_args, "boids": boids.parse_args, "horde": horde.parse_args,
        "minimal": minimal.parse_args, "bench_combat": bench_combat.parse_args,
        "bench_data": bench_data.parse_args, "bench_profiler": bench_profiler.parse_args,
        "bench_render": bench_render.parse_args, "bench_scale": bench_scale.parse_args,
        "bench_spatial": bench_spatial.parse_args,
        "compare_baseline": lambda argv: compare_baseline.build_parser().parse_args(argv),
        "naive_horde": naive_horde.parse_args, "plot_report": plot_report.parse_args,
    }
    out = {}
    for name, fn in funcs.items():
        words = _option_words(fn)
        out[name] = (fn, words)
    return out


def _option_words(fn: Callable[[list[str]], Any]) -> list[str]:
    """The option names of the parser ``fn`` uses, read from its ``--help``."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        fn(["--help"])
    usage = out.getvalue().split("\n\n", 1)[0]
    return sorted(set(re.findall(r"--[a-z][\w-]*", usage)))


PARSERS = _parsers()

_junk = st.text(alphabet="abcx0123456789.,-_ k", max_size=12)
_values = st.one_of(
    st.integers(min_value=-10**15, max_value=10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "-0", "0", "1", "2k", "100k", "0x0",
                     "320x180", "16385x2", "1280x720", "1,2,3", "5,,", "r.json", "out/r.json",
                     "r.txt", "", " ", "x"]),
    st.tuples(st.integers(0, 20000), st.integers(0, 20000)).map(lambda t: f"{t[0]}x{t[1]}"),
    _junk,
)


@pytest.fixture(scope="module", autouse=True)
def _in_a_temporary_directory(tmp_path_factory):
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("cli_fuzz"))
    try:
        yield
    finally:
        os.chdir(here)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_random_command_line_parses_or_is_one_line_and_exit_2(name, data):
    fn, words = PARSERS[name]
    argv = data.draw(st.lists(st.one_of(st.sampled_from(words), _values), max_size=8),
                     label="argv")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            fn(argv)
        except SystemExit as exc:
            assert exc.code == 2, (argv, exc.code, err.getvalue())
            text = err.getvalue()
            assert text.count("\n") == 1 and text.endswith("\n"), (argv, text)
            assert "Traceback" not in text
            return
    assert err.getvalue() == "", (argv, err.getvalue())
