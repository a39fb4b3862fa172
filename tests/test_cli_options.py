"""Every demo and tool's command line, from outside: ``--help`` runs (exit 0, a description),
every option's help shows its default, the shared names are the only names for their ideas
(``--size``, ``--frames``, ``--report``, ``--warmup``, ``--sizes``, ``--seed``), and bad values
end with one line on stderr and exit code 2, before anything is allocated or opened: a capacity
beyond memory, a size beyond what GL can be asked for, an output path that cannot be written,
a malformed boss scene. Real subprocesses, the real command lines.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.core.options import MAX_SIDE, check_gl_size, check_writable, parse_size

ROOT = Path(__file__).resolve().parent.parent
DEMOS = ["boids", "horde", "minimal", "stress_500"]
TOOLS = sorted(p.stem for p in (ROOT / "tools").glob("*.py")
               if p.stem not in ("__init__", "common"))  # every tool, new ones included
PROGRAMS = [f"demos/{d}.py" for d in DEMOS] + [f"tools.{t}" for t in TOOLS]
RETIRED = {"--fbo", "--max-frames", "--json", "--out", "--width", "--height", "--warmup-ticks",
           "--warmup-frames", "--n"}
"""Old names of the shared options: none of them may come back."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _cmd(program: str) -> list[str]:
    if program.endswith(".py"):
        return [sys.executable, str(ROOT / program)]
    return [sys.executable, "-m", program]


def _run(program: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*_cmd(program), *args], capture_output=True, text=True, cwd=ROOT,
                          env=_env(), timeout=timeout)


def _options(help_text: str) -> dict[str, str]:
    """Option name -> its help text, from the ``options:`` section of ``--help``."""
    section = help_text.split("\noptions:\n", 1)[1]
    section = re.split(r"\n\n(?=\S)", section, maxsplit=1)[0]  # up to the epilog
    out: dict[str, str] = {}
    name = None
    for line in section.splitlines():
        m = re.match(r"^  (-\w, )?(--[\w-]+)(.*)$", line)
        if m:
            name = m.group(2)
            out[name] = m.group(3)
        elif name is not None:
            out[name] += " " + line.strip()
    return {k: " ".join(v.split()) for k, v in out.items()}


@pytest.fixture(scope="module")
def helps() -> dict[str, str]:
    out = {}
    for program in PROGRAMS:
        done = _run(program, "--help")
        assert done.returncode == 0, f"{program} --help: {done.stderr}"
        out[program] = done.stdout
    return out


@pytest.mark.parametrize("program", PROGRAMS)
def test_help_runs_describes_and_shows_every_default(helps, program):
    text = helps[program]
    assert text.startswith("usage:"), text[:200]
    description = text.split("\n\n", 2)[1].strip()
    assert len(description) > 20, f"{program}: description {description!r}"
    assert description.endswith((".", ":", ")")), f"{program}: description ends mid-sentence"
    options = _options(text)
    assert options, f"{program}: no options parsed from its help"
    for name, help_line in options.items():
        if name == "--help":
            continue
        assert "(default: " in help_line, f"{program} {name}: no default shown: {help_line!r}"


@pytest.mark.parametrize("program", PROGRAMS)
def test_the_shared_names_are_the_only_names(helps, program):
    options = set(_options(helps[program]))
    assert not options & RETIRED, f"{program} still has {sorted(options & RETIRED)}"


def test_the_shared_options_mean_the_same_everywhere(helps):
    """One help line per shared option wherever the option is the shared one."""
    seen: dict[str, set[str]] = {}
    for text in helps.values():
        for name, line in _options(text).items():
            if name in ("--headless", "--benchmark"):
                seen.setdefault(name, set()).add(line)
    assert seen["--headless"] and seen["--benchmark"]
    assert all(len(lines) == 1 for lines in seen.values()), seen


# ----------------------------------------------------------------------------- bad values

BAD = [
    ("demos/stress_500.py", ["--enemies", "999999999999"], "memory"),
    ("demos/stress_500.py", ["--size", "100000x100000"], f"at most {MAX_SIDE}"),
    ("demos/stress_500.py", ["--report", "/proc/no/such/r.json"], "--report"),
    ("demos/stress_500.py", ["--report", "/dev/null/r.json"], "not a directory"),
    ("demos/stress_500.py", ["--frames", "0"], "--frames"),
    ("demos/horde.py", ["--enemies", "999999999999"], "memory"),
    ("demos/horde.py", ["--size", "100000x100000"], f"at most {MAX_SIDE}"),
    ("demos/horde.py", ["--screenshot", "/proc/no/shot.png"], "--screenshot"),
    ("demos/boids.py", ["--boids", "999999999999"], "memory"),
    ("demos/boids.py", ["--screenshot", "/dev/null/shot.png"], "--screenshot"),
    ("demos/minimal.py", ["--size", "0x10"], "--size"),
    ("tools.bench_combat", ["--sizes", "999999999999"], "memory"),
    ("tools.bench_combat", ["--report", "/proc/no/b.json"], "--report"),
    ("tools.bench_scale", ["--report", "/proc/no/b.json"], "--report"),
    ("tools.bench_scale", ["--size", "20000x10"], f"at most {MAX_SIDE}"),
    ("tools.bench_profiler", ["--enemies", "999999999999"], "memory"),
    ("tools.bench_render", ["--sizes", "0"], "positive"),
    ("tools.bench_spatial", ["--sizes", "10,x"], "positive"),
    ("tools.naive_horde", ["--enemies", "999999999999"], "--enemies"),
    ("tools.plot_report", ["r.json", "--plots-dir", "/proc/no"], "--plots-dir"),
]


