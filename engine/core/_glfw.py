"""The one place the engine imports pyGLFW.

imgui-bundle ships its own ``libglfw.so`` and its ImGui GLFW backend (C++) is linked against
it. pyGLFW must load that same library, or the engine and ImGui would each drive a separate
GLFW (two sets of globals: a window made by one is unknown to the other). pyGLFW reads
``PYGLFW_LIBRARY`` at import time, so it is set here, before ``import glfw``; a value already
in the environment wins (``setdefault``). Import glfw only as ``from engine.core._glfw import
glfw``.

Importing glfw needs no display; only ``glfw.init()`` does.
"""

from __future__ import annotations

import importlib.util
import os

__all__ = ["glfw", "GLFW_LIBRARY", "imgui_bundle_glfw_library"]


def imgui_bundle_glfw_library() -> str | None:
    """Path of imgui-bundle's ``libglfw.so``, or None if imgui-bundle or the file is missing."""
    spec = importlib.util.find_spec("imgui_bundle")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = os.path.join(folder, "libglfw.so")
        if os.path.isfile(path):
            return path
    return None


GLFW_LIBRARY: str | None = imgui_bundle_glfw_library()
"""imgui-bundle's libglfw that pyGLFW is pointed at (None: pyGLFW's own search applies)."""

if GLFW_LIBRARY is not None:
    os.environ.setdefault("PYGLFW_LIBRARY", GLFW_LIBRARY)

import glfw  # noqa: E402  (must follow PYGLFW_LIBRARY)
