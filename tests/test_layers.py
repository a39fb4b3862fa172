"""The layer contract of docs/ARCHITECTURE.md, held by reading every engine module's imports.

A new import that points the wrong way (combat -> render, data -> anything, a GL import in the
data or combat layer) fails here, with the file and the import named.
"""

from __future__ import annotations

import ast
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
    "acceptance": {"data", "profiler"},
}
# third-party modules a layer must never import (GPU, window, UI)
FORBIDDEN: dict[str, set[str]] = {
    "data": {"moderngl", "glfw", "imgui_bundle", "pyrr"},
    "combat": {"moderngl", "glfw", "imgui_bundle"},
    "render": {"glfw", "imgui_bundle"},
    "acceptance": {"moderngl", "glfw", "imgui_bundle"},
}


def imports_of(path: Path, layer: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                out.append((node.lineno, node.module or ""))
            elif node.level == 1:
                out.append((node.lineno, f"engine.{layer}.{node.module or ''}"))
            else:  # ..x from engine/<layer>/ is engine.x
                out.append((node.lineno, f"engine.{node.module or ''}"))
    return out


def layer_files():
    for layer in ALLOWED:
        for path in sorted((ENGINE / layer).glob("*.py")):
            yield layer, path


def violations(layer: str, path: Path) -> list[str]:
    """Each import of the file that breaks the layer contract, as one line."""
    bad = []
    for line, mod in imports_of(path, layer):
        top = mod.split(".")[0]
        if top == "engine":
            parts = mod.split(".")
            target = parts[1] if len(parts) > 1 else ""
            if target and target != layer and target not in ALLOWED[layer]:
                bad.append(f"{path.relative_to(ENGINE.parent)}:{line} imports {mod} "
                           f"({layer} may import {sorted(ALLOWED[layer]) or 'no engine layer'})")
        elif top in FORBIDDEN.get(layer, ()):
            bad.append(f"{path.relative_to(ENGINE.parent)}:{line} imports {mod} "
                       f"(forbidden in the {layer} layer)")
    return bad


@pytest.mark.parametrize("layer, path", list(layer_files()),
                         ids=lambda v: v if isinstance(v, str) else v.name)
def test_imports_point_one_way(layer, path):
    bad = violations(layer, path)
    assert not bad, "\n".join(bad)


def test_every_engine_folder_is_a_known_layer():
    folders = {p.name for p in ENGINE.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert folders == set(ALLOWED), f"unknown layer folders: {folders ^ set(ALLOWED)}"


def test_the_check_catches_a_wrong_import():
    """The checker itself can fail: a combat module importing render is reported."""
    fake = ENGINE / "combat" / "_planted_bad_import.py"
    fake.write_text("from engine.render import Renderer\nfrom ..core import App\nimport moderngl\n")
    try:
        bad = violations("combat", fake)
    finally:
        fake.unlink()
    assert len(bad) == 3, bad
    assert "imports engine.render" in bad[0] and "imports engine.core" in bad[1]
    assert "forbidden in the combat layer" in bad[2]
