"""The pools, combat and render panels: what the watched layers report."""

from __future__ import annotations

from imgui_bundle import imgui, implot

from .plots import PanelContext

__all__ = ["pools", "combat", "render"]


def pools(ctx: PanelContext) -> None:
    m = ctx.meter
    if not m.pools:
        imgui.text_colored(ctx.style.grey, "no pools watched")
        return
    if ctx.plots.begin("utilisation (%)", ctx.style.plot_small):
        for w in m.pools:  # in %, as the table
            ctx.plots.line(w.name, w.utilisation, 100.0)
        implot.end_plot()
    if imgui.begin_table("pools", 5, ctx.style.table_flags):
        # The name column sized for the name, not an equal share: "projectiles" uncut.
        imgui.table_setup_column("pool", imgui.TableColumnFlags_.width_fixed,
                                 ctx.style.name_width)
        for head in ("use", "high", "refused", "grown"):
            imgui.table_setup_column(head)
        imgui.table_headers_row()
        for w in m.pools:
            s = w.stats
            cap = s.capacity
            imgui.table_next_row()
            imgui.table_next_column()
            imgui.text_unformatted(w.name)
            imgui.table_next_column()
            imgui.text_unformatted(f"{(s.in_use / cap if cap else 0.0):.0%}")
            imgui.table_next_column()
            imgui.text_unformatted(f"{(s.high_water / cap if cap else 0.0):.0%}")
            imgui.table_next_column()
            if s.refusals:
                imgui.text_colored(ctx.style.red, str(s.refusals))
            else:
                imgui.text_unformatted("0")
            imgui.table_next_column()
            imgui.text_unformatted(str(s.growths))
        imgui.end_table()


def combat(ctx: PanelContext) -> None:
    m = ctx.meter
    for c in m.combat:
        if c.enemies.rings and ctx.plots.begin("enemies by tier", ctx.style.plot_small):
            for label, ring in c.enemies.rings.items():
                ctx.plots.line(label, ring)
            implot.end_plot()
        if ctx.plots.begin("damage events / tick, projectiles", ctx.style.plot_small):
            ctx.plots.line("damage", c.damage_events)
            ctx.plots.line("projectiles", c.projectiles)
            implot.end_plot()
        # Bad numbers contained: non-zero means some input gave NaN/inf or a bad damage amount.
        bad = (int(c.stats.nonfinite_quarantined), int(c.stats.damage_refused))
        # Two short lines: one long line is cut in a narrow column.
        for label, value in (("quarantined (NaN/inf)", bad[0]), ("damage refused", bad[1])):
            if value:
                imgui.text_colored(ctx.style.red, f"{label} {value}")
            else:
                imgui.text_unformatted(f"{label} {value}")
    if m.rings:
        if ctx.plots.begin("ring fill", ctx.style.plot_small):
            for r in m.rings:
                ctx.plots.line(r.name, r.fill)
            implot.end_plot()
        for r in m.rings:
            imgui.text_unformatted(f"{r.name}: {r.fill.last():.0%} full, "
                                   f"{r.ring.overflows} overflows")
    for cw in m.counters:
        if cw.group == "combat":
            imgui.text_unformatted(f"{cw.name}: {cw.ring.last():g}")
    if not m.combat and not m.rings:
        imgui.text_colored(ctx.style.grey, "no combat stats or rings watched")


def render(ctx: PanelContext) -> None:
    m = ctx.meter
    for r in m.render:
        if ctx.plots.begin("draw calls, GL objects", ctx.style.plot_small):
            ctx.plots.line("draw calls", r.draw_calls)
            ctx.plots.line("GL live", r.gl_live)
            implot.end_plot()
        if r.instances.rings and ctx.plots.begin("instances per batch", ctx.style.plot_small):
            for label, ring in r.instances.rings.items():
                ctx.plots.line(label, ring)
            implot.end_plot()
        s = r.stats
        imgui.text_unformatted(f"draw calls {s.draw_calls}   reallocations "
                               f"{s.reallocations}")
        imgui.text_unformatted(f"GL live {s.gl_live}  created "
                               f"{s.gl_created}  released {s.gl_released}")
    for cw in m.counters:
        if cw.group == "render":
            imgui.text_unformatted(f"{cw.name}: {cw.ring.last():g}")
    if not m.render:
        imgui.text_colored(ctx.style.grey, "no render stats watched")
