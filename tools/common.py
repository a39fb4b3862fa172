"""What every tool shares: the command-line parser, size parsing, machine info, percentiles.

Tools are run as modules from the repository root (``python -m tools.bench_combat``), so
they import ``engine`` and each other without touching ``sys.path``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.core.options import (
    OptionParser,
    add_benchmark,
    add_frames,
    add_headless,
    add_report,
    add_seed,
    add_size,
    add_sizes,
    add_warmup,
    check_memory,
    check_writable,
    size_type,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parent.parent
"""The checkout the tools belong to."""

__all__ = ["ROOT", "ToolParser", "tool_parser", "parse_size", "machine_info", "machine_line",
           "percentile", "figure", "save_png", "write_json_report", "check_report",
           "enemy_row_bytes",
           # the shared options (engine.core.options), for the tools' parsers
           "add_benchmark", "add_frames", "add_headless", "add_report", "add_seed", "add_size",
           "add_sizes", "add_warmup", "check_memory", "check_writable"]


class ToolParser(OptionParser):
    """An ArgumentParser whose errors are one line on stderr and exit code 2 (no usage
    dump), so a script calling a tool sees what was wrong at a glance."""


def tool_parser(prog: str, doc: str | None, **kwargs: Any) -> ToolParser:
    """A :class:`ToolParser` for ``python -m tools.<prog>``: the first paragraph of ``doc``
    is the description, the rest the epilog (kept as written)."""
    text = (doc or "").strip()
    head, _, rest = text.partition("\n\n")
    kwargs.setdefault("description", head)
    kwargs.setdefault("epilog", rest or None)
    kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
    return ToolParser(prog=f"python -m tools.{prog}", **kwargs)


parse_size = size_type
"""``"1280x720"`` -> ``(1280, 720)`` for ``type=`` of an argument: the engine's rule
(``engine.core.options.size_type``), argparse's error on a bad value."""


def enemy_row_bytes() -> int:
    """Bytes one enemy row costs across the store, grid and renderer (the acceptance run's
    figure), for the memory check of an enemy count."""
    from engine.acceptance.cli import ENEMY_ROW_BYTES

    return ENEMY_ROW_BYTES


def write_json_report(path: Path, data: Any) -> Path:
    """``data`` as indented JSON at ``path``, atomically (the directory is made)."""
    import json

    from engine.data.files import atomic_write_bytes

    return atomic_write_bytes(path, (json.dumps(data, indent=2) + "\n").encode())


def check_report(parser: argparse.ArgumentParser, path: Path | None,
                 option: str = "--report") -> None:
    """Exit 2 with one line when ``path`` (an output option's value) cannot be written."""
    if path is not None:
        why = check_writable(path)
        if why is not None:
            parser.error(f"{option}: {why}")


def _commit() -> str:
    """The checkout's commit, with ``+dirty`` when engine/ or tools/ have local changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "engine", "tools"],
                               cwd=ROOT, capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return (head or "?") + ("+dirty" if dirty else "")


def _proc_field(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine_info() -> dict[str, Any]:
    """What ran the measurement: CPU model and cores, memory, platform, Python, numpy and
    the commit (plain JSON values; ``None`` where unknown)."""
    import numpy as np

    mem = _proc_field("/proc/meminfo", "MemTotal")
    try:
        mem_gb = round(int(mem.split()[0]) / 1e6, 1) if mem else None
    except ValueError:
        mem_gb = None
    return {"cpu": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or "?",
            "cores": os.cpu_count(), "memory_gb": mem_gb, "commit": _commit(),
            "platform": platform.platform(), "machine": platform.machine(),
            "python": platform.python_version(), "numpy": np.__version__}


def machine_line(info: dict[str, Any]) -> str:
    """``machine_info()`` in one line, for a tool's header."""
    return (f"machine: {info['cpu']}, {info['cores']} cores, {info['machine']}; Python "
            f"{info['python']}, numpy {info['numpy']}; commit {info['commit']}")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by rank: the value at index ``int(q / 100 * n)`` of
    the sorted values (clamped to the last), so p95 of 20 samples is the largest; NaN when
    empty.

    Raises:
        ValueError: ``q`` outside 0..100.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within 0..100, got {q}")
    if not len(values):
        return float("nan")
    s = sorted(values)
    return float(s[min(len(s) - 1, int(q / 100 * len(s)))])



def figure(width_in: float, height_in: float) -> Figure:
    """A matplotlib Figure on the Agg canvas, outside pyplot (no global figure state, no
    display needed); fill it with ``fig.subplots(...)`` and write it with :func:`save_png`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in))
    FigureCanvasAgg(fig)
    return fig


def save_png(fig: Figure, path: Path, dpi: int = 100) -> Path:
    """Write ``fig`` as a PNG at ``path`` atomically (a reader never sees half a file)."""
    import io

    from engine.data.files import atomic_write_bytes

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return atomic_write_bytes(path, buf.getvalue())
