"""Baselines: a stress report's numbers kept in the repository, and the regression check.

A baseline (``tests/baselines/*.json``) is the small, stable part of a report: the run's
configuration, the calibration, the tolerances and the compared metrics. ``compare`` holds a
new report against it, metric by metric:

========================  ==================================================================
rule                      regression when
========================  ==================================================================
``count``                 current > baseline (allocations, GC collections and spikes, ring
                          overflows, spawn refusals); current < baseline is "better" and
                          passes, with a hint to ``--update``. Allocated blocks alone get
                          ``blocks_slack`` (identical benchmark runs measured 20 and 21:
                          timing-dependent paths - the spike log, the 1 Hz sampling - move
                          one block)
``bound``                 memory growth > baseline + ``memory_slack_mb``
``timing``                (current ms / current calibration ms) > (baseline ms / baseline
                          calibration ms) x ``timing_factor`` (``tail_timing_factor`` for
                          the p99 and the full frame): timings are ratios to a workload
                          timed in the same run, so a faster or slower machine does not
                          move them
``at_least``              current < baseline (enemies sustained, simulated hold seconds)
``ratio``                 current < baseline - ``reuse_slack`` (pool reuse fractions)
``verdict``               the baseline passed every criterion and the report does not, or
                          the report is partial
========================  ==================================================================

A report made with another configuration (enemies, duration, warm-up, seed, benchmark mode)
cannot be compared: ``BaselineError``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from .criteria import PASS
from .report import atomic_write_text, to_jsonable

__all__ = [
    "BASELINE_SCHEMA", "BASELINE_SCHEMA_VERSION", "BaselineError", "Tolerances",
    "ComparisonRow", "Comparison", "COUNT_METRICS", "TIMING_METRICS", "STEADY_TIMINGS",
    "CONFIG_KEYS",
    "baseline_from_report", "compare", "load_baseline", "validate_baseline", "write_baseline",
]

BASELINE_SCHEMA = "horde-engine.stress-baseline"
BASELINE_SCHEMA_VERSION = 1

COUNT_METRICS = ("blocks_growth_hold", "blocks_growth_beyond_counters_hold", "gen0_growth_hold",
                 "tracked_growth_hold", "gc_collections_hold", "gc_spikes", "ring_overflows",
                 "spawn_refusals")
"""Counts compared exactly: any growth over the baseline is a regression."""
TIMING_METRICS = ("tick_p50_ms", "render_cpu_p50_ms", "frame_cpu_p99_ms", "frame_full_p50_ms")
"""Timings compared as ratios to the calibration. Not the CPU frame p50: with 30 Hz steps at
60 frames a second half the frames run a step, and the median falls between the two
populations; their own medians (``tick_p50_ms``: the fixed steps of a frame that ran one;
``render_cpu_p50_ms``: the rest of the CPU frame) are stable."""
STEADY_TIMINGS = ("tick_p50_ms", "render_cpu_p50_ms")
"""Timings held to ``timing_factor``; the others (the p99 tail, and the full frame time whose
raster runs on llvmpipe's threads while the calibration is single-threaded, so another load
on the machine moves them apart) to ``tail_timing_factor``."""
_BLOCKS_METRICS = ("blocks_growth_hold", "blocks_growth_beyond_counters_hold")
AT_LEAST_METRICS = ("enemies_min_hold", "hold_sim_s")
CONFIG_KEYS = ("enemies", "duration_s", "warmup_s", "seed", "benchmark", "mode")
"""Configuration that must match between a report and its baseline."""

OK = "ok"
BETTER = "better"
REGRESSION = "REGRESSION"
NOT_JUDGED = "not judged"
"""A timing row of a counts-only comparison: shown, never a regression."""


class BaselineError(ValueError):
    """A baseline is missing, malformed, or was made with another configuration."""


@dataclass(frozen=True)
class Tolerances:
    """How far a report may drift from its baseline before it is a regression."""

    timing_factor: float = 2.0
    """Allowed factor on the normalised medians of the tick and of the render CPU work."""
    tail_timing_factor: float = 4.0
    """Allowed factor on the normalised CPU frame p99 and full-frame p50. The p99 is where
    another process preempting the run shows (4 ms slices on a shared 2-core machine): a quiet
    run measured 2.0 ms, three runs beside other jobs 3.9-5.6 ms, the calibration unmoved."""
    memory_slack_mb: float = 16.0
    """Allowed memory growth over the baseline's, in MB (RSS is page-granular and noisy)."""
    reuse_slack: float = 0.02
    """Allowed drop of a pool's reuse fraction."""
    blocks_slack: float = 2.0
    """Allowed growth of ``blocks_growth_hold`` (and of the older
    ``blocks_growth_beyond_counters_hold``, still compared when a baseline has it) over the
    baseline's (every other count is exact). With the engine's counters in int64 cells, five
    benchmark runs of the CI configuration measured -1, -1, -1, -1, -3 raw blocks; with the
    counters as Python ints they measured 4 (5 counters passing 256), and before the hold's floor
    was taken apart (engine/acceptance/criteria.py) 20-21. The slack of 2 stays for machines
    where the two readings fall differently."""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], source: str = "<dict>") -> Tolerances:
        """Tolerances from a baseline's ``tolerances`` object (missing keys take defaults).

        Raises:
            BaselineError: an unknown key or a value that is not a positive number.
        """
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, float] = {}
        for key, value in d.items():
            if key not in known:
                raise BaselineError(f"baseline {source}: field 'tolerances.{key}' is unknown; "
                                    f"expected one of {sorted(known)}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise BaselineError(f"baseline {source}: field 'tolerances.{key}': expected a "
                                    f"number >= 0, got {value!r}")
            kwargs[key] = float(value)
        return cls(**kwargs)


