"""The layer contract of docs/ARCHITECTURE.md, held by reading every engine module's imports.

A new import that points the wrong way (combat -> render, data -> anything, a GL import in the
data or combat layer) fails here, with the file and the import named; so does an import cycle
inside a layer, with the modules of the cycle named. The checkers take the ``engine`` folder
as an argument, so the tests that show they can fail plant their bad files in a fake tree under
``tmp_path``, never in the source tree.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parent.parent / "engine"

# layer -> engine layers it may import
ALLOWED: dict[str, set[str]] = {
    "data": set(),
    "core": {"data"},
    "render": {"data"},
    "combat": {"data"},
    "profiler": {"data"},
    "horde": {"data", "core", "render", "combat", "profiler"},
    "acceptance": {"data", "core", "render", "combat", "profiler", "horde"},
    # The gallery of runnable examples: programs on top of every layer.
    "examples": {"data", "core", "render", "combat", "profiler", "horde", "acceptance"},
}
# The acceptance layer's pure modules (judging, reporting, the phase machine) run without an
# App or GL, so they may import only these layers.
PURE: dict[str, tuple[set[str], set[str]]] = {
    "acceptance": ({"criteria", "report", "baseline", "calibration", "plots", "run"},
                   {"data", "profiler"}),
}
# third-party modules a layer must never import (GPU, window, UI)
FORBIDDEN: dict[str, set[str]] = {
    "data": {"moderngl", "glfw", "imgui_bundle", "pyrr"},
    "combat": {"moderngl", "glfw", "imgui_bundle"},
    "render": {"glfw", "imgui_bundle"},
    "acceptance": {"moderngl", "glfw", "imgui_bundle"},
}
# Layer folders that must exist; the others of ALLOWED may be absent (a layer being added).
REQUIRED = {"data", "core", "render", "combat", "profiler", "horde", "acceptance", "examples"}


# ------------------------------------------------------------------ reading a tree


def module_name(engine: Path, path: Path) -> str:
    """The dotted module name of a file under ``engine`` (a package's ``__init__`` is the
    package): ``engine/combat/systems/melee.py`` -> ``engine.combat.systems.melee``."""
    parts = [engine.name, *path.relative_to(engine).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(engine: Path, path: Path) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, absolute module, imported names) of every import in the file, wherever it is
    (module level, under ``if TYPE_CHECKING:``, inside a function).

    A relative import of level N resolves from the file's own package: level 1 is that
    package, each further level one package up.

    Raises:
        ValueError: a relative import climbs above the ``engine`` package.
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(engine, path).split(".")
    if path.name != "__init__.py":
        package.pop()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = tuple(alias.name for alias in node.names)
            if node.level == 0:
                out.append((node.lineno, node.module or "", names))
                continue
            if node.level > len(package):
                raise ValueError(f"{path}:{node.lineno}: a level-{node.level} relative import "
                                 f"climbs above the package {'.'.join(package)!r}")
            base = package[:len(package) - node.level + 1]
            mod = ".".join(base + ([node.module] if node.module else []))
            out.append((node.lineno, mod, names))
    return out


def layer_files(engine: Path = ENGINE) -> Iterator[tuple[str, Path]]:
    """(layer, file) of every module of every known layer, subpackages included."""
    for layer in ALLOWED:
        folder = engine / layer
        if folder.is_dir():
            for path in sorted(folder.rglob("*.py")):
                yield layer, path


def layer_of(engine: Path, path: Path) -> str:
    return path.relative_to(engine).parts[0]


# ------------------------------------------------------------------ one-way between layers


def violations(engine: Path, path: Path) -> list[str]:
    """Each import of the file that breaks the layer contract, as one line."""
    layer = layer_of(engine, path)
    allowed = ALLOWED[layer]
    pure_modules, pure_allowed = PURE.get(layer, (set(), set()))
    if path.relative_to(engine / layer).with_suffix("").as_posix() in pure_modules:
        allowed = pure_allowed
        rule = f"the pure module {path.stem} of {layer}"
    else:
        rule = layer
    where = path.relative_to(engine.parent)
    bad = []
    for line, mod, _names in imports_of(engine, path):
        parts = mod.split(".")
        if parts[0] == engine.name:
            target = parts[1] if len(parts) > 1 else ""
            if target and target != layer and target not in allowed:
                bad.append(f"{where}:{line} imports {mod} "
                           f"({rule} may import {sorted(allowed) or 'no engine layer'})")
        elif parts[0] in FORBIDDEN.get(layer, ()):
            bad.append(f"{where}:{line} imports {mod} (forbidden in the {layer} layer)")
    return bad


# ------------------------------------------------------------------ no cycle inside a layer


def layer_graph(engine: Path, layer: str) -> dict[str, dict[str, int]]:
    """module -> {module of the same layer it imports: first line}.

    ``from pkg import name`` is an edge to ``pkg.name`` when that is a module, else to ``pkg``.
    Imports under ``if TYPE_CHECKING:`` count: a type-only cycle still ties the modules
    together (neither can be read, typed or moved without the other), and it is the cycle the
    layer rule is about. Only the module named is an edge, not the parent packages Python
    also imports on the way.
    """
    files = [p for lay, p in layer_files(engine) if lay == layer]
    modules = {module_name(engine, p) for p in files}
    graph: dict[str, dict[str, int]] = {}
    for path in files:
        me = module_name(engine, path)
        edges = graph.setdefault(me, {})
        for line, mod, names in imports_of(engine, path):
            targets = [f"{mod}.{n}" if f"{mod}.{n}" in modules else mod for n in names] or [mod]
            for target in targets:
                if target in modules and target != me:
                    edges.setdefault(target, line)
    return graph


def cycles(engine: Path, layer: str) -> list[list[str]]:
    """The import cycles of a layer: each group of modules that import one another in a
    circle (a strongly connected component, by Tarjan's algorithm), sorted."""
    graph = layer_graph(engine, layer)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(groups)


def shortest_cycle(graph: dict[str, dict[str, int]], group: list[str]) -> list[str]:
    """One shortest cycle through the group's first module, that module first and last."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w == start:
                    return paths[v] + [start]
                if w in members and w not in paths:
                    paths[w] = paths[v] + [w]
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"{group} is not strongly connected")


def describe(engine: Path, layer: str, group: list[str]) -> str:
    """The group's modules and one cycle through them, with the line of each import."""
    graph = layer_graph(engine, layer)
    cycle = shortest_cycle(graph, group)
    steps = [f"{a} (line {graph[a][b]})" for a, b in zip(cycle, cycle[1:])]
    return (f"{len(group)} modules in a cycle: {', '.join(group)}\n"
            f"  e.g. {' -> '.join(steps + [cycle[-1]])}")


# ------------------------------------------------------------------ the tests


@pytest.mark.parametrize("layer, path", list(layer_files()),
                         ids=lambda v: v if isinstance(v, str) else
                         v.relative_to(ENGINE).as_posix())
def test_imports_point_one_way(layer, path):
    bad = violations(ENGINE, path)
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("layer", [lay for lay in ALLOWED if (ENGINE / lay).is_dir()])
def test_no_import_cycle_inside_a_layer(layer):
    found = cycles(ENGINE, layer)
    assert not found, f"import cycles in engine/{layer}:\n" + "\n".join(
        describe(ENGINE, layer, c) for c in found)


def test_every_engine_folder_is_a_known_layer():
    folders = {p.name for p in ENGINE.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert folders <= set(ALLOWED), f"unknown layer folders: {sorted(folders - set(ALLOWED))}"
    assert REQUIRED <= folders, f"missing layer folders: {sorted(REQUIRED - folders)}"


def _fake_tree(root: Path, files: dict[str, str]) -> Path:
    """An ``engine`` package under ``root`` holding ``files`` (path -> source), with the
    ``__init__.py`` of every folder on the way."""
    engine = root / "engine"
    for rel, source in files.items():
        path = engine / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        folder = path.parent
        while folder != root:
            (folder / "__init__.py").touch()
            folder = folder.parent
        path.write_text(source)
    return engine


def test_the_check_catches_a_wrong_import(tmp_path):
    """The checker itself can fail: a combat module importing render, core (relatively, from
    a subpackage) or moderngl is reported; its allowed imports are not."""
    engine = _fake_tree(tmp_path, {
        "combat/systems/_planted_bad_import.py": (
            "from engine.render import Renderer\n"
            "from ...core import App\n"
            "import moderngl\n"
            "from ..state import WorldState\n"
            "from ...data import store\n"),
        "combat/state.py": "",
    })
    bad = violations(engine, engine / "combat" / "systems" / "_planted_bad_import.py")
    assert len(bad) == 3, bad
    assert "imports engine.render" in bad[0] and "imports engine.core" in bad[1]
    assert "forbidden in the combat layer" in bad[2]


def test_relative_imports_resolve_from_the_files_own_package(tmp_path):
    engine = _fake_tree(tmp_path, {
        "core/target/glfw.py": "from . import base\nfrom .base import B\nfrom .. import clock\n"
                               "from ..scheduler import S\nfrom ...data import pool\n",
        "core/target/__init__.py": "from .glfw import G\n",
    })
    got = [m for _, m, _ in imports_of(engine, engine / "core" / "target" / "glfw.py")]
    assert got == ["engine.core.target", "engine.core.target.base", "engine.core",
                   "engine.core.scheduler", "engine.data"]
    got = [m for _, m, _ in imports_of(engine, engine / "core" / "target" / "__init__.py")]
    assert got == ["engine.core.target.glfw"]


def test_the_check_catches_an_import_cycle(tmp_path):
    """A planted cycle inside a layer, one leg of it type-only, is found and named; the same
    tree with the leg removed has none."""
    files = {
        "combat/world.py": "from .systems.melee import Melee\n",
        "combat/systems/melee.py": ("from typing import TYPE_CHECKING\n"
                                    "from ..state import WorldState\n"
                                    "if TYPE_CHECKING:\n"
                                    "    from engine.combat.world import World\n"),
        "combat/state.py": "import numpy\n",
        "profiler/a.py": "from . import b\n",
        "profiler/b.py": "def f():\n    from .a import g\n",
    }
    engine = _fake_tree(tmp_path, files)
    assert cycles(engine, "combat") == [["engine.combat.systems.melee", "engine.combat.world"]]
    assert "engine.combat.systems.melee (line 4) -> engine.combat.world (line 1)" in \
        describe(engine, "combat", cycles(engine, "combat")[0])
    assert cycles(engine, "profiler") == [["engine.profiler.a", "engine.profiler.b"]]
    assert cycles(engine, "data") == []

    (engine / "combat" / "systems" / "melee.py").write_text("from ..state import WorldState\n")
    assert cycles(engine, "combat") == []
