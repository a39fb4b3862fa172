"""Where the engine's data files are: the checkout's folders while developing (so hot reload
edits the files under version control), the copies installed inside the package otherwise.

A checkout is recognised by the ``pyproject.toml`` beside the ``engine`` package; an installed
engine sits in ``site-packages``, which has none. An editable install imports ``engine`` from
the checkout, so it finds the checkout's folders too.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PACKAGE_DIR", "resource_dir"]

PACKAGE_DIR = Path(__file__).resolve().parents[1]
"""The ``engine`` package folder."""


def resource_dir(installed: str, checkout: str) -> Path:
    """The folder holding one kind of data file.

    Args:
        installed: its path inside the installed package (``"shaders"``: ``engine/shaders``);
            setup.py's build step copies it there.
        checkout: its path from the repository root (``"shaders"``, ``"demos/scenes"``).

    Returns:
        ``<repository>/<checkout>`` when running from a checkout that has it, else
        ``<engine package>/<installed>``. Existence is not checked beyond that: a missing
        folder shows as the loader's own error, naming the path.
    """
    root = PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / checkout).is_dir():
        return root / checkout
    return PACKAGE_DIR / installed
