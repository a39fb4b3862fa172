"""ShaderLibrary: GLSL programs loaded by name from a directory, with hot reload.

A program ``name`` is the pair ``<dir>/<name>.vert`` + ``<dir>/<name>.frag``. ``get(name)``
compiles it on first use; a missing file or a compile error then raises, naming the file and
the line. ``check_reload()`` compares each loaded file's (mtime_ns, size) with what it last saw
and recompiles the programs whose files changed:

* success: the new program replaces the old one (the old one is released; ``generation[name]``
  is bumped, so users rebuild their vertex arrays), and the program's error is cleared;
* failure: the last good program keeps drawing, and the error is recorded with its file and
  line in ``errors[name]`` and ``last_error`` (for the dashboard). A file that vanished is a
  recorded error too, not a crash.

A source file may hold any bytes: one that is not UTF-8, or has a NUL byte (the driver would
silently stop reading there), is an error naming its file and line, like a compile error, on
first load (:class:`ShaderCompileError`) and under hot reload (recorded, last good program kept).

Mesa (and most drivers) write compile errors as ``0:LINE(COL): error: message``; NVIDIA writes
``0(LINE) : error ...``. Both are parsed; the stage header moderngl adds to its message
(``vertex_shader`` / ``fragment_shader``) says which file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import moderngl

from engine.data.resources import resource_dir

from .gl import GraphicsContext

__all__ = ["ShaderLibrary", "ShaderError", "ShaderCompileError", "ShaderNotFoundError",
           "parse_compile_log", "DEFAULT_SHADER_DIR"]

DEFAULT_SHADER_DIR = resource_dir("shaders", "shaders")
"""The stock programs (``sprite``, ``particle``, ``text``): the checkout's top-level ``shaders/``
while developing (hot reload edits the files under version control), else the copy installed as
``engine/shaders``."""

_STAGES = (("vertex_shader", ".vert"), ("fragment_shader", ".frag"),
           ("geometry_shader", ".geom"))
_MESA = re.compile(r"^\s*\d+:(\d+)\((\d+)\):\s*(?:error|ERROR)\s*:?\s*(.*)$")
_NVIDIA = re.compile(r"^\s*\d+\((\d+)\)\s*:\s*(?:error|ERROR)\s*(.*)$")
_HEADER = re.compile(r"^(vertex_shader|fragment_shader|geometry_shader|Program)\s*$")


@dataclass(frozen=True)
class ShaderError:
    """One compile or link error, located as well as the driver's log allows."""

    program: str
    """The program name (``sprite`` for sprite.vert + sprite.frag)."""
    file: str
    """The file at fault (the .vert or .frag path; both joined by ``+`` for a link error)."""
    line: int | None
    """1-based line in ``file``, when the driver gave one."""
    column: int | None
    """Column, when the driver gave one."""
    message: str
    """The first error message of the log."""
    log: str
    """The whole compiler/linker log."""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column is not None and self.line is not None:
            where += f":{self.column}"
        return f"{where}: {self.message}"


class ShaderCompileError(ValueError):
    """A program failed to compile or link on first load, or a source of it is not GLSL text
    (not UTF-8, or a NUL byte); ``error`` locates it."""

    def __init__(self, error: ShaderError) -> None:
        super().__init__(f"shader program {error.program!r} failed: {error}")
        self.error = error


class ShaderNotFoundError(FileNotFoundError):
    """A shader source file does not exist."""


class _SourceError(Exception):
    """A source file's bytes are not GLSL text; ``error`` locates the first bad byte."""

    def __init__(self, error: ShaderError) -> None:
        super().__init__(str(error))
        self.error = error
        self.stamps: dict[str, tuple[int, int]] = {}
        """The program's file stamps when it was read, so an unchanged bad file is not
        read again on every poll."""


