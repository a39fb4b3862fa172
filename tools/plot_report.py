#!/usr/bin/env python3
"""Draw the PNG plots of a stress report again (frame time, memory, enemies by tier, GC, pools).

    python -m tools.plot_report reports/stress_500.json            # beside the report
    python -m tools.plot_report reports/stress_500.json --plots-dir /tmp/plots

Exit codes: 0 plots written, 2 a missing or malformed report, or a report without series.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.acceptance.plots import write_plots
from engine.acceptance.report import ReportError, load_report
from tools.common import check_report, tool_parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and validate; bad input exits with one line on stderr and code 2."""
    parser = tool_parser("plot_report", __doc__)
    parser.add_argument("report", type=Path, help="a stress report (JSON)")
    parser.add_argument("--plots-dir", type=Path, default=None, metavar="DIR",
                        help="directory for the PNGs (default: beside the report)")
    args = parser.parse_args(argv)
    if args.plots_dir is not None:
        check_report(parser, args.plots_dir / "plot.png", "--plots-dir")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the tool; returns the exit code."""
    args = parse_args(argv)
    try:
        report = load_report(args.report)
    except ReportError as exc:
        print(f"plot_report: error: {exc}", file=sys.stderr)
        return 2
    if "series" not in report:
        print(f"plot_report: error: report {args.report} has no 'series' to plot",
              file=sys.stderr)
        return 2
    for path in write_plots(report, args.plots_dir or args.report.parent, args.report.stem):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
