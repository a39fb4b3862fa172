"""The stress run's JSON report: building, atomic writing, loading with validation.

Schema (version 1), every field required unless marked optional::

    schema            "horde-engine.stress-report"
    schema_version    1
    created_utc       ISO-8601 time the report was written
    machine           platform, python, numpy, cpu_count, gl_renderer (str|null), gl_version
    config            the run's arguments (enemies, duration_s, warmup_s, seed, benchmark,
                      headless, mode, ...), free-form values
    run               partial (bool), exit_reason (str), frames (int), sim_time_s (number),
                      wall_time_s (number), phase (str: the phase the run ended in)
    calibration_ns    int|null: a fixed numpy+Python workload timed in the same run
                      (``engine.acceptance.calibration``), to normalise timings across machines
    measurements      name -> number|null, plus ``pools`` (name -> {counter: number|null})
    criteria          list of rows {name, measured, limit, op, unit, verdict, note}
    verdict           "PASS" | "FAIL" ("FAIL" whenever the run is partial)
    series            optional: per-sample lists (``t_s`` and series of the same length,
                      or name -> list mappings), ``gc_events`` (list of {t_s, gen, pause_ms}),
                      ``phases`` (name -> seconds)
    series_summary    optional: series name -> {min, mean, p50, p99, max}
    extra             optional: free-form (ramp / max search results, file names)

Writing is atomic: a temporary file in the same directory, ``fsync``, ``os.replace``, so a
reader (CI, the baseline tool) sees the old report or the new one, never half of one. NaN and
infinities become ``null`` (JSON has neither).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engine.data.files import atomic_write_bytes

from .criteria import FAIL, INFO, PASS, CriterionResult, overall_passed

__all__ = [
    "SCHEMA", "SCHEMA_VERSION", "ReportError",
    "machine_info", "build_report", "to_jsonable", "atomic_write_bytes", "atomic_write_text",
    "write_report", "load_report", "validate_report", "summarise_series", "criteria_results",
]

SCHEMA = "horde-engine.stress-report"
SCHEMA_VERSION = 1


class ReportError(ValueError):
    """A report file is missing, not JSON, or does not follow the schema (names the field)."""


def machine_info(gl_renderer: str | None = None, gl_version: str | None = None) -> dict[str, Any]:
    """What machine ran the report: platform, Python, numpy, CPU count, GL renderer."""
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "cpu_count": os.cpu_count() or 0,
        "gl_renderer": gl_renderer,
        "gl_version": gl_version,
    }


def to_jsonable(value: Any) -> Any:
    """A copy of ``value`` made of JSON types: numpy scalars and arrays converted, tuples as
    lists, NaN and infinities as None, mapping keys as strings.

    Raises:
        TypeError: a value of a type JSON cannot hold (names the type).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"report value: expected a JSON-able type, got {type(value).__name__}")


def summarise_series(values: Sequence[float] | np.ndarray) -> dict[str, float | None]:
    """min, mean, p50, p99, max of a series (Nones when it is empty; NaNs are ignored)."""
    arr = np.asarray(values, dtype=np.float64)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return {"n": 0, "min": None, "mean": None, "p50": None, "p99": None, "max": None}
    return {"n": int(arr.size), "min": float(arr.min()), "mean": float(arr.mean()),
            "p50": float(np.percentile(arr, 50)), "p99": float(np.percentile(arr, 99)),
            "max": float(arr.max())}


