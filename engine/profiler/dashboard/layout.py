"""Where the dashboard's windows go (no imgui): a side column at the right edge of the game.

The default view (the overview and the bar) stays inside the right third of the display, so
most of the game stays visible. More open panels stack in that column; when they no longer fit
at ``MIN_H`` each, more columns open to the left, as narrow as needed for all of them to fit
the width. Panels never overlap; a panel shorter than its content scrolls inside.
"""

from __future__ import annotations

import math

__all__ = ["MARGIN", "MIN_W", "MIN_H", "PREFERRED_H", "Rect", "columns", "panel_rects"]

Rect = tuple[float, float, float, float]
"""(x, y, w, h) in display pixels, y down."""

MARGIN = 6.0
MIN_W = 250.0
"""Narrowest panel column: a plot with its legend beside it still reads at this width."""
MIN_H = 260.0
"""Shortest panel before another column opens: one plot and a few lines of text."""
PREFERRED_H = {"overview": 260.0}
"""A panel whose content is short gets no more than this (the default view stays compact)."""


def columns(width: float, height: float, n: int, bar_h: float) -> tuple[int, int, float]:
    """(columns, rows per column, column width) for ``n`` open panels under a bar."""
    side = math.floor(width / 3.0) - 2.0 * MARGIN
    cw = max(side, min(MIN_W, width - 2.0 * MARGIN))
    if n <= 0:
        return 0, 0, max(cw, 1.0)
    avail = height - bar_h - 2.0 * MARGIN
    rows = max(1, int((avail + MARGIN) // (MIN_H + MARGIN)))
    most_cols = max(1, int((width - MARGIN) // (MIN_W + MARGIN)))
    cols = -(-n // rows)
    if cols > most_cols:
        cols = most_cols
        rows = -(-n // cols)
    if cols * (cw + MARGIN) + MARGIN > width:
        cw = (width - MARGIN) / cols - MARGIN
    return cols, rows, max(cw, 1.0)  # a minimised (0 x 0) display: no negative sizes


def panel_rects(width: float, height: float, open_names: list[str], bar_h: float,
                cols: int, rows: int, cw: float) -> dict[str, Rect]:
    """The rect of each open panel: column 0 is the rightmost, filled top to bottom in
    ``open_names`` order, then the next column to its left."""
    out: dict[str, Rect] = {}
    top = bar_h + 2.0 * MARGIN
    avail = height - top - MARGIN
    for c in range(cols):
        names = open_names[c * rows:(c + 1) * rows]
        if not names:
            break
        x = width - (c + 1) * (cw + MARGIN)
        share = (avail - (len(names) - 1) * MARGIN) / len(names)
        # Short panels take what they need; the rest share what is left.
        fixed = [PREFERRED_H[nm] for nm in names if PREFERRED_H.get(nm, math.inf) < share]
        flexible = len(names) - len(fixed)
        rest = (avail - (len(names) - 1) * MARGIN - sum(fixed)) / flexible if flexible else 0.0
        y = top
        for nm in names:
            pref = PREFERRED_H.get(nm, math.inf)
            h = max(pref if pref < share else rest, 1.0)
            out[nm] = (x, y, cw, h)
            y += h + MARGIN
    return out
