"""What every panel draws with: plot buffers, the min/max reduction, prebuilt ImGui values.

Allocation contract: a plot buffer is allocated the first time its ring is plotted; after
that, plotting copies into it and allocates nothing (see the package docstring).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from imgui_bundle import imgui, implot

from ..history import HistoryRing
from ..spikes import SPIKE_NAMES

__all__ = ["PanelContext", "Plots", "Style"]

_GEN_COLORS = ((0.35, 0.85, 0.35, 1.0), (0.95, 0.75, 0.2, 1.0), (0.95, 0.25, 0.25, 1.0))


class Style:
    """ImGui values made once, not each frame."""

    def __init__(self) -> None:
        self.v_zero = imgui.ImVec2(0, 0)
        # Tall enough for ~110 px of data under the title and above the x ticks and label:
        # shorter, the y tick labels crowd.
        self.plot_size = imgui.ImVec2(-1, 190)
        self.plot_small = imgui.ImVec2(-1, 170)
        self.name_width = 96.0
        """Width of a table's name column (pool names: "projectiles")."""
        self.red = imgui.ImVec4(1.0, 0.35, 0.3, 1.0)
        self.grey = imgui.ImVec4(0.6, 0.6, 0.6, 1.0)
        self.gen_specs = tuple(
            implot.Spec(marker=implot.Marker_.circle, marker_size=4,
                        line_color=imgui.ImVec4(*c), marker_fill_color=imgui.ImVec4(*c),
                        marker_line_color=imgui.ImVec4(*c))
            for c in _GEN_COLORS)
        self.spike_spec = implot.Spec(line_color=imgui.ImVec4(1.0, 0.3, 0.3, 0.35))
        self.budget_spec = implot.Spec(line_color=imgui.ImVec4(1.0, 0.3, 0.3, 0.9),
                                       flags=implot.InfLinesFlags_.horizontal)
        self.bar_flags = (imgui.WindowFlags_.no_decoration | imgui.WindowFlags_.no_move
                          | imgui.WindowFlags_.no_saved_settings
                          | imgui.WindowFlags_.no_focus_on_appearing
                          | imgui.WindowFlags_.no_nav)
        self.panel_flags = imgui.WindowFlags_.no_saved_settings
        self.fit = implot.AxisFlags_.auto_fit
        self.x_flags = implot.AxisFlags_.auto_fit
        self.y_fixed = implot.AxisFlags_.none
        # A column beside the plot: a legend row above it is cut when wider than the plot.
        self.legend_flags = implot.LegendFlags_.outside
        self.legend_beside_min_w = 280.0
        self.plot_flags = implot.Flags_.no_title
        self.table_flags = imgui.TableFlags_.borders | imgui.TableFlags_.row_bg
        self.spike_labels = tuple(f"spikes {name}:" for name in SPIKE_NAMES)


