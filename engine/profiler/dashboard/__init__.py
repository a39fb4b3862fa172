"""The live dashboard: ImGui windows with ImPlot plots of the profiler's rings.

Panels, each toggled by its own key (GLFW codes; F12 toggles the whole dashboard), listed in
the help bar with the pause / step / screenshot buttons. The windows sit in a column at the
right edge (``layout``): the default view (bar + overview) covers at most a third of the
display; more open panels stack there, then open columns to the left, never overlapping:

=====  ============  ===========================================================================
key    panel         shows
=====  ============  ===========================================================================
F1     overview      fps, frame interval and CPU frame time, enemies, memory growth, GC and
                     spike counts, warnings
F2     frame         frame interval / CPU / step / render / overlay ms with the budget line;
                     per system
F3     allocations   blocks and gen0 per frame, sums over 60 / 600 frames and since warm-up;
                     allocation tracing toggle, transient bytes per frame and per tick
F4     gc            GC timeline (pause per collection, coloured by generation; spikes marked),
                     counts and pauses per generation, GC policy controls
F5     memory        RSS and allocated blocks (1 Hz), growth since warm-up, traced bytes
F6     pools         utilisation, high-water, refusals and growths of every watched pool
F7     combat        enemies by tier, damage events per tick, projectiles, ring fill / overflows
F8     render        draw calls, instances per batch, GL objects live / created / released
=====  ============  ===========================================================================

Headless, ImGui gets the display size and delta time from the dashboard and mouse state from
the App's ``Input`` (so injected clicks press the buttons); in a window, the GLFW backend does it.
Keys reach the dashboard through ``App.input`` bindings (``attach``) or ``handle_key(key)``.

Allocation contract of ``draw`` (the overlay hook): retains nothing after warm-up, and its
transients stay within the engine's per-call limit (held by tests/test_profiler_dashboard.py
with ``measure_steady_state`` and the default limits; recorded with every panel open: no
collections, no gen0 growth, max transient ~1.2 KB). What it does allocate, every frame it is
shown, is short-lived: the formatted strings of its text lines (a few dozen short f-strings,
each freed before the next is made), the small tuples and wrapper objects the imgui-bundle
bindings return, and views of its plot buffers. ImGui's own C++ buffers are outside
tracemalloc's view. Plot data never allocates: each ring is copied oldest-first into a float64
buffer the dashboard allocated once for that ring. Hidden (F12), ``draw`` returns at once.
The layout is computed again only in a frame after a panel opened or closed or the display
was resized (a new set of window positions replaces the old one).
tools/bench_profiler.py measures its CPU time.

Modules: ``keys`` (panel names and keys; no imgui), ``layout`` (the windows' rects; no
imgui), ``plots`` (the plot buffers and prebuilt
ImGui values every panel draws with), ``dashboard`` (the ``Dashboard``: keys, lifecycle, the
frame, the help bar) and one module per panel group: ``timing`` (overview, frame), ``memory``
(allocations, gc, memory), ``world`` (pools, combat, render). Importing this package imports
imgui; ``engine.profiler`` imports it only when a dashboard is made.
"""

from __future__ import annotations

from .dashboard import Dashboard
from .keys import DEFAULT_KEYS, KEY_TOGGLE_ALL, PANELS

__all__ = ["Dashboard", "PANELS", "DEFAULT_KEYS", "KEY_TOGGLE_ALL"]