@dataclass(frozen=True)
class ComparisonRow:
    """One compared metric.

    Attributes:
        metric: the measurement's name.
        rule: ``count``, ``bound``, ``timing``, ``at_least``, ``ratio`` or ``verdict``.
        baseline: the baseline's value (for ``timing``, the normalised ratio).
        current: the report's value (same unit as ``baseline``).
        allowed: the worst value that still passes.
        status: ``ok``, ``better`` or ``REGRESSION``.
        detail: how it was compared.
    """

    metric: str
    rule: str
    baseline: float | str | None
    current: float | str | None
    allowed: float | str | None
    status: str
    detail: str = ""


class Comparison:
    """The rows of one report-vs-baseline comparison."""

    def __init__(self, rows: list[ComparisonRow]) -> None:
        self.rows = rows

    @property
    def regressions(self) -> list[ComparisonRow]:
        """Rows whose status is REGRESSION."""
        return [r for r in self.rows if r.status == REGRESSION]

    @property
    def ok(self) -> bool:
        """No regression."""
        return not self.regressions

    @property
    def improved(self) -> list[ComparisonRow]:
        """Rows better than the baseline (worth ``--update``)."""
        return [r for r in self.rows if r.status == BETTER]

    def format_table(self) -> str:
        """The comparison as a plain-text table."""
        def cell(v: float | str | None) -> str:
            if v is None:
                return "-"
            if isinstance(v, str):
                return v
            if float(v).is_integer():
                return str(int(v))
            return f"{v:.4g}"

        rows = [["metric", "rule", "baseline", "current", "allowed", "status", "detail"]]
        for r in self.rows:
            rows.append([r.metric, r.rule, cell(r.baseline), cell(r.current), cell(r.allowed),
                         r.status, r.detail])
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        out = []
        for k, row in enumerate(rows):
            out.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
            if k == 0:
                out.append("  ".join("-" * w for w in widths))
        return "\n".join(out)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def baseline_from_report(report: Mapping[str, Any], tolerances: Tolerances | None = None,
                         source: str | None = None) -> dict[str, Any]:
    """The baseline made from a (validated) report.

    Raises:
        BaselineError: the report is partial or has no calibration (it cannot be a baseline).
    """
    what = f"report {source}" if source else "report"
    if report["run"]["partial"]:
        raise BaselineError(f"{what}: a partial run (exit reason "
                            f"{report['run']['exit_reason']!r}) cannot be a baseline")
    if report.get("calibration_ns") is None:
        raise BaselineError(f"{what}: has no calibration_ns; its timings cannot be normalised")
    meas = report["measurements"]
    metrics: dict[str, Any] = {}
    for key in COUNT_METRICS + TIMING_METRICS + AT_LEAST_METRICS + ("memory_growth_mb",):
        metrics[key] = meas.get(key)
    reuse: dict[str, float | None] = {}
    for name, counters in (meas.get("pools") or {}).items():
        acq = _num(counters.get("acquires_hold"))
        reu = _num(counters.get("reuses_hold"))
        if acq and reu is not None:
            reuse[name] = reu / acq
    metrics["pool_reuse"] = reuse
    config = report["config"]
    return to_jsonable({
        "schema": BASELINE_SCHEMA,
        "schema_version": BASELINE_SCHEMA_VERSION,
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "source": {"report": source, "report_created_utc": report.get("created_utc"),
                   "machine": report.get("machine")},
        "config": {k: config[k] for k in CONFIG_KEYS if k in config},
        "tolerances": asdict(tolerances or Tolerances()),
        "calibration_ns": report["calibration_ns"],
        "verdict": report["verdict"],
        "metrics": metrics,
    })


