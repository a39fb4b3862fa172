#!/usr/bin/env python3
"""Compare a stress-run report with its baseline; exit 1 on a regression.

    python -m tools.compare_baseline reports/stress_ci.json tests/baselines/stress_ci.json
    python -m tools.compare_baseline reports/stress_ci.json tests/baselines/stress_ci.json --update

Counts (allocated blocks, gen0 growth, GC collections and spikes, ring overflows, spawn
refusals) are compared exactly; memory growth against the baseline plus a slack; timings as
ratios to the calibration workload timed in the same run, with a tolerance factor; enemies
sustained and pool reuse must not drop. The tolerances live in the baseline file.

Exit codes: 0 no regression (or baseline updated), 1 regression, 2 bad input (a missing or
malformed file, a configuration mismatch, a partial report given to --update).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.acceptance.baseline import (
    BaselineError,
    Tolerances,
    baseline_from_report,
    compare,
    load_baseline,
    validate_baseline,
    write_baseline,
)
from engine.acceptance.report import ReportError, load_report
from tools.common import tool_parser


def build_parser() -> argparse.ArgumentParser:
    parser = tool_parser(
        "compare_baseline", __doc__,
        epilog="Tolerances: timing_factor (p50), tail_timing_factor (p99), memory_slack_mb, "
               "reuse_slack, kept in the baseline's 'tolerances' object; --update keeps the "
               "existing baseline's tolerances.",
    )
    parser.add_argument("report", type=Path, help="the stress report (JSON) to check")
    parser.add_argument("baseline", type=Path, help="the baseline file (tests/baselines/*.json)")
    parser.add_argument("--counts-only", action="store_true",
                        help="show the timing rows but judge only counts, memory and reuse "
                             "(the test suite's mode: timings move with the machine's load) "
                             "(default: off)")
    parser.add_argument("--update", action="store_true",
                        help="rewrite the baseline from this report (deliberately; atomic) "
                             "instead of comparing (default: off, compare)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the tool; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        report = load_report(args.report)
        if args.update:
            tolerances = Tolerances()
            if args.baseline.exists():
                try:
                    old = load_baseline(args.baseline)
                    tolerances = validate_baseline(old, str(args.baseline))
                except BaselineError as exc:
                    print(f"compare_baseline: note: old baseline unreadable, default "
                          f"tolerances used ({exc})", file=sys.stderr)
            baseline = baseline_from_report(report, tolerances, source=str(args.report))
            write_baseline(args.baseline, baseline)
            print(f"baseline {args.baseline} updated from {args.report} "
                  f"(verdict {baseline['verdict']}, calibration "
                  f"{baseline['calibration_ns'] / 1e6:.3f} ms)")
            return 0
        baseline = load_baseline(args.baseline)
        result = compare(report, baseline, judge_timings=not args.counts_only)
    except (ReportError, BaselineError) as exc:
        print(f"compare_baseline: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"compare_baseline: error: {exc}", file=sys.stderr)
        return 2
    print(result.format_table())
    if result.ok:
        extra = (f"; {len(result.improved)} metric(s) better than the baseline "
                 f"(consider --update)") if result.improved else ""
        print(f"\nno regression against {args.baseline}{extra}")
        return 0
    names = ", ".join(r.metric for r in result.regressions)
    print(f"\nREGRESSION against {args.baseline}: {names}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
