"""The acceptance run as library code: its plan, recorder, criteria, report, baselines, plots.

Pure modules (no GL, testable alone; they import only data and profiler): ``run`` (the ramp /
settle / hold phase machine and the --ramp/--max search), ``recorder`` (per-frame samples, the
small-int census), ``criteria``, ``report``, ``baseline``, ``plots``, ``calibration``. The
wired run: ``session`` (App + World + ``engine.horde.attach``), ``stress_world`` (the world's
tuning) and ``outputs`` (measurements, criteria per mode, report and plots of a session).
``cli`` is the command line (``main(argv) -> exit code``), and its ``run_acceptance`` holds a
game of your own to the same run. ``demos/stress_500.py`` and ``tools/compare_baseline.py``
use them. This package imports only the pure modules.
"""

from .baseline import (
    BaselineError,
    Comparison,
    ComparisonRow,
    Tolerances,
    baseline_from_report,
    compare,
    load_baseline,
    write_baseline,
)
from .calibration import CalibrationResult, measure_calibration
from .criteria import (
    FAIL,
    INFO,
    PASS,
    CriterionResult,
    default_criteria,
    evaluate,
    format_table,
    overall_passed,
)
from .report import (
    ReportError,
    atomic_write_text,
    build_report,
    load_report,
    machine_info,
    validate_report,
    write_report,
)

__all__ = [
    "PASS", "FAIL", "INFO", "CriterionResult", "default_criteria", "evaluate", "format_table",
    "overall_passed",
    "ReportError", "build_report", "write_report", "load_report", "validate_report",
    "machine_info", "atomic_write_text",
    "BaselineError", "Tolerances", "Comparison", "ComparisonRow", "baseline_from_report",
    "compare", "load_baseline", "write_baseline",
    "CalibrationResult", "measure_calibration",
]
