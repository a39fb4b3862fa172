"""The Profiler's reports as plain dicts: ``snapshot`` (the latest per-frame values),
``summary`` (the run report) and ``allocation_sites`` (tracemalloc growth by file:line). Every
function allocates: for overlays, logs, reports and tests, never the per-frame path.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import numpy as np

from .meter import GC_GENERATIONS

__all__ = ["allocation_sites", "snapshot", "summary"]


def _percentiles(values: np.ndarray) -> dict[str, float]:
    if not len(values):
        return {"frames": 0.0}
    p = np.percentile(values, [50.0, 90.0, 95.0, 99.0])
    return {"frames": float(len(values)), "mean": float(values.mean()), "p50": float(p[0]),
            "p90": float(p[1]), "p95": float(p[2]), "p99": float(p[3]),
            "max": float(values.max())}


def allocation_sites(p: Any, n: int = 10) -> list[dict[str, object]]:
    """The ``n`` allocation sites (file:line) whose traced bytes grew most since the base
    snapshot (``Profiler.snapshot_allocations``: the acceptance run's ramp end, else the
    warm-up mark, with tracing on), largest first; [] without one. Allocates a snapshot: for
    reports, not per frame."""
    base = p._sites_base
    if base is None or not tracemalloc.is_tracing():
        return []
    skip = (tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"))
    diff = tracemalloc.take_snapshot().filter_traces(skip).compare_to(
        base.filter_traces(skip), "lineno")
    out: list[dict[str, object]] = []
    for st in diff:
        if st.size_diff <= 0:
            continue
        frame = st.traceback[0]
        out.append({"site": f"{frame.filename}:{frame.lineno}", "bytes": st.size_diff,
                    "blocks": st.count_diff})
        if len(out) == n:
            break
    return out


def snapshot(p: Any) -> dict[str, object]:
    """The latest per-frame values (allocates; for overlays, logs and tests)."""
    m = p.meter
    return {
        "frame": m.frame,
        "frame_ms": m.frame_ms.last(),
        "cpu_ms": m.cpu_ms.last(),
        "step_ms": m.step_ms.last(),
        "render_ms": m.render_ms.last(),
        "overlay_ms": m.overlay_ms.last(),
        "blocks_delta": m.blocks.last(),
        "gen0_delta": m.gen0.last(),
        "gc_collections": m.gc_collections.last(),
        "gc_pause_ms": m.gc_pause_ms.last(),
        "transient_bytes": m.transient_bytes.last() if m.tracing else None,
        "rss_bytes": m.rss_bytes,
        "rss_growth_bytes": m.rss_growth_bytes,
        "warnings": list(p.budgets.warnings),
        "in_combat": p.in_combat,
    }

def summary(p: Any, window_frames: int | None = None, *,
            sites: bool = True) -> dict[str, object]:
    """The run report as a plain, JSON-ready dict (allocates).

    Args:
        window_frames: frames for the exact percentiles over the newest frames (default:
            frames since the warm-up mark, at most the history capacity). The
            ``frame_ms`` (interval) and ``cpu_ms`` (CPU frame time) percentiles cover all
            frames since the warm-up mark (histogram, 20 us bins) whatever the window.
        sites: include ``alloc.sites_since_warmup`` (``allocation_sites``: a snapshot).

    Returns:
        Keys: frames, warmed_up, frames_since_warmup, seconds_since_warmup, frame_ms,
        cpu_ms (since warm-up), window (exact percentiles of frame/cpu/step/render/
        overlay ms over the newest frames), memory, alloc, gc, spikes, spikes_total,
        recent_spikes, pools, rings, scheduler, render, combat, counters, budgets,
        gc_policy, leaks (``LeakDetector.as_dict``: each trend's growth, slope, flag and
        first-flag seconds since the mark).
    """
    m = p.meter
    n = m.frames_since_warmup if window_frames is None else window_frames
    n = max(0, min(n, len(m.frame_ms)))
    window = {name: _percentiles(ring.newest(n)) for name, ring in (
        ("frame_ms", m.frame_ms), ("cpu_ms", m.cpu_ms), ("step_ms", m.step_ms),
        ("render_ms", m.render_ms), ("overlay_ms", m.overlay_ms))}
    window["blocks_sum"] = {"frames": float(n), "value": float(m.blocks.window_sum(n))}
    window["gen0_sum"] = {"frames": float(n), "value": float(m.gen0.window_sum(n))}
    log = m.gc_log
    gcs: dict[str, object] = {}
    for g, name in enumerate(GC_GENERATIONS):
        gcs[name] = {
            "collections": int(log.counts_since_mark[g]),
            "pause_ms_total": float(log.value_sum_since_mark[g]),
            "pause_ms_max": float(log.max_value_since_mark[g]),
            "collected": int(m.gc_collected_since_warmup[g]),
            "explicit": int(m.gc_explicit_since_warmup[g]),
        }
    gcs["thresholds"] = list(gc.get_threshold())
    gcs["frozen_objects"] = gc.get_freeze_count()
    gcs["recent"] = log.recent(16)
    frames = max(1, m.frames_since_warmup)
    memory: dict[str, object] = {
        "rss_source": m.rss.kind,
        "rss_bytes": m.rss_bytes,
        "rss_at_warmup": m.rss_at_warmup,
        "rss_growth_bytes": m.rss_growth_bytes,
        "rss_growth_mb": m.rss_growth_bytes / 1e6,
        "blocks_now": m.blocks_total,
        "tracing": m.tracing,
    }
    if m.tracing:
        memory["traced_growth_bytes"] = m.traced_growth_bytes
        memory["transient_bytes_max_window"] = float(m.transient_bytes.newest(n).max()) \
            if n else 0.0
    return {
        "frames": m.frame,
        "warmed_up": m.warmed_up,
        "warmup_frame": m.warmup_frame,
        "frames_since_warmup": m.frames_since_warmup,
        "seconds_since_warmup": (m._last_end_ns - m.warmup_t_ns) / 1e9,
        "frame_ms": m.percentiles_since_warmup("frame"),
        "cpu_ms": m.percentiles_since_warmup("cpu"),
        "window": window,
        "memory": memory,
        "alloc": {
            "blocks_since_warmup": m.blocks_since_warmup,
            "gen0_since_warmup": m.gen0_since_warmup,
            "blocks_per_frame_mean": m.blocks_since_warmup / frames,
            "gen0_per_frame_mean": m.gen0_since_warmup / frames,
            "by_system_since_warmup": (m.scheduler.blocks_since_mark()
                                       if m.scheduler is not None else {}),
            "sites_since_warmup": allocation_sites(p, 10) if sites else [],
            "tick_temporaries_max_bytes": int(m.tick_transient_max[0]) if m.tracing
            else None,
        },
        "gc": gcs,
        "spikes": p.spikes.counts(since_mark=True),
        "spikes_total": p.spikes.counts(since_mark=False),
        "recent_spikes": p.spikes.log.recent(32),
        "pools": [w.as_dict() for w in m.pools],
        "rings": [w.as_dict() for w in m.rings],
        "scheduler": m.scheduler.as_dict() if m.scheduler is not None else None,
        "render": [w.as_dict() for w in m.render],
        "combat": [w.as_dict() for w in m.combat],
        "counters": [w.as_dict() for w in m.counters],
        "budgets": p.budgets.as_dict(),
        "gc_policy": p.gc_policy.as_dict(),
        "leaks": p.leaks.as_dict(),
    }
