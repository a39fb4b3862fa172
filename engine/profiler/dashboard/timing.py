"""The overview and frame panels: frame times, budget, counts, warnings."""

from __future__ import annotations

import numpy as np
from imgui_bundle import imgui, implot

from .plots import PanelContext

__all__ = ["overview", "frame"]


def overview(ctx: PanelContext) -> None:
    m = ctx.meter
    p = ctx.profiler
    imgui.text_unformatted(f"{m.sec_fps.last():.0f} fps   frame {m.frame_ms.last():.2f} ms")
    imgui.text_unformatted(f"CPU {m.cpu_ms.last():.2f} ms   1 s mean {m.sec_cpu_ms.last():.2f} ms")
    imgui.text_unformatted(f"budget {p.budgets.frame_ms:g} ms   frame #{m.frame}")
    if m.combat:  # a row for what is watched: a game without a combat world has none
        enemies = 0.0
        for c in m.combat:
            enemies += c.enemies_total
        imgui.text_unformatted(f"enemies {enemies:.0f}   combat {'on' if p.in_combat else 'off'}")
    imgui.separator()
    imgui.text_colored(ctx.style.grey, ctx.since_label())
    imgui.text_unformatted(f"RSS growth {m.rss_growth_bytes / 1e6:+.2f} MB")
    imgui.text_unformatted(f"blocks {m.blocks_since_warmup:+d}   gen0 {m.gen0_since_warmup:+d}")
    log = m.gc_log
    c = log.counts_since_mark
    imgui.text_unformatted(f"GC gen0 {c[0]}  gen1 {c[1]}  gen2 {c[2]}")
    counts = p.spikes.log.counts_since_mark
    for i, label in enumerate(ctx.style.spike_labels):
        if counts[i]:
            imgui.text_unformatted(label)
            imgui.same_line()
            imgui.text_unformatted(str(counts[i]))
    for cw in m.counters:
        if cw.group == "overview":
            imgui.text_unformatted(f"{cw.name}: {cw.ring.last():g}")
    warnings_ = p.budgets.warnings
    if warnings_:
        imgui.separator()
        for line in warnings_:
            imgui.push_text_wrap_pos(0.0)
            imgui.text_colored(ctx.style.red, line)
            imgui.pop_text_wrap_pos()


def frame(ctx: PanelContext) -> None:
    m = ctx.meter
    plots = ctx.plots
    # y from the visible frames' 95th percentile (and the budget line): the startup frames
    # (100+ ms) would otherwise flatten the rest. A longer spike is cut at the top.
    y_max = plots.robust_max(plots.series(m.frame_ms), ctx.budget_y[0] * 1.25)
    if plots.begin("times (ms)", ctx.style.plot_size, y_max=y_max):
        plots.line("frame", m.frame_ms)
        plots.line("CPU", m.cpu_ms)
        plots.line("step", m.step_ms)
        plots.line("render", m.render_ms)
        plots.line("overlay", m.overlay_ms)
        implot.plot_inf_lines("budget", ctx.budget_y, ctx.style.budget_spec)
        implot.end_plot()
    s = m.scheduler
    if s is not None and s.system_names:
        ring = s.systems
        y_max = 0.0
        n = len(ring)
        for i, name in enumerate(s.system_names):
            if not name.startswith("profiler."):
                view = ring.ordered_into(plots.column_buf(ring, i), i)
                np.multiply(view, 1e-6, out=view)
                y_max = plots.robust_max(view, y_max)
        # One legend row per system, beside the plot: the plot grows to hold them.
        if plots.begin("systems, last step (ms)", ctx.systems_plot_size(len(s.system_names)),
                       y_max=y_max if y_max > 0.0 else None):
            for i, name in enumerate(s.system_names):
                if name.startswith("profiler."):
                    continue
                view = plots.column_buf(ring, i)[:n]  # copied and scaled above
                plots.values(name, view, float(m.frame), plots.dec_col_buf(ring, i))
            implot.end_plot()