def build_report(*, config: Mapping[str, Any], run: Mapping[str, Any],
                 measurements: Mapping[str, Any], results: Sequence[CriterionResult],
                 machine: Mapping[str, Any] | None = None, calibration_ns: int | None = None,
                 series: Mapping[str, Any] | None = None,
                 series_summary: Mapping[str, Any] | None = None,
                 extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Assemble a schema-valid report dict.

    The verdict is FAIL when a criterion failed or the run is partial.

    Raises:
        ReportError: the assembled report does not follow the schema (names the field).
        TypeError: a value JSON cannot hold.
    """
    partial = bool(run.get("partial", False))
    verdict = PASS if overall_passed(results) and not partial else FAIL
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "machine": dict(machine) if machine is not None else machine_info(),
        "config": dict(config),
        "run": dict(run),
        "calibration_ns": calibration_ns,
        "measurements": dict(measurements),
        "criteria": [r.as_dict() for r in results],
        "verdict": verdict,
    }
    if series is not None:
        report["series"] = dict(series)
    if series_summary is not None:
        report["series_summary"] = dict(series_summary)
    if extra is not None:
        report["extra"] = dict(extra)
    report = to_jsonable(report)
    validate_report(report)
    return report


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """``atomic_write_bytes`` of ``text`` encoded as UTF-8.

    Raises:
        OSError: the directory cannot be created or written.
    """
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_report(path: str | os.PathLike[str], report: Mapping[str, Any]) -> Path:
    """Validate ``report`` and write it as JSON, atomically.

    Raises:
        ReportError: the report does not follow the schema.
        OSError: the file cannot be written.
    """
    data = to_jsonable(report)
    validate_report(data)
    return atomic_write_text(path, json.dumps(data, indent=1, allow_nan=False) + "\n")


def load_report(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and validate a report.

    Raises:
        ReportError: the file is missing, is not JSON, or a field is missing or of the wrong
            type (the message names the file and the field).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(f"report {p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"report {p}: cannot be read ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"report {p}: not valid JSON ({exc.msg} at line {exc.lineno} "
                          f"column {exc.colno})") from None
    validate_report(data, source=str(p))
    return data


# ---------------------------------------------------------------------------- validation
def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, field: str, expected: str, value: Any) -> None:
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        raise ReportError(f"report {self.source}: field {field!r}: expected {expected}, "
                          f"got {_kind(value)} {shown}")

    def need(self, obj: Mapping[str, Any], key: str, prefix: str = "") -> Any:
        field = f"{prefix}{key}"
        if key not in obj:
            raise ReportError(f"report {self.source}: field {field!r} is missing")
        return obj[key]

    def mapping(self, obj: Mapping[str, Any], key: str, prefix: str = "") -> Mapping[str, Any]:
        value = self.need(obj, key, prefix)
        if not isinstance(value, Mapping):
            self.fail(prefix + key, "an object", value)
        return value

    def string(self, obj: Mapping[str, Any], key: str, prefix: str = "", *,
               nullable: bool = False) -> None:
        value = self.need(obj, key, prefix)
        if not (isinstance(value, str) or (nullable and value is None)):
            self.fail(prefix + key, "a string" + (" or null" if nullable else ""), value)

    def number(self, obj: Mapping[str, Any], key: str, prefix: str = "", *,
               nullable: bool = False, integer: bool = False) -> None:
        value = self.need(obj, key, prefix)
        if nullable and value is None:
            return
        ok = isinstance(value, int) if integer else _is_number(value)
        if isinstance(value, bool) or not ok:
            what = "an integer" if integer else "a number"
            self.fail(prefix + key, what + (" or null" if nullable else ""), value)

    def boolean(self, obj: Mapping[str, Any], key: str, prefix: str = "") -> None:
        value = self.need(obj, key, prefix)
        if not isinstance(value, bool):
            self.fail(prefix + key, "true or false", value)

    def numbers(self, value: Any, field: str) -> int:
        if not isinstance(value, list):
            self.fail(field, "a list of numbers", value)
        for i, v in enumerate(value):
            if v is not None and not _is_number(v):
                self.fail(f"{field}[{i}]", "a number or null", v)
        return len(value)


def validate_report(data: Any, source: str = "<dict>") -> None:
    """Check that ``data`` follows the report schema.

    Raises:
        ReportError: the first field that is missing or of the wrong type, by name.
    """
    c = _Checker(source)
    if not isinstance(data, Mapping):
        raise ReportError(f"report {source}: expected a JSON object at the top, "
                          f"got {_kind(data)}")
    schema = c.need(data, "schema")
    if schema != SCHEMA:
        c.fail("schema", repr(SCHEMA), schema)
    version = c.need(data, "schema_version")
    if version != SCHEMA_VERSION:
        c.fail("schema_version", str(SCHEMA_VERSION), version)
    c.string(data, "created_utc")

    machine = c.mapping(data, "machine")
    for key in ("platform", "python", "numpy"):
        c.string(machine, key, "machine.")
    c.number(machine, "cpu_count", "machine.", integer=True)
    c.string(machine, "gl_renderer", "machine.", nullable=True)

    c.mapping(data, "config")

    run = c.mapping(data, "run")
    c.boolean(run, "partial", "run.")
    c.string(run, "exit_reason", "run.")
    c.number(run, "frames", "run.", integer=True)
    c.number(run, "sim_time_s", "run.")
    c.number(run, "wall_time_s", "run.")
    c.string(run, "phase", "run.")

    c.number(data, "calibration_ns", nullable=True, integer=True)

    meas = c.mapping(data, "measurements")
    for key, value in meas.items():
        if key == "pools":
            if not isinstance(value, Mapping):
                c.fail("measurements.pools", "an object", value)
            for pname, counters in value.items():
                if not isinstance(counters, Mapping):
                    c.fail(f"measurements.pools.{pname}", "an object", counters)
                for ckey, cval in counters.items():
                    if cval is not None and not _is_number(cval):
                        c.fail(f"measurements.pools.{pname}.{ckey}", "a number or null", cval)
        elif value is not None and not _is_number(value):
            c.fail(f"measurements.{key}", "a number or null", value)

    crit = c.need(data, "criteria")
    if not isinstance(crit, list):
        c.fail("criteria", "a list", crit)
    for i, row in enumerate(crit):
        prefix = f"criteria[{i}]."
        if not isinstance(row, Mapping):
            c.fail(f"criteria[{i}]", "an object", row)
        c.string(row, "name", prefix)
        c.number(row, "measured", prefix, nullable=True)
        c.number(row, "limit", prefix, nullable=True)
        c.string(row, "op", prefix)
        c.string(row, "unit", prefix)
        verdict = c.need(row, "verdict", prefix)
        if verdict not in (PASS, FAIL, INFO):
            c.fail(prefix + "verdict", f"{PASS!r}, {FAIL!r} or {INFO!r}", verdict)
    verdict = c.need(data, "verdict")
    if verdict not in (PASS, FAIL):
        c.fail("verdict", f"{PASS!r} or {FAIL!r}", verdict)

    if "series" in data:
        _validate_series(c, data["series"])
    if "series_summary" in data and not isinstance(data["series_summary"], Mapping):
        c.fail("series_summary", "an object", data["series_summary"])
    if "extra" in data and not isinstance(data["extra"], Mapping):
        c.fail("extra", "an object", data["extra"])


def _validate_series(c: _Checker, series: Any) -> None:
    if not isinstance(series, Mapping):
        c.fail("series", "an object", series)
    n = c.numbers(c.need(series, "t_s", "series."), "series.t_s")
    for key, value in series.items():
        field = f"series.{key}"
        if key == "gc_events":
            if not isinstance(value, list):
                c.fail(field, "a list of events", value)
            for i, ev in enumerate(value):
                if not isinstance(ev, Mapping):
                    c.fail(f"{field}[{i}]", "an object", ev)
                for k in ("t_s", "gen", "pause_ms"):
                    c.number(ev, k, f"{field}[{i}].")
        elif key == "phases":
            if not isinstance(value, Mapping):
                c.fail(field, "an object", value)
            for k, v in value.items():
                if v is not None and not _is_number(v):
                    c.fail(f"{field}.{k}", "a number or null", v)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                if c.numbers(v, f"{field}.{k}") != n:
                    c.fail(f"{field}.{k}", f"a list of {n} numbers (as long as series.t_s)", v)
        elif c.numbers(value, field) != n:
            c.fail(field, f"a list of {n} numbers (as long as series.t_s)", value)


def criteria_results(report: Mapping[str, Any]) -> list[CriterionResult]:
    """The criteria rows of a (validated) report as ``CriterionResult`` objects."""
    return [CriterionResult.from_dict(row) for row in report["criteria"]]