def _one_line_exit_2(done: subprocess.CompletedProcess, expect: str) -> None:
    err = done.stderr.strip()
    assert done.returncode == 2, (done.returncode, done.stdout[-500:], err)
    assert "Traceback" not in err and err.count("\n") == 0, err
    assert expect in err, err


@pytest.mark.parametrize(("program", "args", "expect"), BAD,
                         ids=[f"{p}:{' '.join(a)}" for p, a, _ in BAD])
def test_a_bad_value_is_one_line_and_exit_2(program, args, expect):
    _one_line_exit_2(_run(program, *args, timeout=60), expect)


def test_size_checks():
    assert parse_size("640X480") == (640, 480)
    with pytest.raises(ValueError, match="at most"):
        parse_size(f"{MAX_SIDE + 1}x10")
    info = {"GL_MAX_TEXTURE_SIZE": 8192, "GL_MAX_RENDERBUFFER_SIZE": 8192,
            "GL_MAX_VIEWPORT_DIMS": (8192, 8192)}
    assert check_gl_size(info, 8192, 8192) is None
    assert "GL_MAX_TEXTURE_SIZE of 8192" in str(check_gl_size(info, 8193, 10))
    assert "GL_MAX_VIEWPORT_DIMS" in str(check_gl_size({"GL_MAX_VIEWPORT_DIMS": (100, 50)},
                                                        10, 60))


def test_check_writable(tmp_path):
    assert check_writable(tmp_path / "new" / "dir" / "r.json") is None
    assert (tmp_path / "new" / "dir").is_dir()  # made, as the run would
    assert not list((tmp_path / "new" / "dir").iterdir())  # the probe is gone
    assert "is a directory" in str(check_writable(tmp_path))
    (tmp_path / "file").write_text("x")
    assert "not a directory" in str(check_writable(tmp_path / "file" / "r.json"))


# ----------------------------------------------------------------------------- bad scenes

BAD_SCENES = {
    "not_toml": "this is [not toml",
    "no_states": '[boss]\nname = "x"\nhp = 100\n',
    "absurd_size": None,  # the stock brute with size = 1e308
}


def _scene(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.toml"
    text = BAD_SCENES[kind]
    if text is None:
        from engine.combat.stock_scenes import stock_scene

        stock = Path(stock_scene("brute")).read_text()
        text, n = re.subn(r"(?m)^size\s*=.*$", "size = 1e308", stock)
        assert n, "the stock brute has no size line to break"
    path.write_text(text)
    return path


_STRESS_DRIVER = """
import sys
from engine.acceptance import cli
from engine.combat import BossWave, World

def world_factory(config, seed):
    config.bosses = (BossWave(time=0.5, scene={scene!r}),)
    return World(config, seed=seed)

options = cli.parse_args(["--enemies", "50", "--duration", "1", "--headless", "--benchmark",
                          "--size", "320x180", "--no-dashboard", "--report", {report!r}])
sys.exit(cli.run_acceptance(options, world_factory=world_factory))
"""

_HORDE_DRIVER = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("horde_demo", {demo!r})
horde = importlib.util.module_from_spec(spec)
spec.loader.exec_module(horde)
horde.BOSS_SCENES = ({scene!r}, {scene!r})
sys.exit(horde.main(["--headless", "--frames", "3", "--size", "320x180", "--no-dashboard"]))
"""


@pytest.mark.gl
@pytest.mark.parametrize("kind", sorted(BAD_SCENES))
def test_a_malformed_scene_through_stress_500_is_one_line_and_exit_2(tmp_path, kind):
    scene = _scene(tmp_path, kind)
    code = _STRESS_DRIVER.format(scene=str(scene), report=str(tmp_path / "r.json"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=_env(), timeout=120)
    _one_line_exit_2(done, scene.name)
    assert not (tmp_path / "r.json").exists()


@pytest.mark.gl
@pytest.mark.parametrize("kind", sorted(BAD_SCENES))
def test_a_malformed_scene_through_horde_is_one_line_and_exit_2(tmp_path, kind):
    scene = _scene(tmp_path, kind)
    code = _HORDE_DRIVER.format(demo=str(ROOT / "demos" / "horde.py"), scene=str(scene))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=_env(), timeout=120)
    _one_line_exit_2(done, scene.name)


# ----------------------------------------------------------------------------- report names

def test_default_report_names_follow_the_run(tmp_path, monkeypatch):
    from engine.acceptance.cli import parse_args

    monkeypatch.chdir(tmp_path)  # the check makes the report's directory
    assert parse_args([]).report == Path("reports/stress_500.json")
    assert parse_args(["--enemies", "2000", "--benchmark"]).report == \
        Path("reports/stress_500_n2000_benchmark.json")
    assert parse_args(["--enemies", "500", "--seed", "1"]).report == \
        Path("reports/stress_500.json")  # the defaults spelled out are the default run
    assert parse_args(["--ramp", "--size", "320x180", "--duration", "2.5"]).report == \
        Path("reports/stress_500_ramp_d2.5_320x180.json")
    assert parse_args(["--step", "50"]).report == Path("reports/stress_500.json")  # hold only
    assert parse_args(["--report", "x/mine.json"]).report == Path("x/mine.json")


def test_provenance_names_version_commit_and_command_line(monkeypatch):
    import engine
    from engine.acceptance.outputs import checkout_commit, provenance

    monkeypatch.setattr(sys, "argv", ["demos/stress_500.py", "--enemies", "7"])
    got = provenance()
    assert got["engine_version"] == engine.__version__
    assert got["command_line"] == ["demos/stress_500.py", "--enemies", "7"]
    if (ROOT / ".git").exists():
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True).stdout.strip()
        assert got["commit"] == head == checkout_commit()
