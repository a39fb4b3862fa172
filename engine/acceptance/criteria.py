"""The acceptance criteria of the stress run, as small objects over a report's measurements.

A criterion reads measured values from the ``measurements`` mapping of a report (see
``engine.acceptance.report``), compares one value with its limit and returns a
``CriterionResult`` (name, measured value, limit, PASS/FAIL). A value that was not measured
(missing, ``None``, or NaN: e.g. a run stopped before its hold phase) FAILS with a note saying
so; nothing passes by default.

Informational rows (``Info``) are reported in the same table with the verdict ``INFO``: the
frame time including the software rasteriser is one, so that the table says honestly which
frame time the criterion is held on.

Measurement keys read by ``default_criteria`` (numbers unless said; the demo fills them):

============================  ==============================================================
``enemies_target``            enemies the run had to sustain
``enemies_min_hold``          the fewest live enemies in any tick of the hold (after its spawns)
``memory_growth_mb``          RSS growth from the end of warm-up to the end of the run (MB)
``frame_cpu_p50_ms``          engine CPU frame time, median over the hold (no raster wait)
``frame_cpu_p99_ms``          same, 99th percentile
``frame_full_p50_ms``         frame time including the wait for the rasteriser (``finish``)
``frame_full_p99_ms``         same, 99th percentile
``gc_spikes``                 frames of the hold in which a GC pause exceeded the spike limit
``gc_collections_hold``       GC collections (any generation) during the hold
``blocks_growth_hold``        net ``sys.getallocatedblocks()`` growth over the hold
``small_int_crossings_hold``  plain Python int attributes of the world's stats, player, pools,
                              rings, systems and boss slots that passed 256 during the hold,
                              net of any that fell back below 257: one block each. The engine
                              keeps its counters in int64 cells (``engine.data.counters``), so
                              this is 0; a plain-int counter added back shows here, and
                              its name (``default_criteria(counters_past_256=...)``) in the
                              row's note
``blocks_growth_beyond_counters_hold``
                              ``blocks_growth_hold - small_int_crossings_hold`` (not judged;
                              kept for the baseline comparison)
``gen0_growth_hold``          net ``gc.get_count()[0]`` growth over the hold (no collections)
``tracked_growth_hold``       net growth of GC-tracked objects in the young generations
                              (``len(gc.get_objects())`` after ``gc.freeze()``): containers
                              retained, counted exactly
``pools``                     name -> {``acquires_hold``, ``reuses_hold``, ...} per pool
``ring_overflows``            events lost by every ring buffer over the whole run
``spawn_refusals``            spawns refused by a full pool (not by the director's cap)
``nonfinite_quarantined``     enemy rows (and player positions) with NaN/inf the combat kit's
                              quarantine step took out, whole run
``damage_refused``            damage events refused for a non-finite or negative amount,
                              whole run
``temporaries_max_bytes``     the largest per-tick temporaries of the hold (tracemalloc peak
                              over the tick's start), or None when tracing was off: INFO
``leak_flags_hold``           leak trends flagged during the hold (INFO: the growth rows judge)
``hold_sim_s``                simulated seconds of the hold phase that ran
``duration_s``                simulated seconds the hold had to run
============================  ==============================================================
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PASS", "FAIL", "INFO",
    "CriterionResult", "Criterion", "AtLeast", "Below", "AtMost", "Info", "PoolReuse",
    "CriteriaError",
    "default_criteria", "evaluate", "overall_passed", "format_table",
    "FRAME_BUDGET_MS", "MEMORY_GROWTH_LIMIT_MB", "POOL_REUSE_MIN", "BLOCKS_GROWTH_TOLERANCE",
    "GEN0_GROWTH_TOLERANCE", "POOL_MIN_ACQUIRES", "TEMPORARIES_LIMIT_BYTES", "WhenMeasured",
]

PASS = "PASS"
FAIL = "FAIL"
INFO = "INFO"

FRAME_BUDGET_MS = 16.0
"""Frame-time budget (p50 and p99) for the engine's CPU frame time."""
MEMORY_GROWTH_LIMIT_MB = 50.0
"""Memory (RSS) growth allowed after warm-up."""
POOL_REUSE_MIN = 0.95
"""Fraction of a churning pool's acquires over the hold that must reuse a slot."""
POOL_MIN_ACQUIRES = 1
"""A pool with fewer acquires than this over the hold did not churn: its reuse row is INFO."""
BLOCKS_GROWTH_TOLERANCE = 2
"""Allowed net growth of allocated blocks over the hold: the raw ``sys.getallocatedblocks()``
difference between the two readings, nothing subtracted.

Any object retained in the hold is one block here, so a leak of any rate fails (one object a
tick is 1,800 blocks over a 60 s hold). It is not 0 because the two readings, both at the end
of a frame but not in the same call chain, see different transients and free-list levels;
measured holds read -3..0 (docs/PROFILER.md, "The blocks floor"). A reading below 0 can hide
as many retained objects as it is below 0."""
GEN0_GROWTH_TOLERANCE = 0
"""Allowed growth of ``gc.get_count()[0]`` over the hold. Measured: 0 in every run
(docs/PROFILER.md, "The blocks floor"). It was +2 in every run while the demo's start snapshot
kept a dict and four tuples taken from CPython's free lists: the hold's first frame allocated
two fresh containers to refill them (the counter counts fresh container allocations and frees
that give memory back, not objects taken from or returned to a free list). Retained tracked
containers are also judged exactly, by ``tracked_growth_hold``; this row also catches untracked
containers and free-list growth."""


