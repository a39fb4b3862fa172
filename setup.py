"""One build step beyond pyproject.toml: ship the repository's data folders inside the package.

The layout keeps ``shaders/`` at the top of the repository and the stock boss scenes in
``demos/scenes/``; the wheel carries them as ``engine/shaders/`` and ``engine/scenes/``, where
``engine.data.resources.resource_dir`` finds them when no checkout is around. An editable
install imports the checkout, which has the originals, so nothing is copied for it.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# folder inside the package -> (folder from the repository root, file patterns)
PACKAGE_DATA_DIRS = {
    "shaders": ("shaders", ("*.vert", "*.frag", "*.geom", "*.comp")),
    "scenes": ("demos/scenes", ("*.toml",)),
}


def _data_files() -> list[tuple[Path, str]]:
    """(source file, destination relative to the build folder) of every shipped data file."""
    out = []
    for dest, (src, patterns) in PACKAGE_DATA_DIRS.items():
        folder = ROOT / src
        if not folder.is_dir():
            raise FileNotFoundError(f"package data: expected the folder {folder}, it is missing")
        for pattern in patterns:
            out += [(f, f"engine/{dest}/{f.name}") for f in sorted(folder.glob(pattern))]
    return out


class BuildPyWithData(build_py):
    """build_py, then the data folders copied into ``<build>/engine/``."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for src, rel in _data_files():
            dest = Path(self.build_lib) / rel
            self.mkpath(str(dest.parent))
            self.copy_file(str(src), str(dest))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        extra = [] if self.editable_mode else [str(Path(self.build_lib) / rel)
                                               for _, rel in _data_files()]
        return list(super().get_outputs(include_bytecode)) + extra


setup(cmdclass={"build_py": BuildPyWithData})
