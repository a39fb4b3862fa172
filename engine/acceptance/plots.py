"""PNG plots of a stress report's time series (matplotlib, Agg canvas, no pyplot state).

One PNG per topic, beside the report: ``<stem>_frame_time.png``, ``<stem>_memory.png``,
``<stem>_enemies.png``, ``<stem>_gc.png``, ``<stem>_pools.png``. Each marks the end of the
warm-up (and the end of the hold, when the run reached it) from ``series.phases``.

Series read (all optional except ``t_s``; a missing one gives a panel saying so):
``frame_cpu_ms``, ``frame_full_ms``, ``rss_mb``, ``blocks_growth``, ``enemies_by_tier``
(tier -> list), ``pool_utilisation`` (pool -> list of 0..1), ``gc_events`` (list of
{t_s, gen, pause_ms, optional explicit}; collections made before the first sample are at its
time), ``phases`` (``warmup_end_s``, ``hold_end_s``).

Not a per-frame path: it runs once, after the run, and allocates freely.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .criteria import FRAME_BUDGET_MS, MEMORY_GROWTH_LIMIT_MB
from .report import atomic_write_bytes

__all__ = ["write_plots", "PLOT_NAMES"]

PLOT_NAMES = ("frame_time", "memory", "enemies", "gc", "pools")


def _arr(values: Any) -> np.ndarray:
    return np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)


def _phases(ax: Any, phases: Mapping[str, Any]) -> None:
    for key, label, style in (("warmup_end_s", "warm-up end", "--"),
                              ("hold_end_s", "hold end", ":")):
        t = phases.get(key)
        if isinstance(t, (int, float)):
            ax.axvline(t, color="grey", linestyle=style, linewidth=1, label=label)


def _empty(ax: Any, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} in this report", ha="center", va="center",
            transform=ax.transAxes)


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return atomic_write_bytes(path, buf.getvalue())


def _figure(title: str, subtitle: str) -> tuple[Figure, Any]:
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    ax.set_title(f"{title}\n{subtitle}", fontsize=10)
    ax.set_xlabel("simulated time (s)")
    ax.grid(True, alpha=0.3)
    return fig, ax


def write_plots(report: Mapping[str, Any], out_dir: str | os.PathLike[str],
                stem: str) -> list[Path]:
    """Write the PNG plots of a report's series; return their paths.

    Args:
        report: a validated report with a ``series`` object.
        out_dir: directory for the PNGs (created if needed).
        stem: file name prefix, e.g. ``"stress_500"``.

    Raises:
        KeyError: the report has no ``series``.
        OSError: a file cannot be written.
    """
    series = report["series"]
    out = Path(out_dir)
    t = _arr(series["t_s"])
    phases = series.get("phases") or {}
    cfg = report.get("config", {})
    machine = report.get("machine", {})
    subtitle = (f"{cfg.get('enemies', '?')} enemies, seed {cfg.get('seed', '?')}, "
                f"{'benchmark' if cfg.get('benchmark') else 'real-time'}; "
                f"{machine.get('gl_renderer') or 'no GL'}, {machine.get('cpu_count', '?')} CPUs"
                + ("; PARTIAL RUN" if report.get("run", {}).get("partial") else ""))
    paths: list[Path] = []

    fig, ax = _figure("Frame time", subtitle)
    drew = False
    for key, label in (("frame_cpu_ms", "engine CPU (criterion)"),
                       ("frame_full_ms", "full, incl. raster wait (info)")):
        if key in series:
            ax.plot(t, _arr(series[key]), linewidth=0.8, label=label)
            drew = True
    if drew:
        ax.axhline(FRAME_BUDGET_MS, color="red", linewidth=1, label=f"{FRAME_BUDGET_MS:g} ms")
        ax.set_ylabel("ms")
    else:
        _empty(ax, "frame times")
    _phases(ax, phases)
    ax.legend(loc="upper right", fontsize=8)
    paths.append(_save(fig, out / f"{stem}_frame_time.png"))

    fig, ax = _figure("Memory", subtitle)
    if "rss_mb" in series:
        rss = _arr(series["rss_mb"])
        ax.plot(t, rss, linewidth=1, label="RSS (MB)")
        ax.set_ylabel("MB")
        we = phases.get("warmup_end_s")
        if isinstance(we, (int, float)):
            i = int(np.searchsorted(t, we))
            if i < len(rss) and np.isfinite(rss[i]):
                ax.axhline(rss[i] + MEMORY_GROWTH_LIMIT_MB, color="red", linewidth=1,
                           label=f"warm-up RSS + {MEMORY_GROWTH_LIMIT_MB:g} MB")
        if "blocks_growth" in series:
            ax2 = ax.twinx()
            ax2.plot(t, _arr(series["blocks_growth"]), color="tab:orange", linewidth=0.8,
                     label="allocated blocks since warm-up")
            ax2.set_ylabel("blocks")
            ax2.legend(loc="lower right", fontsize=8)
    else:
        _empty(ax, "memory series")
    _phases(ax, phases)
    ax.legend(loc="upper left", fontsize=8)
    paths.append(_save(fig, out / f"{stem}_memory.png"))

    fig, ax = _figure("Enemies by tier", subtitle)
    tiers = series.get("enemies_by_tier") or {}
    if tiers:
        names = list(tiers)
        ax.stackplot(t, *[_arr(tiers[n]) for n in names], labels=names, alpha=0.8)
        ax.axhline(float(cfg.get("enemies", 0) or 0), color="red", linewidth=1,
                   label="target")
        ax.set_ylabel("live enemies")
    else:
        _empty(ax, "enemy counts")
    _phases(ax, phases)
    ax.legend(loc="lower right", fontsize=8)
    paths.append(_save(fig, out / f"{stem}_enemies.png"))

    fig, ax = _figure("GC collections (pause per collection)", subtitle)
    events = series.get("gc_events") or []
    if events:
        for gen in (0, 1, 2):
            for explicit, marker, how in ((0, "o", "automatic"), (1, "x", "GC policy")):
                pts = [(e["t_s"], e["pause_ms"]) for e in events
                       if int(e["gen"]) == gen and int(e.get("explicit", 0)) == explicit]
                if pts:
                    xs, ys = zip(*pts)
                    ax.scatter(xs, ys, s=18, marker=marker,
                               label=f"gen{gen} {how} ({len(pts)})")
        ax.set_ylabel("pause (ms)")
        ax.legend(loc="upper right", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no GC collection in the recorded series", ha="center",
                va="center", transform=ax.transAxes)
    if len(t):
        ax.set_xlim(float(np.nanmin(t)), float(np.nanmax(t)) + 1e-9)
    _phases(ax, phases)
    paths.append(_save(fig, out / f"{stem}_gc.png"))

    fig, ax = _figure("Pool utilisation", subtitle)
    pools = series.get("pool_utilisation") or {}
    if pools:
        for name, values in pools.items():
            ax.plot(t, 100.0 * _arr(values), linewidth=1, label=name)
        ax.set_ylabel("% of capacity in use")
        ax.set_ylim(0, 105)
    else:
        _empty(ax, "pool series")
    _phases(ax, phases)
    ax.legend(loc="upper left", fontsize=8)
    paths.append(_save(fig, out / f"{stem}_pools.png"))
    return paths