def validate_baseline(data: Any, source: str = "<dict>") -> Tolerances:
    """Check a baseline's shape; return its tolerances.

    Raises:
        BaselineError: the first missing or mistyped field, by name.
    """
    def fail(field: str, expected: str, value: Any) -> None:
        raise BaselineError(f"baseline {source}: field {field!r}: expected {expected}, "
                            f"got {type(value).__name__} {value!r}"[:300])

    if not isinstance(data, Mapping):
        raise BaselineError(f"baseline {source}: expected a JSON object at the top, "
                            f"got {type(data).__name__}")
    for key in ("schema", "schema_version", "config", "tolerances", "calibration_ns",
                "verdict", "metrics"):
        if key not in data:
            raise BaselineError(f"baseline {source}: field {key!r} is missing")
    if data["schema"] != BASELINE_SCHEMA:
        fail("schema", repr(BASELINE_SCHEMA), data["schema"])
    if data["schema_version"] != BASELINE_SCHEMA_VERSION:
        fail("schema_version", str(BASELINE_SCHEMA_VERSION), data["schema_version"])
    if not isinstance(data["config"], Mapping):
        fail("config", "an object", data["config"])
    if not isinstance(data["tolerances"], Mapping):
        fail("tolerances", "an object", data["tolerances"])
    cal = data["calibration_ns"]
    if isinstance(cal, bool) or not isinstance(cal, int) or cal <= 0:
        fail("calibration_ns", "a positive integer", cal)
    metrics = data["metrics"]
    if not isinstance(metrics, Mapping):
        fail("metrics", "an object", metrics)
    for key, value in metrics.items():
        if key == "pool_reuse":
            if not isinstance(value, Mapping):
                fail("metrics.pool_reuse", "an object", value)
            for name, ratio in value.items():
                if ratio is not None and _num(ratio) is None:
                    fail(f"metrics.pool_reuse.{name}", "a number or null", ratio)
        elif value is not None and _num(value) is None:
            fail(f"metrics.{key}", "a number or null", value)
    return Tolerances.from_dict(data["tolerances"], source)


def load_baseline(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and validate a baseline file.

    Raises:
        BaselineError: missing file, not JSON, or a bad field (named).
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline {p}: no such file (make one with --update)") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline {p}: not valid JSON ({exc.msg} at line {exc.lineno} "
                            f"column {exc.colno})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {p}: cannot be read ({exc})") from None
    validate_baseline(data, str(p))
    return data


def write_baseline(path: str | os.PathLike[str], baseline: Mapping[str, Any]) -> Path:
    """Validate and write a baseline atomically (temp file, fsync, rename).

    Raises:
        BaselineError: the baseline is malformed.
        OSError: it cannot be written.
    """
    validate_baseline(baseline, str(path))
    return atomic_write_text(path, json.dumps(to_jsonable(baseline), indent=1,
                                              allow_nan=False, sort_keys=False) + "\n")


def _check_config(report: Mapping[str, Any], baseline: Mapping[str, Any]) -> None:
    rconf = report["config"]
    diffs = []
    for key, value in baseline["config"].items():
        if rconf.get(key) != value:
            diffs.append(f"{key}={value!r} in the baseline, {rconf.get(key)!r} in the report")
    if diffs:
        raise BaselineError("report and baseline were made with different configurations: "
                            + "; ".join(diffs))