TEMPORARIES_LIMIT_BYTES = 65_536
"""Per-tick temporaries allowed with tracing on: the largest tracemalloc peak over a tick's
start in the hold. A tick of the stock horde makes a few KB of small temporaries; a hot-path
array copy at thousands of enemies is tens to hundreds of KB."""


class CriteriaError(ValueError):
    """A criterion was declared with bad arguments."""


def _number(value: object) -> float | None:
    """``value`` as a float, or None when it was not measured (missing, None, NaN, a bool)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        f = float(value)
        return None if math.isnan(f) else f
    return None


@dataclass(frozen=True)
class CriterionResult:
    """One row of the pass/fail table.

    Attributes:
        name: what is held, e.g. ``"frame time p50 (engine CPU)"``.
        measured: the measured value, or None when it was not measured.
        limit: the limit it is held against.
        op: the comparison that must hold: ``">="``, ``"<"``, ``"<="``, ``"=="`` (or ``""``
            for an informational row).
        unit: unit of ``measured`` and ``limit`` (``"ms"``, ``"MB"``, ``""``).
        verdict: ``PASS``, ``FAIL`` or ``INFO``.
        note: why, when it is not obvious (not measured, which frame time, tolerance).
    """

    name: str
    measured: float | None
    limit: float | None
    op: str
    unit: str
    verdict: str
    note: str = ""

    @property
    def passed(self) -> bool:
        """True unless the verdict is FAIL (an INFO row never fails a run)."""
        return self.verdict != FAIL

    def as_dict(self) -> dict[str, Any]:
        """A plain dict for the JSON report."""
        return {"name": self.name, "measured": self.measured, "limit": self.limit,
                "op": self.op, "unit": self.unit, "verdict": self.verdict, "note": self.note}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CriterionResult:
        """Inverse of ``as_dict``.

        Raises:
            KeyError: a field is missing.
        """
        return cls(name=str(d["name"]), measured=_number(d["measured"]),
                   limit=_number(d["limit"]), op=str(d["op"]), unit=str(d["unit"]),
                   verdict=str(d["verdict"]), note=str(d.get("note", "")))


_OPS = {
    ">=": lambda v, lim: v >= lim,
    "<": lambda v, lim: v < lim,
    "<=": lambda v, lim: v <= lim,
    "==": lambda v, lim: v == lim,
}


class Criterion:
    """Compare one measured value with a limit.

    Args:
        name: the row's name in the table.
        key: the measurement key to read.
        op: ``">="``, ``"<"``, ``"<="`` or ``"=="``.
        limit: a number, or the name of another measurement key holding the limit (e.g.
            ``"enemies_target"``).
        unit: shown beside the numbers.
        note: shown in the table (e.g. how the value was measured).

    Raises:
        CriteriaError: an unknown ``op``.
    """

    def __init__(self, name: str, key: str, op: str, limit: float | str, unit: str = "",
                 note: str = "") -> None:
        if op not in _OPS:
            raise CriteriaError(f"criterion {name!r}: op must be one of {sorted(_OPS)}, "
                                f"got {op!r}")
        self.name = name
        self.key = key
        self.op = op
        self.limit = limit
        self.unit = unit
        self.note = note

    def _limit(self, measurements: Mapping[str, Any]) -> float | None:
        if isinstance(self.limit, str):
            return _number(measurements.get(self.limit))
        return float(self.limit)

    def evaluate(self, measurements: Mapping[str, Any]) -> CriterionResult:
        """Hold the measured value against the limit; FAIL when either was not measured."""
        value = _number(measurements.get(self.key))
        limit = self._limit(measurements)
        if value is None or limit is None:
            missing = self.key if value is None else str(self.limit)
            return CriterionResult(self.name, value, limit, self.op, self.unit, FAIL,
                                   f"not measured ({missing})")
        ok = _OPS[self.op](value, limit)
        return CriterionResult(self.name, value, limit, self.op, self.unit,
                               PASS if ok else FAIL, self.note)


class AtLeast(Criterion):
    """``measured >= limit``."""

    def __init__(self, name: str, key: str, limit: float | str, unit: str = "",
                 note: str = "") -> None:
        super().__init__(name, key, ">=", limit, unit, note)


class Below(Criterion):
    """``measured < limit``."""

    def __init__(self, name: str, key: str, limit: float | str, unit: str = "",
                 note: str = "") -> None:
        super().__init__(name, key, "<", limit, unit, note)


class AtMost(Criterion):
    """``measured <= limit`` (``limit`` 0 for counts that must stay at zero)."""

    def __init__(self, name: str, key: str, limit: float | str, unit: str = "",
                 note: str = "") -> None:
        super().__init__(name, key, "<=", limit, unit, note)


class Info:
    """An informational row: the value is reported, never judged (verdict INFO)."""

    def __init__(self, name: str, key: str, unit: str = "", note: str = "") -> None:
        self.name = name
        self.key = key
        self.unit = unit
        self.note = note

    def evaluate(self, measurements: Mapping[str, Any]) -> CriterionResult:
        """The measured value with verdict INFO (``"not measured"`` noted when absent)."""
        value = _number(measurements.get(self.key))
        note = self.note if value is not None else f"not measured ({self.key})"
        return CriterionResult(self.name, value, None, "", self.unit, INFO, note)


class WhenMeasured(Criterion):
    """A criterion judged only when its value was measured: a missing value (an opt-in
    measurement that was off) is an INFO row saying why, not a FAIL."""

    def __init__(self, name: str, key: str, op: str, limit: float | str, unit: str = "",
                 note: str = "", off_note: str = "not measured") -> None:
        super().__init__(name, key, op, limit, unit, note)
        self.off_note = off_note

    def evaluate(self, measurements: Mapping[str, Any]) -> CriterionResult:
        if _number(measurements.get(self.key)) is None:
            return CriterionResult(self.name, None, self._limit(measurements), self.op,
                                   self.unit, INFO, self.off_note)
        return super().evaluate(measurements)


class PoolReuse:
    """A churning pool reuses its slots: ``reuses_hold / acquires_hold >= min_ratio``.

    Reads ``measurements["pools"][pool]``, a mapping with ``acquires_hold`` and
    ``reuses_hold`` (counter deltas over the hold phase). A pool that did not churn over the
    hold (fewer than ``min_acquires`` acquires) has no reuse to judge: its row is INFO, unless
    ``require_churn`` is set, in which case it FAILS (the run did not exercise the pool).

    Args:
        pool: the pool's name.
        min_ratio: the least reuse fraction, 0..1.
        require_churn: a pool that did not churn fails instead of being INFO.
        min_acquires: acquires over the hold that count as churn.

    Raises:
        CriteriaError: ``min_ratio`` outside 0..1, or ``min_acquires`` < 1.
    """

    def __init__(self, pool: str, min_ratio: float = POOL_REUSE_MIN, *,
                 require_churn: bool = False, min_acquires: int = POOL_MIN_ACQUIRES) -> None:
        if not 0.0 <= min_ratio <= 1.0:
            raise CriteriaError(f"pool reuse {pool!r}: min_ratio must be in 0..1, "
                                f"got {min_ratio}")
        if min_acquires < 1:
            raise CriteriaError(f"pool reuse {pool!r}: min_acquires must be >= 1, "
                                f"got {min_acquires}")
        self.pool = pool
        self.min_ratio = min_ratio
        self.require_churn = require_churn
        self.min_acquires = min_acquires
        self.name = f"pool reuse ({pool})"

    def evaluate(self, measurements: Mapping[str, Any]) -> CriterionResult:
        """Reuse fraction of the pool over the hold against ``min_ratio``."""
        pools = measurements.get("pools")
        entry = pools.get(self.pool) if isinstance(pools, Mapping) else None
        if not isinstance(entry, Mapping):
            return CriterionResult(self.name, None, self.min_ratio, ">=", "", FAIL,
                                   f"not measured (pools.{self.pool})")
        acquires = _number(entry.get("acquires_hold"))
        reuses = _number(entry.get("reuses_hold"))
        if acquires is None or reuses is None:
            return CriterionResult(self.name, None, self.min_ratio, ">=", "", FAIL,
                                   f"not measured (pools.{self.pool}.acquires_hold/"
                                   f"reuses_hold)")
        if acquires < self.min_acquires:
            verdict = FAIL if self.require_churn else INFO
            return CriterionResult(self.name, None, self.min_ratio, ">=", "", verdict,
                                   f"no churn over the hold ({int(acquires)} acquires)")
        ratio = reuses / acquires
        ok = ratio >= self.min_ratio
        return CriterionResult(self.name, ratio, self.min_ratio, ">=", "", PASS if ok else FAIL,
                               f"{int(reuses)}/{int(acquires)} acquires reused")


def default_criteria(pool_names: Iterable[str] = (), *, required_pools: Sequence[str] = (),
                     frame_budget_ms: float = FRAME_BUDGET_MS,
                     memory_limit_mb: float = MEMORY_GROWTH_LIMIT_MB,
                     pool_reuse_min: float = POOL_REUSE_MIN,
                     blocks_tolerance: int = BLOCKS_GROWTH_TOLERANCE,
                     gen0_tolerance: int = GEN0_GROWTH_TOLERANCE,
                     counters_past_256: Sequence[str] = (),
                     temporaries_limit_bytes: int = TEMPORARIES_LIMIT_BYTES,
                     ) -> list[Criterion | Info | PoolReuse]:
    """The acceptance criteria of the stress run, in table order.

    Args:
        pool_names: pools to hold to the reuse criterion (those that churn: enemies,
            projectiles, particles, bosses).
        required_pools: pools among them that must churn over the hold (else FAIL).
        frame_budget_ms: limit of the CPU frame time p50 and p99.
        memory_limit_mb: limit of the RSS growth after warm-up.
        pool_reuse_min: least reuse fraction of a churning pool.
        blocks_tolerance: allowed net growth of allocated blocks over the hold (raw).
        gen0_tolerance: allowed growth of the gen0 count over the hold.
        counters_past_256: names of the plain int attributes that passed 256 during the hold
            (the demo finds them); shown in the note of the ``counters passing 256`` row.
        temporaries_limit_bytes: limit of the per-tick temporaries (judged with tracing on).

    Returns:
        Criterion objects; call ``evaluate(criteria, measurements)``.
    """
    cpu_note = "engine CPU frame: ticks+pack/upload/submit+profiler+UI, no raster wait"
    past_note = ("plain int attributes of the world leaving the small-int cache: a block each "
                 "(engine counters are int64 cells)")
    if counters_past_256:
        past_note += ": " + ", ".join(counters_past_256)
    crit: list[Criterion | Info | PoolReuse] = [
        AtLeast("enemies sustained (min over hold)", "enemies_min_hold", "enemies_target",
                note="fewest live enemies in any tick of the hold, after its spawns"),
        Below("memory growth after warm-up", "memory_growth_mb", memory_limit_mb, "MB",
              note="RSS at end minus RSS at end of warm-up"),
        Below("frame time p50 (engine CPU)", "frame_cpu_p50_ms", frame_budget_ms, "ms",
              note=cpu_note),
        Below("frame time p99 (engine CPU)", "frame_cpu_p99_ms", frame_budget_ms, "ms",
              note=cpu_note),
        Info("frame time p50 (full, incl. raster)", "frame_full_p50_ms", "ms",
             note="includes ctx.finish(): waiting for the rasteriser; not judged"),
        Info("frame time p99 (full, incl. raster)", "frame_full_p99_ms", "ms",
             note="includes ctx.finish(): waiting for the rasteriser; not judged"),
        AtMost("GC spikes (hold)", "gc_spikes", 0),
        AtMost("GC collections (hold)", "gc_collections_hold", 0, note="any generation"),
        AtMost("allocated blocks growth (hold)", "blocks_growth_hold", blocks_tolerance,
               note="net sys.getallocatedblocks() growth, raw; see criteria.py"),
        Info("counters passing 256 (hold)", "small_int_crossings_hold", note=past_note),
        AtMost("tracked objects retained (hold)", "tracked_growth_hold", 0,
               note="young GC-tracked objects, exact"),
        AtMost("gen0 count growth (hold)", "gen0_growth_hold", gen0_tolerance,
               note="net gc.get_count()[0] growth; see criteria.py"),
        WhenMeasured("per-tick temporaries (hold)", "temporaries_max_bytes", "<=",
                     temporaries_limit_bytes, "B",
                     note="largest tracemalloc peak over a tick's start",
                     off_note="tracing off (--trace-allocations)"),
        Info("leak trends flagged (hold)", "leak_flags_hold",
             note="blocks/tracked/RSS/traced/pool trends (profiler.leaks); growth rows judge"),
    ]
    for name in pool_names:
        crit.append(PoolReuse(name, pool_reuse_min, require_churn=name in required_pools))
    crit += [
        AtMost("ring overflows", "ring_overflows", 0, note="events lost, whole run"),
        AtMost("unexpected spawn refusals", "spawn_refusals", 0,
               note="spawns refused by a full pool, whole run"),
        AtMost("non-finite rows quarantined", "nonfinite_quarantined", 0,
               note="NaN/inf positions taken out by the quarantine step, whole run"),
        AtMost("damage events refused", "damage_refused", 0,
               note="non-finite or negative amounts, whole run"),
        AtLeast("full duration reached", "hold_sim_s", "duration_s", "s",
                note="simulated seconds of the hold"),
    ]
    return crit


def evaluate(criteria: Iterable[Criterion | Info | PoolReuse],
             measurements: Mapping[str, Any]) -> list[CriterionResult]:
    """Every criterion evaluated on ``measurements``, in order."""
    return [c.evaluate(measurements) for c in criteria]


def overall_passed(results: Iterable[CriterionResult]) -> bool:
    """True when no row FAILED (INFO rows never fail)."""
    return all(r.passed for r in results)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if float(value).is_integer() and abs(value) < 1e15:
        text = f"{int(value)}"
    elif abs(value) < 1:
        text = f"{value:.3f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".rstrip()


def format_table(results: Sequence[CriterionResult], *, notes: bool = True) -> str:
    """The pass/fail table as plain text, one row per criterion.

    Args:
        results: the evaluated criteria.
        notes: add the note column.
    """
    header = ["criterion", "measured", "limit", "result"] + (["note"] if notes else [])
    rows = [header]
    for r in results:
        limit = "" if r.limit is None else f"{r.op} {_fmt(r.limit, r.unit)}"
        row = [r.name, _fmt(r.measured, r.unit), limit, r.verdict]
        if notes:
            row.append(r.note)
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for k, row in enumerate(rows):
        cells = [row[i].ljust(widths[i]) if i != 1 else row[i].rjust(widths[i])
                 for i in range(len(row))]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