class Plots:
    """Plots of history rings, each copied oldest-first into a buffer kept for that ring.

    Args:
        meter: the FrameMeter (its ``frame`` is the x of the newest sample).
        style: the prebuilt ImGui values.
        plot_points: most points drawn per series (longer: (min, max) pairs per bucket).
    """

    def __init__(self, meter: Any, style: Style, plot_points: int) -> None:
        self.meter = meter
        self._style = style
        self.plot_points = plot_points
        self._bufs: dict[HistoryRing, np.ndarray] = {}
        self._col_bufs: dict[HistoryRing, np.ndarray] = {}
        self._dec_bufs: dict[object, np.ndarray] = {}
        self._dec_col_bufs: dict[HistoryRing, np.ndarray] = {}
        # Sized for the per-frame rings up front: a buffer per series length would be a new
        # one each frame while the rings fill.
        self._scratch = np.zeros(max(int(meter.frame_ms.capacity), 1), dtype=np.float64)

    def series(self, ring: HistoryRing) -> np.ndarray:
        """A scalar ring's samples oldest-first, in this dashboard's buffer for that ring
        (allocated the first time the ring is plotted)."""
        buf = self._bufs.get(ring)
        if buf is None:
            buf = np.zeros(ring.capacity, dtype=np.float64)
            self._bufs[ring] = buf
        return ring.ordered_into(buf)

    def column_buf(self, ring: HistoryRing, column: int) -> np.ndarray:
        """The plot buffer for one column of a ring of rows (per-system times)."""
        bufs = self._col_bufs.get(ring)
        if bufs is None:
            bufs = np.zeros((max(ring.width, 1), ring.capacity), dtype=np.float64)
            self._col_bufs[ring] = bufs
        return bufs[column]

    def line(self, label: str, ring: HistoryRing, scale: float = 1.0) -> None:
        """Plot a per-frame ring against frame numbers."""
        view = self.series(ring)
        if scale != 1.0:
            np.multiply(view, scale, out=view)
        self.values(label, view, float(self.meter.frame), self.dec_buf(ring))

    def seconds(self, label: str, ring: HistoryRing) -> None:
        """Plot a 1 Hz ring against seconds ago (x = 0 is the newest sample)."""
        self.values(label, self.series(ring), 1.0, self.dec_buf(ring))

    def dec_col_buf(self, ring: HistoryRing, column: int) -> np.ndarray:
        bufs = self._dec_col_bufs.get(ring)
        if bufs is None:
            bufs = np.zeros((max(ring.width, 1), self.plot_points), dtype=np.float64)
            self._dec_col_bufs[ring] = bufs
        return bufs[column]

    def dec_buf(self, key: object) -> np.ndarray:
        buf = self._dec_bufs.get(key)
        if buf is None:
            buf = np.zeros(self.plot_points, dtype=np.float64)
            self._dec_bufs[key] = buf
        return buf

    def values(self, label: str, view: np.ndarray, x_end: float,
                     out: np.ndarray) -> None:
        """Plot ``view`` (oldest first) with its newest sample at ``x_end - 1``.

        A series longer than ``plot_points`` is reduced to a (min, max) pair per bucket of
        samples, written into ``out``: a one-frame spike survives, and the driver gets fewer
        than half the vertices (on llvmpipe the vertex work runs on the submitting thread).
        The oldest ``n % bucket`` samples are left out.
        """
        n = len(view)
        if not n:
            return
        if n <= self.plot_points:
            implot.plot_line(label, view, 1.0, x_end - n)
            return
        k = -(-n // (self.plot_points // 2))
        m = n // k
        src = view[n - m * k:].reshape(m, k)
        np.minimum.reduce(src, axis=1, out=out[0:2 * m:2])
        np.maximum.reduce(src, axis=1, out=out[1:2 * m:2])
        implot.plot_line(label, out[:2 * m], k / 2, x_end - m * k)

    def robust_max(self, view: np.ndarray, floor: float = 0.0) -> float:
        """The 95th percentile of ``view`` with 50 % headroom (at least ``floor``): a y range
        that the startup frames do not set. Partitions a copy in a scratch buffer (allocated
        once; again only for a series longer than any before)."""
        n = len(view)
        if not n:
            return floor
        if n > len(self._scratch):
            self._scratch = np.zeros(n, dtype=np.float64)
        buf = self._scratch[:n]
        np.copyto(buf, view)
        k = (n * 95) // 100
        buf.partition(k)
        top = float(buf[k]) * 1.5
        return top if top > floor else floor

    def begin(self, title: str, size: Any, x_label: str = "frame",
              y_max: float | None = None) -> bool:
        """Begin a plot with the x axis labelled (``"frame"``, or ``"s ago"`` for the 1 Hz
        plots), the legend in a column beside it, and y auto-fit or, with ``y_max``, fixed
        to ``[0, y_max]`` (see ``robust_max``). Call ``implot.end_plot`` when it returns
        True."""
        # The title is a text line over the whole panel width: centred over a narrow plot
        # area it is cut. The legend beside the plot when the panel is wide enough; inside
        # it (top left) in a narrow one, where a column would leave too little for the data.
        imgui.text_unformatted(title)
        wide = imgui.get_content_region_avail().x >= self._style.legend_beside_min_w
        if not implot.begin_plot(title, size, self._style.plot_flags):
            return False
        implot.setup_axis(implot.ImAxis_.x1, x_label, self._style.x_flags)
        if y_max is None:
            implot.setup_axis(implot.ImAxis_.y1, None, self._style.fit)
        else:
            implot.setup_axis(implot.ImAxis_.y1, None, self._style.y_fixed)
            implot.setup_axis_limits(implot.ImAxis_.y1, 0.0, y_max, implot.Cond_.always)
        implot.setup_legend(implot.Location_.north_west,
                            self._style.legend_flags if wide else 0)
        return True


class PanelContext:
    """What a panel function reads: the profiler, its meter, the plots and the style."""

    def __init__(self, profiler: Any, plot_points: int) -> None:
        self.profiler = profiler
        self.meter = profiler.meter
        self.style = Style()
        self.plots = Plots(self.meter, self.style, plot_points)
        self.spike_x = np.zeros(profiler.spikes.log.capacity, dtype=np.float64)
        """The spike log's frames, oldest first (the GC panel's spike lines)."""
        self.budget_y = np.array([profiler.budgets.frame_ms], dtype=np.float64)
        """The frame budget line of the frame panel."""
        self._systems_sizes: dict[int, Any] = {}

    def systems_plot_size(self, n: int) -> Any:
        """The per-system plot's size: tall enough for a legend row per system (cached)."""
        size = self._systems_sizes.get(n)
        if size is None:
            size = imgui.ImVec2(-1, max(190.0, 60.0 + 17.0 * n))
            self._systems_sizes[n] = size
        return size

    def since_label(self) -> str:
        return "since warm-up" if self.meter.warmed_up else "since start (no warm-up mark)"