def compare(report: Mapping[str, Any], baseline: Mapping[str, Any], *,
            judge_timings: bool = True) -> Comparison:
    """Hold a (validated) report against a (validated) baseline.

    Args:
        judge_timings: False shows the timing rows as ``NOT_JUDGED``: the test suite compares
            counts only, because another load on the machine moves a timing against its
            calibration (a calibration measured in the same run does not cancel contention).

    Returns:
        The comparison; ``comparison.ok`` is False when any metric regressed.

    Raises:
        BaselineError: the baseline is malformed, or the configurations differ.
    """
    tol = validate_baseline(baseline)
    _check_config(report, baseline)
    meas = report["measurements"]
    base = baseline["metrics"]
    rows: list[ComparisonRow] = []

    partial = bool(report["run"]["partial"])
    rows.append(ComparisonRow("run complete", "verdict", "yes", "no" if partial else "yes",
                              "yes", REGRESSION if partial else OK,
                              f"exit reason {report['run']['exit_reason']}"))
    lost = baseline["verdict"] == PASS and report["verdict"] != PASS
    rows.append(ComparisonRow("criteria verdict", "verdict", baseline["verdict"],
                              report["verdict"], PASS if baseline["verdict"] == PASS else "any",
                              REGRESSION if lost else OK))

    for key in COUNT_METRICS:
        slack = tol.blocks_slack if key in _BLOCKS_METRICS else 0.0
        rows.append(_row_count(key, _num(base.get(key)), _num(meas.get(key)), slack))

    b_mem, c_mem = _num(base.get("memory_growth_mb")), _num(meas.get("memory_growth_mb"))
    if b_mem is not None:
        allowed = b_mem + tol.memory_slack_mb
        status = REGRESSION if c_mem is None or c_mem > allowed else OK
        rows.append(ComparisonRow("memory_growth_mb", "bound", b_mem, c_mem, allowed, status,
                                  f"baseline + {tol.memory_slack_mb:g} MB"))

    b_cal = float(baseline["calibration_ns"]) / 1e6
    c_cal_raw = _num(report.get("calibration_ns"))
    for key in TIMING_METRICS:
        factor = tol.timing_factor if key in STEADY_TIMINGS else tol.tail_timing_factor
        b_ms = _num(base.get(key))
        if b_ms is None:
            continue
        b_ratio = b_ms / b_cal
        c_ms = _num(meas.get(key))
        if c_ms is None or not c_cal_raw:
            rows.append(ComparisonRow(f"{key}/calibration", "timing", b_ratio, None,
                                      b_ratio * factor,
                                      REGRESSION if judge_timings else NOT_JUDGED,
                                      "not measured (timing or calibration_ns)"))
            continue
        c_ratio = c_ms / (c_cal_raw / 1e6)
        status = REGRESSION if c_ratio > b_ratio * factor else OK
        if not judge_timings:
            status = NOT_JUDGED
        rows.append(ComparisonRow(f"{key}/calibration", "timing", b_ratio, c_ratio,
                                  b_ratio * factor, status,
                                  f"{c_ms:.3g} ms / {c_cal_raw / 1e6:.3g} ms cal "
                                  f"(baseline {b_ms:.3g} / {b_cal:.3g}); x{factor:g} allowed"))

    for key in AT_LEAST_METRICS:
        b, c = _num(base.get(key)), _num(meas.get(key))
        if b is None:
            continue
        status = REGRESSION if c is None or c < b else (BETTER if c > b else OK)
        rows.append(ComparisonRow(key, "at_least", b, c, b, status))

    c_pools = meas.get("pools") or {}
    for name, b_reuse in (base.get("pool_reuse") or {}).items():
        if b_reuse is None:
            continue
        counters = c_pools.get(name) or {}
        acq, reu = _num(counters.get("acquires_hold")), _num(counters.get("reuses_hold"))
        c_reuse = reu / acq if acq and reu is not None else None
        allowed = b_reuse - tol.reuse_slack
        status = REGRESSION if c_reuse is None or c_reuse < allowed else OK
        rows.append(ComparisonRow(f"pool_reuse.{name}", "ratio", b_reuse, c_reuse, allowed,
                                  status, "reuses/acquires over the hold"
                                  if c_reuse is not None else "no acquires over the hold"))
    return Comparison(rows)


def _row_count(key: str, b: float | None, c: float | None, slack: float) -> ComparisonRow:
    if b is None:
        return ComparisonRow(key, "count", None, c, None, OK, "not in the baseline")
    allowed = b + slack
    how = f"baseline + {slack:g}" if slack else "exact"
    if c is None:
        return ComparisonRow(key, "count", b, None, allowed, REGRESSION, "not measured")
    if c > allowed:
        return ComparisonRow(key, "count", b, c, allowed, REGRESSION, f"count grew ({how})")
    if c < b:
        return ComparisonRow(key, "count", b, c, allowed, BETTER,
                             "lower than baseline: --update")
    return ComparisonRow(key, "count", b, c, allowed, OK, how)