def _decode(program: str, path: Path, data: bytes) -> str:
    """The text of a source file, or :class:`_SourceError` naming its file and line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at, why = exc.start, f"expected UTF-8 text, got undecodable bytes ({exc.reason})"
    else:
        at = data.find(b"\0")  # in UTF-8 a 0 byte is only ever NUL
        if at < 0:
            return text
        why = "expected GLSL text, got a NUL byte"
    line = data.count(b"\n", 0, at) + 1
    column = at - (data.rfind(b"\n", 0, at) + 1) + 1
    raise _SourceError(ShaderError(program, str(path), line, column, f"{why} at byte {at}", ""))


def parse_compile_log(log: str, program: str, files: dict[str, Path]) -> ShaderError:
    """Locate the first error of a moderngl compile/link message.

    Args:
        log: ``str(moderngl.Error)``.
        program: the program name.
        files: stage (``vertex_shader``, ``fragment_shader``...) -> source path.

    Returns:
        The located error; when no stage or line can be found, ``file`` names every source and
        ``line`` is None.
    """
    stage: str | None = None
    for raw in log.splitlines():
        header = _HEADER.match(raw)
        if header:
            stage = header.group(1)
            continue
        m = _MESA.match(raw)
        col: int | None = None
        if m:
            line, col, msg = int(m.group(1)), int(m.group(2)), m.group(3)
        else:
            m2 = _NVIDIA.match(raw)
            if not m2:
                continue
            line, msg = int(m2.group(1)), m2.group(2)
        path = files.get(stage or "")
        file = str(path) if path is not None else " + ".join(str(p) for p in files.values())
        return ShaderError(program, file, line, col, msg.strip(), log)
    first = next((ln.strip() for ln in log.splitlines()
                  if "error" in ln.lower() and "failed" not in ln.lower()), log.strip())
    path = files.get(stage or "")
    file = str(path) if path is not None else " + ".join(str(p) for p in files.values())
    return ShaderError(program, file, None, None, first, log)


class _Entry:
    __slots__ = ("name", "files", "stamps", "program")

    def __init__(self, name: str, files: dict[str, Path]) -> None:
        self.name = name
        self.files = files
        self.stamps: dict[str, tuple[int, int]] = {}
        self.program: moderngl.Program | None = None


class ShaderLibrary:
    """Programs by name from ``directory``, compiled through a GraphicsContext, hot-reloadable.

    Attributes:
        directory: where the ``.vert`` / ``.frag`` files are.
        errors: program name -> its current error (absent when the program compiled).
        last_error: the most recent error of any program, or None (kept after a fix, for the
            dashboard's history; ``errors`` says what is broken now).
        generation: program name -> number of successful (re)loads; users compare it (or the
            program's identity) to rebuild what depends on the program.
        reloads: successful hot reloads.
        failed_reloads: hot reloads that failed and kept the last good program.
    """

    def __init__(self, gfx: GraphicsContext, directory: str | os.PathLike[str]) -> None:
        """Serve programs from ``directory``.

        Raises:
            ShaderNotFoundError: ``directory`` is not a directory.
        """
        self.gfx = gfx
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise ShaderNotFoundError(
                f"expected a directory of shader files, got {str(self.directory)!r} "
                f"(missing or not a directory)")
        self._entries: dict[str, _Entry] = {}
        self.errors: dict[str, ShaderError] = {}
        self.last_error: ShaderError | None = None
        self.generation: dict[str, int] = {}
        self.reloads = 0
        self.failed_reloads = 0

    # ------------------------------------------------------------------ loading
    def _files_of(self, name: str) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for stage, ext in _STAGES:
            path = self.directory / f"{name}{ext}"
            if path.exists() or stage != "geometry_shader":
                files[stage] = path
        return files

    def get(self, name: str) -> moderngl.Program:
        """The current program ``name`` (compiled on first use). A dict lookup after that.

        Allocates nothing once loaded.

        Raises:
            ShaderNotFoundError: a source file is missing (the message names it).
            ShaderCompileError: first compile failed, or a source is not UTF-8 text (the
                message is one line: file:line: error).
        """
        entry = self._entries.get(name)
        if entry is not None and entry.program is not None:
            return entry.program
        return self._load_first(name)

    __getitem__ = get

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    @property
    def names(self) -> list[str]:
        """Loaded program names."""
        return list(self._entries)

    def files(self, name: str) -> dict[str, Path]:
        """Stage -> source path of a loaded program.

        Raises:
            KeyError: the program was never loaded.
        """
        try:
            return dict(self._entries[name].files)
        except KeyError:
            raise KeyError(f"shader program {name!r} is not loaded; loaded: "
                           f"{sorted(self._entries)}") from None

    def _load_first(self, name: str) -> moderngl.Program:
        files = self._files_of(name)
        for path in files.values():
            if not path.is_file():
                raise ShaderNotFoundError(
                    f"shader program {name!r}: file {str(path)!r} not found (expected "
                    f"{name}.vert and {name}.frag in {str(self.directory)!r})")
        entry = _Entry(name, files)
        try:
            sources, stamps = self._read(entry)
            program = self.gfx.program(**sources)
        except (_SourceError, moderngl.Error) as exc:
            error = (exc.error if isinstance(exc, _SourceError)
                     else parse_compile_log(str(exc), name, files))
            self.errors[name] = error
            self.last_error = error
            raise ShaderCompileError(error) from None
        entry.program = program
        entry.stamps = stamps
        self._entries[name] = entry
        self.generation[name] = 1
        self.errors.pop(name, None)
        return program

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int]:
        st = os.stat(path)
        return (st.st_mtime_ns, st.st_size)

    def _read(self, entry: _Entry) -> tuple[dict[str, str], dict[str, tuple[int, int]]]:
        """Every source's text and stamp.

        Raises:
            OSError: a file cannot be read.
            _SourceError: a file's bytes are not GLSL text (the first such file).
        """
        sources: dict[str, str] = {}
        stamps: dict[str, tuple[int, int]] = {}
        bad: _SourceError | None = None
        for stage, path in entry.files.items():
            stamps[stage] = self._stamp(path)
            data = path.read_bytes()
            try:
                sources[stage] = _decode(entry.name, path, data)
            except _SourceError as exc:
                bad = bad or exc
        if bad is not None:
            bad.stamps = stamps
            raise bad
        return sources, stamps

    # ------------------------------------------------------------------ hot reload
    def changed(self, name: str) -> bool:
        """True when a file of loaded program ``name`` changed since it was last read.

        Raises:
            KeyError: the program was never loaded.
        """
        entry = self._entries.get(name)
        if entry is None:
            raise KeyError(f"shader program {name!r} is not loaded; loaded: "
                           f"{sorted(self._entries)}")
        for stage, path in entry.files.items():
            try:
                stamp = self._stamp(path)
            except OSError:
                return True
            if stamp != entry.stamps.get(stage):
                return True
        return False

    def check_reload(self) -> int:
        """Recompile the loaded programs whose files changed; returns how many were replaced.

        Cheap enough for every frame (one ``os.stat`` per source file); a renderer usually
        calls it every N frames. Allocation contract: when nothing changed it allocates only
        transient objects (the stat results), nothing retained; a reload allocates freely.
        """
        replaced = 0
        for name, entry in self._entries.items():
            if not self.changed(name):
                continue
            if self._reload(entry):
                replaced += 1
        return replaced

    def reload(self, name: str) -> bool:
        """Recompile program ``name`` now, changed or not; True when it was replaced.

        Raises:
            KeyError: the program was never loaded.
        """
        if name not in self._entries:
            raise KeyError(f"shader program {name!r} is not loaded; loaded: "
                           f"{sorted(self._entries)}")
        return self._reload(self._entries[name])

    def _record(self, error: ShaderError) -> None:
        self.errors[error.program] = error
        self.last_error = error
        self.failed_reloads += 1
        self.gfx.render_stats.shader_errors += 1

    def _reload(self, entry: _Entry) -> bool:
        try:
            sources, stamps = self._read(entry)
        except OSError as exc:
            # Editors often write by delete + rename: a vanished file is an error to show,
            # and the stamps stay as they were so the next poll looks again.
            missing = getattr(exc, "filename", None) or "?"
            self._record(ShaderError(entry.name, str(missing), None, None,
                                     f"cannot read shader source: {exc.strerror or exc}", ""))
            return False
        except _SourceError as exc:
            entry.stamps = exc.stamps
            self._record(exc.error)
            return False
        # Stamps first: a broken file is not recompiled on every poll, only when it changes.
        entry.stamps = stamps
        try:
            program = self.gfx.program(**sources)
        except moderngl.Error as exc:
            self._record(parse_compile_log(str(exc), entry.name, entry.files))
            return False
        old = entry.program
        entry.program = program
        if old is not None:
            self.gfx.release(old)
        self.generation[entry.name] = self.generation.get(entry.name, 0) + 1
        self.errors.pop(entry.name, None)
        self.reloads += 1
        self.gfx.render_stats.shader_reloads += 1
        return True

    def release(self) -> None:
        """Release every program (safe twice)."""
        for entry in self._entries.values():
            if entry.program is not None:
                self.gfx.release(entry.program)
                entry.program = None
        self._entries.clear()
