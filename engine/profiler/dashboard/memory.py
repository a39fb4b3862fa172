"""The allocations, GC and memory panels."""

from __future__ import annotations

import numpy as np
from imgui_bundle import imgui, implot

from ..meter import GC_GENERATIONS
from .plots import PanelContext

__all__ = ["allocations", "gc", "memory"]


def allocations(ctx: PanelContext) -> None:
    m = ctx.meter
    if ctx.plots.begin("per frame", ctx.style.plot_small):
        ctx.plots.line("blocks", m.blocks)
        ctx.plots.line("gen0", m.gen0)
        implot.end_plot()
    imgui.text_unformatted("sums     60 f    600 f   warm-up")
    imgui.text_unformatted(f"blocks {m.blocks.window_sum(60):+6.0f} "
                           f"{m.blocks.window_sum(600):+8.0f} {m.blocks_since_warmup:+9d}")
    imgui.text_unformatted(f"gen0   {m.gen0.window_sum(60):+6.0f} "
                           f"{m.gen0.window_sum(600):+8.0f} {m.gen0_since_warmup:+9d}")
    sched = m.scheduler
    if sched is not None:
        top = sched.blocks_since_mark()  # re-syncs itself when systems changed this frame
        imgui.text_colored(ctx.style.grey, "blocks retained by system, " + ctx.since_label())
        if not top:
            imgui.text_unformatted("  none")
        for k, (name, blocks) in enumerate(top.items()):
            if k == 5:
                break
            imgui.text_unformatted(f"  {name:<16.16} {blocks:+8d}")
    leaks = ctx.profiler.leaks
    for tr in leaks.trends:
        if tr.flagged:
            imgui.text_colored(ctx.style.red, f"leak: {tr.name} {tr.slope:+.0f} {tr.unit}/min")
    changed, on = imgui.checkbox("allocation tracing", m.tracing)
    if changed:
        m.set_tracing(on)
    if m.tracing:
        if ctx.plots.begin("transient (KB)", ctx.style.plot_small):
            ctx.plots.line("per frame", m.transient_bytes, 1e-3)
            view = ctx.plots.series(m.tick_transient_bytes)
            np.multiply(view, 1e-3, out=view)
            ctx.plots.values("per tick", view, float(m.frame),
                              ctx.plots.dec_buf(m.tick_transient_bytes))
            implot.end_plot()
        imgui.text_unformatted(f"traced {m.traced_bytes.last() / 1e6:.2f} MB, "
                               f"growth {m.traced_growth_bytes / 1e3:+.1f} KB")
    else:
        imgui.text_colored(ctx.style.grey, "tracing off: no transient bytes")


def gc(ctx: PanelContext) -> None:
    m = ctx.meter
    if ctx.plots.begin("collections: pause (ms)", ctx.style.plot_size, "frame of collection"):
        for g in range(3):
            xs = ctx.plots.series(m.gc_frame_by_gen[g])
            ys = ctx.plots.series(m.gc_pause_by_gen[g])
            if len(xs):
                implot.plot_scatter(GC_GENERATIONS[g], xs, ys, ctx.style.gen_specs[g])
        log = ctx.profiler.spikes.log
        spikes = log.ordered_into(log.frame, ctx.spike_x)
        if len(spikes):
            implot.plot_inf_lines("spikes", spikes, ctx.style.spike_spec)
        implot.end_plot()
    log = m.gc_log
    imgui.text_colored(ctx.style.grey, ctx.since_label())
    if imgui.begin_table("gc", 5, ctx.style.table_flags):
        for head in ("gen", "n", "total ms", "max ms", "asked"):
            imgui.table_setup_column(head)
        imgui.table_headers_row()
        for g in range(3):
            imgui.table_next_row()
            imgui.table_next_column()
            imgui.text_unformatted(GC_GENERATIONS[g])
            imgui.table_next_column()
            imgui.text_unformatted(str(log.counts_since_mark[g]))
            imgui.table_next_column()
            imgui.text_unformatted(f"{log.value_sum_since_mark[g]:.2f}")
            imgui.table_next_column()
            imgui.text_unformatted(f"{log.max_value_since_mark[g]:.2f}")
            imgui.table_next_column()
            imgui.text_unformatted(str(m.gc_explicit_since_warmup[g]))
        imgui.end_table()
    policy = ctx.profiler.gc_policy
    imgui.text_unformatted(f"policy: {policy.collections} collections, "
                           f"{policy.pause_ns_total * 1e-6:.2f} ms")
    changed, on = imgui.checkbox("combat thresholds", policy.in_combat)
    if changed:
        ctx.profiler.set_combat(on)
    changed, on = imgui.checkbox("spare-time GC", ctx.profiler.auto_spare_time)
    if changed:
        ctx.profiler.auto_spare_time = on
    if imgui.button("collect now"):
        policy.collect_now(2)
    imgui.same_line()
    if imgui.button("collect + freeze"):
        policy.after_loading()


def memory(ctx: PanelContext) -> None:
    m = ctx.meter
    if ctx.plots.begin("RSS (MB) by second", ctx.style.plot_small, "s ago"):
        ctx.plots.seconds("RSS", m.sec_rss_mb)
        if m.tracing:
            ctx.plots.seconds("traced", m.sec_traced_mb)
        implot.end_plot()
    if ctx.plots.begin("allocated blocks by second", ctx.style.plot_small, "s ago"):
        ctx.plots.seconds("blocks", m.sec_blocks_total)
        implot.end_plot()
    imgui.text_colored(ctx.style.grey, ctx.since_label())
    imgui.text_unformatted(f"RSS {m.rss_bytes / 1e6:.1f} MB ({m.rss.kind})")
    imgui.text_unformatted(f"growth {m.rss_growth_bytes / 1e6:+.2f} of "
                           f"{ctx.profiler.budgets.memory_growth_mb:g} MB")
    imgui.text_unformatted(f"blocks {m.blocks_total} ({m.blocks_since_warmup:+d})")
