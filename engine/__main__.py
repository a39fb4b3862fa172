"""``python -m engine``: what is installed, whether it can draw here, and what to run next.

Prints the version and where the package is imported from, the OpenGL renderer that the
engine's headless path (a standalone EGL context) gets, where the stock shaders and boss
scenes are found, and the next commands. Exit code 0 when a context was made and the stock
shaders are there, 1 otherwise (the line at fault says what was expected).
"""

from __future__ import annotations

import importlib.util
import sys
from importlib import metadata
from pathlib import Path

import engine
from engine.combat.stock_scenes import STOCK_SCENE_DIR
from engine.data.resources import PACKAGE_DIR
from engine.render.shaders import DEFAULT_SHADER_DIR

__all__ = ["main", "gl_renderer"]

DISTRIBUTION = "hordekit"
STOCK_PROGRAMS = ("sprite", "particle")


def gl_renderer() -> tuple[str | None, str]:
    """``(renderer, "")`` from a 16 x 16 headless App, or ``(None, why)`` when no OpenGL 3.3
    context could be made (``why``: the first line of the error)."""
    try:
        app = engine.App(engine.AppConfig(width=16, height=16, headless=True))
    except Exception as exc:  # moderngl/glcontext raise plain Exceptions for a missing EGL
        lines = str(exc).strip().splitlines()
        return None, f"{type(exc).__name__}: {lines[0] if lines else 'no message'}"
    try:
        info = app.ctx.info
        return f"{info['GL_RENDERER']} (OpenGL {info['GL_VERSION']}, {info['GL_VENDOR']})", ""
    finally:
        app.close()


def _version() -> str:
    try:
        return f"{DISTRIBUTION} {metadata.version(DISTRIBUTION)}"
    except metadata.PackageNotFoundError:  # a checkout on PYTHONPATH, not installed
        return f"{DISTRIBUTION} {engine.__version__} (not installed)"


def _folder(label: str, folder: Path, names: tuple[str, ...], suffix: str) -> bool:
    """Print where ``label`` files are; False (and what is missing) when some are not."""
    missing = [n for n in names if not (folder / f"{n}{suffix}").is_file()]
    if missing:
        print(f"{label}: {folder} - expected {', '.join(n + suffix for n in missing)}, "
              f"not found")
        return False
    print(f"{label}: {folder}")
    return True


def main(argv: list[str] | None = None) -> int:
    """Print the report; ``argv`` is accepted for the console script and must be empty."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        print(f"usage: python -m engine (no options), got {' '.join(args)!r}", file=sys.stderr)
        return 2
    from_checkout = not DEFAULT_SHADER_DIR.is_relative_to(PACKAGE_DIR)
    where = "checkout" if from_checkout else "installed"
    print(f"{_version()}, import package 'engine' from {PACKAGE_DIR} ({where})")
    renderer, why = gl_renderer()
    if renderer is None:
        print(f"GL: none - expected an OpenGL 3.3 context from standalone EGL, got {why} "
              f"(Linux: install libegl1 libegl-mesa0 libgl1-mesa-dri, or a GPU driver)")
    else:
        print(f"GL: {renderer} via standalone EGL")
    ok = renderer is not None
    ok &= _folder("shaders", DEFAULT_SHADER_DIR, STOCK_PROGRAMS, ".vert")
    ok &= _folder("boss scenes", STOCK_SCENE_DIR, ("brute", "spitter"), ".toml")
    print("next:")
    if importlib.util.find_spec("engine.acceptance.cli") is not None:
        print("  hordekit-stress --headless --duration 10   the acceptance run, short "
              "(hordekit-stress --help: every option)")
    if from_checkout:
        print("  make test                                   lint, types and the test suite")
    print("  python -c 'import engine; help(engine)'     the public API: App, World, Renderer, "
          "Profiler, ...")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
