"""The acceptance run's reusable logic: criteria, the JSON report, baselines, plots, calibration.

Used by ``demos/stress_500.py`` and ``tools/compare_baseline.py``; testable without GL. It
imports no other engine layer: it works on plain report dicts of measured values.
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
