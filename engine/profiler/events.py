"""A preallocated ring of timestamped events, used for GC collections and for spikes.

Each event is one row of six numbers: ``kind`` (a small int code: a GC generation or a
``SpikeKind``), ``frame`` (the meter's frame number), ``t_ns`` (``perf_counter_ns``), ``value``
(float: a pause in ms, a frame time in ms, a counter delta), ``aux`` (int: objects collected,
or an index into the watched objects) and ``flag`` (int: 1 for a GC collection the GC policy
asked for). Counts per kind are kept for all time and since the
last ``mark()`` (the end of warm-up).

Allocation contract: ``record`` writes into arrays allocated at construction and retains
nothing; it is safe to call from a ``gc.callbacks`` callback. The per-kind counts, sums and
maxima are int64/float64 arrays, not lists of Python numbers: a count restarted at 0 by
``mark()`` would leave CPython's small-int cache at its 257th event, and a sum restarted at
the constant 0.0 would hold a new float after its first event, each one block that
``sys.getallocatedblocks()`` (the meter's leak signal) counts. ``recorded`` is a plain int: it
never restarts, so it becomes a heap int once, at the 257th event of the log's life.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EventLog"]


class EventLog:
    """A fixed-capacity ring of events, newest overwriting oldest, with counts per kind.

    Args:
        capacity: events kept (>= 1).
        kinds: number of distinct kind codes (codes are ``0 .. kinds - 1``).
        kind_names: a display name per kind code (length ``kinds``).

    Raises:
        ValueError: capacity or kinds < 1, or ``kind_names`` has the wrong length.
    """

    def __init__(self, capacity: int, kinds: int, kind_names: tuple[str, ...]) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        if kinds < 1:
            raise ValueError(f"kinds must be >= 1, got {kinds}")
        if len(kind_names) != kinds:
            raise ValueError(f"expected {kinds} kind names, got {len(kind_names)}")
        self.capacity = capacity
        self.kind_names = kind_names
        self.kind = np.zeros(capacity, dtype=np.int64)
        self.frame = np.zeros(capacity, dtype=np.int64)
        self.t_ns = np.zeros(capacity, dtype=np.int64)
        self.value = np.zeros(capacity, dtype=np.float64)
        self.aux = np.zeros(capacity, dtype=np.int64)
        self.flag = np.zeros(capacity, dtype=np.int64)
        self.recorded = 0
        """Events recorded since construction (the next event's sequence number)."""
        self.counts = np.zeros(kinds, dtype=np.int64)
        """Events per kind since construction."""
        self.counts_since_mark = np.zeros(kinds, dtype=np.int64)
        """Events per kind since the last ``mark()``."""
        self.max_value_since_mark = np.zeros(kinds, dtype=np.float64)
        """Largest ``value`` per kind since the last ``mark()``."""
        self.value_sum_since_mark = np.zeros(kinds, dtype=np.float64)
        """Sum of ``value`` per kind since the last ``mark()``."""

    def __len__(self) -> int:
        return min(self.recorded, self.capacity)

    def record(self, kind: int, frame: int, t_ns: int, value: float, aux: int = 0,
               flag: int = 0) -> None:
        """Append one event. Allocates nothing retained.

        Raises:
            IndexError: ``kind`` is not a valid code.
        """
        i = self.recorded % self.capacity
        self.kind[i] = kind
        self.frame[i] = frame
        self.t_ns[i] = t_ns
        self.value[i] = value
        self.aux[i] = aux
        self.flag[i] = flag
        self.recorded += 1
        self.counts[kind] += 1
        self.counts_since_mark[kind] += 1
        self.value_sum_since_mark[kind] += value
        if value > self.max_value_since_mark[kind]:
            self.max_value_since_mark[kind] = value

    def mark(self) -> None:
        """Start the "since mark" counts afresh (called at the end of warm-up)."""
        self.counts_since_mark.fill(0)
        self.max_value_since_mark.fill(0.0)
        self.value_sum_since_mark.fill(0.0)

    def slot(self, seq: int) -> int:
        """The array index of event number ``seq`` (valid while it is still in the ring)."""
        return seq % self.capacity

    def ordered_into(self, column: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Copy one column (e.g. ``self.frame``) oldest-first into ``out``; return ``out[:n]``.

        Raises:
            ValueError: ``out`` is shorter than the capacity.
        """
        if out.shape[0] < self.capacity:
            raise ValueError(f"out must hold >= {self.capacity} events, got {out.shape[0]}")
        n = len(self)
        if self.recorded <= self.capacity:
            np.copyto(out[:n], column[:n], casting="unsafe")
        else:
            head = self.recorded % self.capacity
            tail = self.capacity - head
            np.copyto(out[:tail], column[head:], casting="unsafe")
            np.copyto(out[tail:n], column[:head], casting="unsafe")
        return out[:n]

    def recent(self, n: int) -> list[dict[str, float | int | str]]:
        """The newest ``n`` events as dicts, oldest first (allocates; for reports)."""
        n = min(n, len(self))
        out: list[dict[str, float | int | str]] = []
        for seq in range(self.recorded - n, self.recorded):
            i = seq % self.capacity
            k = int(self.kind[i])
            out.append({"kind": self.kind_names[k], "frame": int(self.frame[i]),
                        "t_ns": int(self.t_ns[i]), "value": float(self.value[i]),
                        "aux": int(self.aux[i]), "flag": int(self.flag[i])})
        return out
