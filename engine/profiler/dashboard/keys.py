"""Panel names, their keys and titles (this module itself needs no imgui)."""

from __future__ import annotations

__all__ = ["DEFAULT_KEYS", "KEY_TOGGLE_ALL", "PANELS", "TITLES", "key_label"]

PANELS: tuple[str, ...] = ("overview", "frame", "allocations", "gc", "memory", "pools",
                           "combat", "render")

# GLFW key codes (fixed by the GLFW API). The profiler does not import glfw: only
# engine.core._glfw may, so that pyGLFW and ImGui share one libglfw.
_KEY_F1 = 290
KEY_TOGGLE_ALL = 301
"""F12: show / hide the whole dashboard."""
DEFAULT_KEYS: dict[str, int] = {name: _KEY_F1 + i for i, name in enumerate(PANELS)}
"""Panel name -> GLFW key code (F1..F8)."""

TITLES = {
    "overview": "Overview", "frame": "Frame", "allocations": "Allocations", "gc": "GC",
    "memory": "Memory", "pools": "Pools", "combat": "Combat", "render": "Render",
}


def key_label(key: int) -> str:
    """How the help bar names a GLFW key code."""
    if _KEY_F1 <= key <= _KEY_F1 + 24:
        return f"F{key - _KEY_F1 + 1}"
    if key == 96:
        return "`"
    if 32 < key < 127:
        return chr(key)
    return f"key {key}"
